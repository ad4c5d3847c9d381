/**
 * A file-system failure on a file the user named is bad input (exit 2), not an internal error: the
 * error names the argument and says `"path" (CODE: message)`.
 */
import { InvalidArgumentError } from '../core/errors.js';

export interface FileArgument {
  /** The argument that named the path, e.g. `FILE` or `--out`. */
  readonly argument: string;
  /** What the argument should be, e.g. "a readable file". */
  readonly expected: string;
  readonly path: string;
}

/** `error` as an InvalidArgumentError when it carries an errno code (ENOENT, EACCES, …); anything else unchanged. */
export function asInputError(error: unknown, file: FileArgument): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code !== 'string') return error;
  return new InvalidArgumentError(
    file.argument,
    file.expected,
    `${JSON.stringify(file.path)} (${code}: ${(error as Error).message})`,
    'domain',
  );
}
