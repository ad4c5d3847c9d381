/**
 * Reads exactly `length` bytes of an open file at `position`, in pieces of at most 1 GiB (one
 * readSync moves at most 2 GiB). A file that ends first is an error the caller words: `truncated`
 * gets the bytes read before the end. `guard` wraps each readSync (e.g. to turn a system error
 * into an exit-2 error naming the file); by default the call runs as is.
 */
import { readSync } from 'node:fs';

const maxReadBytes = 1 << 30;

export interface ExactRead {
  readonly position: number;
  readonly length: number;
  /** The error for a file that ends after `done` of the bytes. */
  readonly truncated: (done: number) => Error;
  readonly guard?: (read: () => number) => number;
}

export function readExactly(fd: number, request: ExactRead): Uint8Array {
  const { position, length, truncated, guard = (read) => read() } = request;
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const count = guard(() => readSync(fd, out, done, Math.min(maxReadBytes, length - done), position + done));
    if (count === 0) throw truncated(done);
    done += count;
  }
  return out;
}
