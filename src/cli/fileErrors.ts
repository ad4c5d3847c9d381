/**
 * File-system errors as bad input. A report path that is a folder, a read-only place or a path
 * under a file is the user's to fix: it gets exit code 2 and a message naming the argument, not
 * exit 3 "internal error". Outputs are checked before the work starts, so a long run does not fail
 * at its last step.
 */
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidArgumentError } from '../core/errors.js';

/** A Node file-system error: it carries an errno code such as ENOENT or EACCES. */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code!)
  );
}

const reasons: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder',
  EEXIST: 'exists and is not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENAMETOOLONG: 'the name is too long',
};

/** The errno code in words, e.g. "permission denied (EACCES)". */
export function describeFileSystemError(error: NodeJS.ErrnoException): string {
  const code = error.code ?? 'unknown error';
  return reasons[code] ? `${reasons[code]} (${code})` : code;
}

/** An InvalidArgumentError for a file-system failure on `path`, given as `argument`. */
export function fileArgumentError(
  argument: string,
  expected: string,
  path: string,
  error: NodeJS.ErrnoException,
): InvalidArgumentError {
  return new InvalidArgumentError(
    argument,
    expected,
    `${JSON.stringify(path)}: ${describeFileSystemError(error)}`,
    'domain',
  );
}

/**
 * Creates and removes a probe file in `folder`: the only test that holds for root too (permission
 * bits do not stop root, a read-only or virtual file system does).
 */
function probeWrite(folder: string): void {
  const probe = join(folder, `.prhs-probe-${process.pid}-${Date.now()}`);
  closeSync(openSync(probe, 'wx'));
  rmSync(probe, { force: true });
}

/**
 * `mkdir -p`, one level at a time from the deepest existing ancestor. Node's recursive mkdir loops
 * forever under /proc (ENOENT there is retried as "parent missing"); this ends with that ENOENT.
 */
function makeFolders(folder: string): void {
  const missing: string[] = [];
  for (let current = folder; !existsSync(current); current = dirname(current)) {
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const path of missing.reverse()) mkdirSync(path);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Checks that a file can be written at `path` (creating its folder, as the write will): not a
 * folder, not under a file, in a writable place. Throws an InvalidArgumentError naming `argument`.
 */
export function checkWritableFile(argument: string, path: string): void {
  const expected = 'a path where a file can be written';
  if (isDirectory(path))
    throw new InvalidArgumentError(argument, expected, `${JSON.stringify(path)}: is a folder`, 'domain');
  try {
    makeFolders(dirname(path));
    probeWrite(dirname(path));
  } catch (error) {
    if (isFileSystemError(error)) throw fileArgumentError(argument, expected, path, error);
    throw error;
  }
}

/** Checks that `path` is (or can be created as) a writable folder. */
export function checkWritableFolder(argument: string, path: string): void {
  const expected = 'a folder that can be created or written';
  try {
    makeFolders(path);
    if (!statSync(path).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'EEXIST' });
    probeWrite(path);
  } catch (error) {
    if (isFileSystemError(error)) throw fileArgumentError(argument, expected, path, error);
    throw error;
  }
}

/** Checks that `path` is an existing folder (an input such as `figures --bench DIR`). */
export function checkReadableFolder(argument: string, path: string): void {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats)
    throw new InvalidArgumentError(argument, 'an existing folder', `${JSON.stringify(path)}: does not exist`, 'domain');
  if (!stats.isDirectory())
    throw new InvalidArgumentError(argument, 'an existing folder', `${JSON.stringify(path)}: is a file`, 'domain');
}
