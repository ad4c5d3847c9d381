// Stored tensors are read lazily and decoded exactly: every float element type to float64, integer
// indices to int32 (refusing values outside its range), and a file that is malformed, or shrinks
// while it is open, is refused with an error naming the tensor or the file.
import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, PrhsError } from '../../src/core/errors.js';
import { encodeStorage } from '../../src/numeric/storage.js';
import { TraceFileError } from '../../src/traces/npy.js';
import {
  isFloatType,
  openSafetensors,
  readFloats,
  readFloatsInto,
  readIntegers,
  type StoredFile,
} from '../../src/verify/storedTensors.js';
import { scratchPath, writeCase } from './caseFiles.js';

const values = [1.5, -2, 0.099609375, 65504, 2 ** -24, -0];
const bf16Values = [1.5, -2, 0.099609375, 3.3895313892515355e38, 2 ** -133, -0];

function file(): StoredFile {
  return openSafetensors(
    writeCase({
      h: { shape: [6], data: encodeStorage('fp16', values) as Uint16Array, dtype: 'F16' },
      b: { shape: [2, 3], data: encodeStorage('bf16', bf16Values) as Uint16Array, dtype: 'BF16' },
      s: { shape: [6], data: Float32Array.from(values) },
      d: { shape: [3], data: Float64Array.of(Math.PI, -1e300, 5e-324) },
      i: { shape: [2], data: Int32Array.of(-7, 2147483647) },
      l: {
        shape: [5],
        data: BigInt64Array.of(-2147483648n, 2147483647n, 0n, -2147483649n, 2147483648n),
      },
    }),
  );
}

const same = (a: ArrayLike<number>, b: readonly number[]) =>
  expect(Array.from(a).map((x) => (Object.is(x, -0) ? '-0' : x))).toEqual(b.map((x) => (Object.is(x, -0) ? '-0' : x)));

