// A tensor file is recognised by its contents (zip magic: .npz; anything else: safetensors), and
// file-system problems are bad input that names the file.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, PrhsError } from '../../src/core/errors.js';
import { openStoredFile } from '../../src/verify/openStoredFile.js';
import { readFloats } from '../../src/verify/storedTensors.js';
import { scratchPath, writeCase } from './caseFiles.js';
import { bytesOf, npyBytes, zipArchive } from './npzFiles.js';

function refusal(path: string): Error {
  try {
    openStoredFile(path).close();
  } catch (error) {
    expect(error).toBeInstanceOf(PrhsError);
    return error as Error;
  }
  throw new Error(`${path} was accepted`);
}

function fileWith(name: string, bytes: Uint8Array): string {
  const path = scratchPath(name);
  writeFileSync(path, bytes);
  return path;
}

describe('openStoredFile', () => {
  it('opens a zip as .npz and anything else as safetensors, whatever the name', () => {
    const npz = fileWith(
      'really-npz.safetensors',
      zipArchive([{ name: 'x.npy', bytes: npyBytes('<f8', [2], bytesOf(Float64Array.of(1.5, -2))) }]),
    );
    const fromZip = openStoredFile(npz);
    expect([...readFloats(fromZip.tensors.get('x')!, 0, 2)]).toEqual([1.5, -2]);
    fromZip.close();
    const safetensors = writeCase({ y: { shape: [1], data: Float32Array.of(0.25) } }, { scale: '2' });
    const fromSafetensors = openStoredFile(safetensors);
    expect([...readFloats(fromSafetensors.tensors.get('y')!, 0, 1)]).toEqual([0.25]);
    expect(fromSafetensors.metadata).toEqual({ scale: '2' });
    fromSafetensors.close();
  });

  it('needs all four bytes of the zip magic PK\\3\\4', () => {
    // With the magic it is read as a zip (and refused as one); without any one byte of it, as safetensors.
    expect(refusal(fileWith('zip-magic.npz', Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0))).message).toMatch(
      /no end-of-central-directory record/,
    );
    for (const [i, bytes] of [
      Uint8Array.of(0x51, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0),
      Uint8Array.of(0x50, 0x4c, 3, 4, 0, 0, 0, 0, 0, 0),
      Uint8Array.of(0x50, 0x4b, 5, 6, 0, 0, 0, 0, 0, 0),
      Uint8Array.of(0x50, 0x4b, 5, 4, 0, 0, 0, 0, 0, 0),
      Uint8Array.of(0x50, 0x4b, 3, 5, 0, 0, 0, 0, 0, 0),
    ].entries()) {
      expect(refusal(fileWith(`not-zip-${i}.npz`, bytes)).message).toMatch(
        /^tensor "header": declares \d+ header bytes but the file has 2 after the length/,
      );
    }
    expect(refusal(fileWith('short.npz', Uint8Array.of(0x50, 0x4b, 3))).message).toBe(
      'tensor "header": file of 3 bytes is too short for a safetensors header',
    );
  });

  it('a directory or a missing file is bad input naming FILE', () => {
    const folder = scratchPath('a-folder.safetensors');
    mkdirSync(folder, { recursive: true });
    const directory = refusal(folder);
    expect(directory).toBeInstanceOf(InvalidArgumentError);
    expect(directory.message).toBe(`FILE: expected a file, not a directory, received ${JSON.stringify(folder)}`);
    expect((directory as InvalidArgumentError).problem).toBe('type');
    const missing = scratchPath('no-such-file.npz');
    const error = refusal(missing);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toMatch(
      new RegExp(`^FILE: expected a readable file, received ${JSON.stringify(missing)} \\(ENOENT: `),
    );
  });

  it('leaves no file open, whichever way it went', () => {
    const paths = [
      writeCase({ y: { shape: [1], data: Float32Array.of(0.25) } }),
      fileWith('magic-only.npz', Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0)),
      fileWith('neither.bin', Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9)),
    ];
    const open = readdirSync('/proc/self/fd').length;
    for (const path of paths)
      for (let i = 0; i < 3; i++) {
        try {
          openStoredFile(path).close();
        } catch {
          // refused: counted below all the same
        }
      }
    expect(readdirSync('/proc/self/fd').length).toBe(open);
  });
});
