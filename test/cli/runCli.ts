/** Runs the CLI's main() in-process with captured output and optional standard input (the CLI tests' one way in). */
import { main } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: string[], stdin?: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    interactive: false,
    ...(stdin === undefined ? {} : { readStdin: () => stdin }),
  });
  return { code, stdout, stderr };
}
