/**
 * Command-line arguments, parsed by `node:util` parseArgs in strict mode: `--name value`,
 * `--name=value`, boolean `--flag`, and positionals. Unknown options, a flag given a value and an
 * option missing its value are errors naming the option (a typo must not be silently ignored, and
 * `--report --json` must not write a file called `--json`).
 */
import { parseArgs as parseArgsStrict } from 'node:util';
import { InvalidArgumentError } from '../core/errors.js';

export interface OptionSpec {
  /** Takes a value (`--runs 100`) or is a flag (`--json`). */
  readonly type: 'string' | 'boolean';
  readonly description: string;
  /** The value's name in help and errors, e.g. `N`, `FILE`, `DIR` (default: the option's name in capitals). */
  readonly placeholder?: string;
}

export interface ParsedArgs {
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/** How an option is written in help and errors: `--runs N` or `--json`. */
export function optionSignature(name: string, spec: OptionSpec): string {
  return spec.type === 'string'
    ? `--${name} ${spec.placeholder ?? name.toUpperCase().replaceAll('-', '_')}`
    : `--${name}`;
}

/** The option a parseArgs error message names, e.g. `--bogus` in "Unknown option '--bogus'". */
function namedOption(message: string): string {
  return /'(-[^' ]*)/.exec(message)?.[1] ?? 'option';
}

/** Turns a node:util parse error into the CLI's one-line InvalidArgumentError naming the option. */
function parseError(
  error: Error & { code?: string },
  spec: Readonly<Record<string, OptionSpec>>,
): InvalidArgumentError {
  const option = namedOption(error.message);
  const known =
    Object.entries(spec)
      .map(([name, s]) => optionSignature(name, s))
      .join(', ') || 'no options';
  const entry = spec[option.replace(/^--/, '')];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new InvalidArgumentError(option, `one of ${known}`, 'an unknown option', 'domain');
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new InvalidArgumentError(
        'arguments',
        'options only (this command takes no positional arguments)',
        JSON.stringify(/'([^']*)'/.exec(error.message)?.[1] ?? ''),
        'domain',
      );
    default:
      if (entry?.type === 'boolean')
        return new InvalidArgumentError(option, 'a flag without a value', 'a value', 'type');
      if (/ambiguous/.test(error.message)) {
        return new InvalidArgumentError(
          option,
          `a value (${optionSignature(option.slice(2), entry ?? { type: 'string', description: '' })})`,
          `another option; write ${option}=-… for a value that starts with a dash`,
          'type',
        );
      }
      return new InvalidArgumentError(
        option,
        `a value (${entry ? optionSignature(option.slice(2), entry) : option})`,
        'nothing',
        'type',
      );
  }
}

/**
 * Parses argv against the command's options. `allowPositionals` false refuses any positional
 * argument (commands that take none).
 */
export function parseArgs(
  argv: readonly string[],
  spec: Readonly<Record<string, OptionSpec>>,
  allowPositionals = true,
): ParsedArgs {
  const options = Object.fromEntries(Object.entries(spec).map(([name, s]) => [name, { type: s.type }]));
  try {
    const parsed = parseArgsStrict({ args: [...argv], options, strict: true, allowPositionals });
    return {
      options: { ...parsed.values } as Record<string, string | boolean | undefined>,
      positionals: parsed.positionals,
    };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'))
      throw parseError(error as Error & { code: string }, spec);
    throw error;
  }
}

/** An option's value as a string, or undefined when absent. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' ? value : undefined;
}

/** A string option that must not be empty (a path, a name): `--out ''` is an error, not the current folder. */
export function nonEmptyOption(args: ParsedArgs, name: string, expected: string): string | undefined {
  const value = stringOption(args, name);
  if (value !== undefined && value.trim() === '')
    throw new InvalidArgumentError(`--${name}`, expected, 'an empty string', 'domain');
  return value;
}

/** Parses an integer written in decimal; blank text is refused (`Number('')` would be 0). */
export function parseIntegerText(argument: string, text: string, min: number): number {
  const n = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new InvalidArgumentError(argument, `an integer ≥ ${min}`, JSON.stringify(text), 'integer');
  return n;
}

/** An integer option, validated. */
export function integerOption(args: ParsedArgs, name: string, min: number): number | undefined {
  const value = stringOption(args, name);
  return value === undefined ? undefined : parseIntegerText(`--${name}`, value, min);
}
