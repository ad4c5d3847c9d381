/** The shape of a CLI command: one file per command under src/cli/commands/. */
import type { OptionSpec, ParsedArgs } from './args.js';

/** Where a command writes: injectable so tests can capture output. */
export interface CommandIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  readonly interactive: boolean;
  /** Reads all of standard input (`prhs eval -`); tests inject it, the default reads file descriptor 0. */
  readonly readStdin?: () => string;
}

export interface Command {
  readonly name: string;
  /** One line for `prhs help`. */
  readonly summary: string;
  /** Usage line(s), e.g. `prhs props [--claim ID] [--runs N] [--seed S]`. */
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /**
   * The positional arguments it takes, by name (e.g. `['FILE']`); more are refused. Left out, any
   * positionals reach `run`, which checks them itself.
   */
  readonly positionals?: readonly string[];
  /** Returns the exit code: 0 success, 1 a check failed, 2 bad input. */
  readonly run: (args: ParsedArgs, io: CommandIO) => Promise<number> | number;
}
