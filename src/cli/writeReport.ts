/** Writes a command's output file atomically; a file-system failure is bad input naming the option. */
import { writeFileAtomic } from '../io/atomicWrite.js';
import { fileArgumentError, isFileSystemError } from './fileErrors.js';

export function writeReport(argument: string, path: string, contents: string | Uint8Array): void {
  try {
    writeFileAtomic(path, contents);
  } catch (error) {
    if (isFileSystemError(error)) throw fileArgumentError(argument, 'a path where a file can be written', path, error);
    throw error;
  }
}
