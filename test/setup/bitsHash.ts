/** Test helper for the golden-bits tests: a short SHA-256 of typed arrays' bytes, in order. */
import { createHash } from 'node:crypto';

/** The first 32 hex digits of SHA-256 over every array's bytes (the byte order of this machine). */
export function bitsHash(arrays: readonly ArrayBufferView[]): string {
  const hash = createHash('sha256');
  for (const array of arrays) hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return hash.digest('hex').slice(0, 32);
}
