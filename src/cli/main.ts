/**
 * The `prhs` command line: dispatches to one command per file. Bad input is a one-line error and
 * exit code 2, never a stack trace.
 */
import { PrhsError } from '../core/errors.js';
import { parseArgs } from './args.js';
import type { CommandIO } from './command.js';
import { commands } from './commands/index.js';

const defaultIO: CommandIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
};

function help(io: CommandIO): void {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  io.stdout('prhs: trustworthy Pre-hoc Sparsity (sparse attention with a controlled dropped mass)\n\nCommands:\n');
  for (const command of commands) io.stdout(`  ${command.name.padEnd(width)}  ${command.summary}\n`);
  io.stdout('\nRun `prhs <command> --help` for a command\'s options.\n');
}

export async function main(argv: readonly string[], io: CommandIO = defaultIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    help(io);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`prhs: unknown command "${name}"; run \`prhs help\` for the list\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`usage: ${command.usage}\n\n${command.summary}\n\nOptions:\n`);
    for (const [option, spec] of Object.entries(command.options)) {
      io.stdout(`  --${option}${spec.type === 'string' ? ' VALUE' : ''}  ${spec.description}\n`);
    }
    return 0;
  }
  try {
    return await command.run(parseArgs(rest, command.options), io);
  } catch (error) {
    if (error instanceof PrhsError) {
      io.stderr(`prhs ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
