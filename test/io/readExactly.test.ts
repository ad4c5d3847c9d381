import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readExactly } from '../../src/io/readExactly.js';

const dir = mkdtempSync(join(tmpdir(), 'prhs-read-exactly-'));
const path = join(dir, 'ten.bin');
writeFileSync(
  path,
  Uint8Array.from({ length: 10 }, (_, i) => 100 + i),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readExactly', () => {
  it('returns the bytes at the position, through the guard', () => {
    const fd = openSync(path, 'r');
    try {
      let guarded = 0;
      const bytes = readExactly(fd, {
        position: 3,
        length: 4,
        truncated: () => new Error('unexpected'),
        guard: (read) => {
          guarded++;
          return read();
        },
      });
      expect([...bytes]).toEqual([103, 104, 105, 106]);
      expect(guarded).toBe(1);
    } finally {
      closeSync(fd);
    }
  });

  it('throws the caller’s error with the bytes read when the file ends first', () => {
    const fd = openSync(path, 'r');
    try {
      expect(() =>
        readExactly(fd, { position: 6, length: 8, truncated: (done) => new Error(`ended after ${done}`) }),
      ).toThrow('ended after 4');
    } finally {
      closeSync(fd);
    }
  });
});
