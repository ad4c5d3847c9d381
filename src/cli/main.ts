/**
 * The `prhs` command line: dispatches to one command per file. Bad input (arguments, files, sizes)
 * is a one-line error and exit code 2, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrhsError } from '../core/errors.js';
import { packageRoot } from '../io/packageRoot.js';
import { optionSignature, parseArgs } from './args.js';
import type { Command, CommandIO } from './command.js';
import { commands } from './commands/index.js';
import { displayWidth, padEndDisplay } from './displayWidth.js';
import { describeFileSystemError, isFileSystemError } from './fileErrors.js';

const defaultIO: CommandIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
};

/** Two columns, the first padded to its widest entry by display width. */
function columns(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...rows.map(([left]) => displayWidth(left)));
  return rows.map(([left, right]) => `  ${padEndDisplay(left, width)}  ${right}\n`).join('');
}

function help(io: CommandIO): void {
  io.stdout(
    'prhs: trustworthy Pre-hoc Sparsity (sparse attention with a controlled dropped mass)\n\nusage: prhs <command> [options]\n\nCommands:\n',
  );
  io.stdout(columns(commands.map((c) => [c.name, c.summary])));
  io.stdout('\nOptions:\n');
  io.stdout(
    columns([
      ['--version', 'print the version of prhs'],
      ['--help', 'print this help'],
    ]),
  );
  io.stdout("\nRun `prhs <command> --help` for a command's options.\n");
}

function commandHelp(command: Command, io: CommandIO): void {
  io.stdout(`usage: ${command.usage}\n\n${command.summary}\n\nOptions:\n`);
  io.stdout(
    columns([
      ...Object.entries(command.options).map(([name, spec]): [string, string] => [
        optionSignature(name, spec),
        spec.description,
      ]),
      ['--help', 'print this help'],
    ]),
  );
}

export function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** A typed-array or buffer allocation refused by the engine: the requested size is too large. */
function isSizeError(error: unknown): error is RangeError {
  return (
    error instanceof RangeError &&
    /Invalid typed array length|Array buffer allocation failed|Invalid array length|Array buffer allocation/.test(
      error.message,
    )
  );
}

export async function main(argv: readonly string[], io: CommandIO = defaultIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    help(io);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`prhs ${version()}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`prhs: unknown command "${name}"; run \`prhs help\` for the list\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    commandHelp(command, io);
    return 0;
  }
  try {
    const args = parseArgs(rest, command.options, command.positionals === undefined || command.positionals.length > 0);
    if (command.positionals !== undefined && args.positionals.length > command.positionals.length) {
      io.stderr(
        `prhs ${name}: expected at most ${command.positionals.length} argument(s) (${command.positionals.join(' ')}), received ${args.positionals.length}: ${args.positionals.map((p) => JSON.stringify(p)).join(' ')}\n`,
      );
      return 2;
    }
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof PrhsError) {
      io.stderr(`prhs ${name}: ${error.message}\n`);
      return 2;
    }
    if (isFileSystemError(error)) {
      const path = error.path === undefined ? '' : ` ${JSON.stringify(error.path)}`;
      io.stderr(`prhs ${name}: cannot ${error.syscall ?? 'access'}${path}: ${describeFileSystemError(error)}\n`);
      return 2;
    }
    if (isSizeError(error)) {
      io.stderr(`prhs ${name}: the requested size is too large to allocate (${error.message}); use smaller sizes\n`);
      return 2;
    }
    throw error;
  }
}
