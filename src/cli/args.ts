/**
 * A small argument parser: `--name value`, `--name=value`, boolean `--flag`, and positionals.
 * Unknown options are errors (a typo must not be silently ignored).
 */
import { InvalidArgumentError } from '../core/errors.js';

export interface OptionSpec {
  /** Takes a value (`--runs 100`) or is a flag (`--json`). */
  readonly type: 'string' | 'boolean';
  readonly description: string;
}

export interface ParsedArgs {
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionSpec>>): ParsedArgs {
  const options: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith('--') || token === '--') {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const option = spec[name];
    if (!option) throw new InvalidArgumentError(`--${name}`, `one of ${Object.keys(spec).map((n) => `--${n}`).join(', ') || 'no options'}`, 'an unknown option', 'domain');
    if (option.type === 'boolean') {
      if (eq !== -1) throw new InvalidArgumentError(`--${name}`, 'a flag without a value', token, 'type');
      options[name] = true;
    } else {
      const value = eq !== -1 ? token.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new InvalidArgumentError(`--${name}`, 'a value', 'nothing', 'type');
      options[name] = value;
    }
  }
  return { options, positionals };
}

/** An option's value as a string, or undefined when absent. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' ? value : undefined;
}

/** An integer option, validated. */
export function integerOption(args: ParsedArgs, name: string, min: number): number | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`--${name}`, `an integer ≥ ${min}`, JSON.stringify(value), 'integer');
  return n;
}
