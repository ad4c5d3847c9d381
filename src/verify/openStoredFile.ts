/** Opens a tensor file by its contents: a zip (.npz, "PK" magic) or else safetensors. File-system errors name the file. */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { InvalidArgumentError } from '../core/errors.js';
import { asInputError } from '../io/asInputError.js';
import { openNpz } from './npzArchive.js';
import { openSafetensors, type StoredFile } from './storedTensors.js';

function startsWithZipMagic(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const first = new Uint8Array(4);
    const n = readSync(fd, first, 0, 4, 0);
    return n === 4 && first[0] === 0x50 && first[1] === 0x4b && first[2] === 0x03 && first[3] === 0x04;
  } finally {
    closeSync(fd);
  }
}

export function openStoredFile(path: string): StoredFile {
  try {
    if (statSync(path).isDirectory())
      throw new InvalidArgumentError('FILE', 'a file, not a directory', JSON.stringify(path), 'type');
    return startsWithZipMagic(path) ? openNpz(path) : openSafetensors(path);
  } catch (error) {
    throw asInputError(error, { argument: 'FILE', expected: 'a readable file', path });
  }
}
