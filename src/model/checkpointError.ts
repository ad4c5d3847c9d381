/**
 * The error of a checkpoint that cannot be loaded: it names the file (and the tensor, where one
 * is at fault) and says what was expected and what was found.
 */
import { PrhsError } from '../core/errors.js';

export class CheckpointError extends PrhsError {
  override name = 'CheckpointError';
  constructor(
    /** The file or folder at fault. */
    readonly file: string,
    problem: string,
    /** The tensor at fault, where there is one. */
    readonly tensor?: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${tensor === undefined ? '' : `tensor "${tensor}": `}${problem}`, options);
  }
}

/** Runs a file-system call, turning its error (ENOENT, EACCES, EISDIR, ...) into a CheckpointError. */
export function fileSystemCall<T>(file: string, what: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : (error as Error).message;
    throw new CheckpointError(file, `cannot ${what}: ${reason}`, undefined, { cause: error });
  }
}