describe('readFloats and readFloatsInto', () => {
  it('decode F16, BF16, F32 and F64 exactly, from any element', () => {
    const f = file();
    try {
      const t = (n: string) => f.tensors.get(n)!;
      for (const read of [
        (n: string, start: number, count: number) => readFloats(t(n), start, count),
        (n: string, start: number, count: number) => readFloatsInto(t(n), start, count, new Float64Array(count)),
      ]) {
        same(read('h', 0, 6), values);
        same(read('h', 2, 3), values.slice(2, 5));
        same(read('b', 0, 6), bf16Values);
        same(read('b', 3, 3), bf16Values.slice(3));
        same(read('s', 1, 5), values.slice(1).map(Math.fround));
        same(read('d', 1, 2), [-1e300, 5e-324]);
      }
    } finally {
      f.close();
    }
  });

  it('readFloatsInto writes the first count entries of the target only', () => {
    const f = file();
    try {
      for (const name of ['h', 'b', 's', 'd']) {
        const target = new Float64Array(5).fill(42);
        const result = readFloatsInto(f.tensors.get(name)!, 0, 2, target);
        expect(result).toBe(target);
        expect(Array.from(target.subarray(2))).toEqual([42, 42, 42]);
      }
    } finally {
      f.close();
    }
  });

  it('an integer tensor is not read as floats', () => {
    const f = file();
    try {
      let error: unknown;
      try {
        readFloats(f.tensors.get('i')!, 0, 2);
      } catch (e) {
        error = e;
      }
      expect(error).toEqual(
        new InvalidArgumentError('i', 'a float tensor (F16, BF16, F32 or F64)', 'dtype I32', 'type'),
      );
      expect((error as InvalidArgumentError).problem).toBe('type');
    } finally {
      f.close();
    }
  });

  it('isFloatType', () => {
    expect(['F16', 'BF16', 'F32', 'F64', 'I32', 'I64'].map((t) => isFloatType(t as 'F16'))).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('readIntegers', () => {
  it('I32 as stored; I64 within the int32 range, both ends included', () => {
    const f = file();
    try {
      expect(Array.from(readIntegers(f.tensors.get('i')!, 0, 2))).toEqual([-7, 2147483647]);
      expect(Array.from(readIntegers(f.tensors.get('l')!, 0, 3))).toEqual([-2147483648, 2147483647, 0]);
      expect(Array.from(readIntegers(f.tensors.get('l')!, 1, 2))).toEqual([2147483647, 0]);
    } finally {
      f.close();
    }
  });

  it('refuses I64 values outside int32, naming the element, and float tensors', () => {
    const f = file();
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
        const { argument, expected, received, problem } = e as InvalidArgumentError;
        return { argument, expected, received, problem };
      }
      throw new Error('accepted');
    };
    try {
      const l = f.tensors.get('l')!;
      expect(refusal(() => readIntegers(l, 2, 2))).toEqual({
        argument: 'l[3]',
        expected: 'an index in the int32 range',
        received: '-2147483649',
        problem: 'range',
      });
      expect(refusal(() => readIntegers(l, 4, 1))).toMatchObject({ argument: 'l[4]', received: '2147483648' });
      expect(refusal(() => readIntegers(f.tensors.get('s')!, 0, 1))).toEqual({
        argument: 's',
        expected: 'an integer tensor (I32 or I64)',
        received: 'dtype F32',
        problem: 'type',
      });
    } finally {
      f.close();
    }
  });
});

describe('openSafetensors', () => {
  it('names, types and shapes from the header; close releases the file', () => {
    const f = file();
    expect([...f.tensors.keys()]).toEqual(['h', 'b', 's', 'd', 'i', 'l']);
    expect(f.tensors.get('b')).toMatchObject({ name: 'b', type: 'BF16', shape: [2, 3] });
    expect(f.metadata).toEqual({});
    const d = f.tensors.get('d')!;
    f.close();
    expect(() => d.read(0, 1)).toThrow();
  });

  it('a file that shrinks after it was opened: the read names FILE and the bytes missing', () => {
    const path = writeCase({ x: { shape: [4], data: Float64Array.of(1, 2, 3, 4) } });
    const f = openSafetensors(path);
    try {
      const size = readFileSync(path).length;
      truncateSync(path, size - 16);
      let error: unknown;
      try {
        f.tensors.get('x')!.read(1, 3);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toBe(
        `FILE: expected 24 bytes at offset ${size - 32 + 8}, received end of file after 8`,
      );
      expect((error as InvalidArgumentError).problem).toBe('length');
    } finally {
      f.close();
    }
  });

  it('refuses a malformed header or truncated data, naming the header or the tensor, and closes the file', () => {
    const refusal = (bytes: Uint8Array): string => {
      const path = scratchPath(`bad-${Math.random().toString(36).slice(2)}.safetensors`);
      writeFileSync(path, bytes);
      try {
        openSafetensors(path).close();
      } catch (e) {
        expect(e).toBeInstanceOf(TraceFileError);
        expect(e).toBeInstanceOf(PrhsError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    const open = readdirSync('/proc/self/fd').length;
    expect(refusal(Uint8Array.of(1, 2, 3))).toBe(
      'tensor "header": file of 3 bytes is too short for a safetensors header',
    );
    const good = readFileSync(writeCase({ x: { shape: [4], data: Float64Array.of(1, 2, 3, 4) } }));
    expect(refusal(good.subarray(0, good.length - 8))).toMatch(
      /^tensor "x": truncated: its data ends at byte 32 of the data section, which has 24/,
    );
    const header = new TextEncoder().encode('{"x": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}');
    const bytes = new Uint8Array(8 + header.length + 1);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    expect(refusal(bytes)).toMatch(/^tensor "x": dtype "U8" is not supported/);
    expect(readdirSync('/proc/self/fd').length).toBe(open);
  });
});
