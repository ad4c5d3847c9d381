// .npz archives as np.savez and np.savez_compressed write them (zip64 included) must read back
// exactly, and every malformed archive must be refused with an error naming the entry.
import { readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, PrhsError } from '../../src/core/errors.js';
import { openNpz } from '../../src/verify/npzArchive.js';
import { readFloats, readIntegers, type StoredFile } from '../../src/verify/storedTensors.js';
import { scratchPath } from './caseFiles.js';
import { bytesOf, npyBytes, unicodeNpy, zipArchive, type ZipMember, type ZipOptions } from './npzFiles.js';

let counter = 0;
function writeNpz(members: readonly ZipMember[], options: ZipOptions = {}): string {
  return writeBytes(zipArchive(members, options));
}
function writeBytes(bytes: Uint8Array): string {
  const path = scratchPath(`archive-${counter++}.npz`);
  writeFileSync(path, bytes);
  return path;
}

/** Opens, runs `use`, closes. */
function withNpz<T>(path: string, use: (file: StoredFile) => T): T {
  const file = openNpz(path);
  try {
    return use(file);
  } finally {
    file.close();
  }
}

function refusal(path: string): Error {
  try {
    openNpz(path).close();
  } catch (error) {
    expect(error).toBeInstanceOf(PrhsError);
    return error as Error;
  }
  throw new Error(`${path} was accepted`);
}

// 1.5, -2, 65504 (fp16's largest), 2^-24 (its smallest subnormal)
const half = Uint16Array.of(0x3e00, 0xc000, 0x7bff, 0x0001);
const single = Float32Array.of(0.5, -3.25, 1e30, -0, 7, 2 ** -149);
const double = Float64Array.of(Math.PI, -1e300, 5e-324, 2);
const int32 = Int32Array.of(-1, 0, 2147483647, -2147483648, 300);
const int64 = BigInt64Array.of(-1n, 70000n, 5n);

function tensorMembers(method: number): ZipMember[] {
  return [
    { name: 'h.npy', bytes: npyBytes('<f2', [2, 2], bytesOf(half)), method },
    { name: 's.npy', bytes: npyBytes('<f4', [2, 3], bytesOf(single)), method },
    { name: 'd.npy', bytes: npyBytes('<f8', [4], bytesOf(double)), method },
    { name: 'i.npy', bytes: npyBytes('<i4', [5], bytesOf(int32)), method },
    { name: 'l.npy', bytes: npyBytes('<i8', [1, 3], bytesOf(int64)), method },
  ];
}

describe('openNpz: tensors', () => {
  for (const [method, label] of [
    [0, 'stored (np.savez)'],
    [8, 'deflated (np.savez_compressed)'],
  ] as const) {
    it(`reads every element type back exactly, from any element on: ${label}`, () => {
      withNpz(writeNpz(tensorMembers(method)), (file) => {
        expect([...file.tensors.keys()]).toEqual(['h', 's', 'd', 'i', 'l']);
        expect(file.metadata).toEqual({});
        const t = (name: string) => file.tensors.get(name)!;
        expect([t('h').type, t('s').type, t('d').type, t('i').type, t('l').type]).toEqual([
          'F16',
          'F32',
          'F64',
          'I32',
          'I64',
        ]);
        expect([t('h').shape, t('s').shape, t('d').shape, t('i').shape, t('l').shape]).toEqual([
          [2, 2],
          [2, 3],
          [4],
          [5],
          [1, 3],
        ]);
        expect(t('h').name).toBe('h');
        expect([...readFloats(t('h'), 0, 4)]).toEqual([1.5, -2, 65504, 2 ** -24]);
        expect([...readFloats(t('h'), 2, 2)]).toEqual([65504, 2 ** -24]);
        expect([...readFloats(t('s'), 0, 6)]).toEqual([...single]);
        expect(Object.is(readFloats(t('s'), 3, 1)[0], -0)).toBe(true);
        expect([...readFloats(t('s'), 4, 2)]).toEqual([7, 2 ** -149]);
        expect([...readFloats(t('d'), 1, 3)]).toEqual([-1e300, 5e-324, 2]);
        expect([...readIntegers(t('i'), 0, 5)]).toEqual([...int32]);
        expect([...readIntegers(t('i'), 3, 2)]).toEqual([-2147483648, 300]);
        expect([...readIntegers(t('l'), 1, 2)]).toEqual([70000, 5]);
        expect([...t('s').read(1, 1)]).toEqual([...bytesOf(Float32Array.of(-3.25))]);
      });
    });
  }

  it('reads a tensor larger than the 64 KiB header window and the end-record search, stored and deflated', () => {
    const large = Float32Array.from({ length: 20_000 }, (_, i) => i * 0.25 - 7);
    for (const method of [0, 8]) {
      withNpz(writeNpz([{ name: 'big.npy', bytes: npyBytes('<f4', [100, 200], bytesOf(large)), method }]), (file) => {
        const big = file.tensors.get('big')!;
        expect(big.shape).toEqual([100, 200]);
        expect([...readFloats(big, 19_998, 2)]).toEqual([19_998 * 0.25 - 7, 19_999 * 0.25 - 7]);
        expect([...readFloats(big, 0, 20_000)]).toEqual([...large]);
      });
    }
  });

  it('reads a .npy header padded to 64 KiB (the largest a format 1.0 header can be)', () => {
    const padded = npyBytes('<f4', [2], bytesOf(Float32Array.of(5, 6)));
    const headerEnd = padded.length - 8;
    const big = new Uint8Array(65536 + 8);
    big.set(padded.subarray(0, headerEnd - 1));
    big.fill(0x20, headerEnd - 1, 65535);
    big[65535] = 0x0a;
    new DataView(big.buffer).setUint16(8, 65536 - 10, true);
    big.set(padded.subarray(headerEnd), 65536);
    for (const method of [0, 8])
      withNpz(writeNpz([{ name: 'p.npy', bytes: big, method }]), (file) =>
        expect([...readFloats(file.tensors.get('p')!, 0, 2)]).toEqual([5, 6]),
      );
  });

  it('an archive with no entries opens empty (its end record is the whole file)', () => {
    const bytes = zipArchive([]);
    expect(bytes.length).toBe(22);
    withNpz(writeBytes(bytes), (file) => {
      expect(file.tensors.size).toBe(0);
      expect(file.metadata).toEqual({});
    });
  });

  it('skips archive and entry comments and local extra fields', () => {
    const members: ZipMember[] = [
      { name: 'a.npy', bytes: npyBytes('<f8', [2], bytesOf(Float64Array.of(1, 2))), comment: 'first', localExtra: 9 },
      { name: 'b.npy', bytes: npyBytes('<f8', [1], bytesOf(Float64Array.of(3))), comment: 'x'.repeat(300) },
      { name: 'c.npy', bytes: npyBytes('<f8', [1], bytesOf(Float64Array.of(4))), method: 8, localExtra: 300 },
    ];
    withNpz(writeNpz(members, { comment: 'written by a test' }), (file) => {
      expect([...file.tensors.keys()]).toEqual(['a', 'b', 'c']);
      expect([...readFloats(file.tensors.get('a')!, 0, 2)]).toEqual([1, 2]);
      expect([...readFloats(file.tensors.get('b')!, 0, 1)]).toEqual([3]);
      expect([...readFloats(file.tensors.get('c')!, 0, 1)]).toEqual([4]);
    });
  });

  it('close releases the file: reading afterwards fails', () => {
    const file = openNpz(writeNpz(tensorMembers(0)));
    const d = file.tensors.get('d')!;
    file.close();
    expect(() => d.read(0, 1)).toThrow();
  });
});

describe('openNpz: zip64', () => {
  const a = npyBytes('<f4', [3], bytesOf(Float32Array.of(1, 2, 3)));
  const b = npyBytes('<i8', [2], bytesOf(BigInt64Array.of(9n, -9n)));

  it('reads the entry count and directory from the zip64 end record', () => {
    withNpz(
      writeNpz(
        [
          { name: 'a.npy', bytes: a },
          { name: 'b.npy', bytes: b },
        ],
        { zip64End: true },
      ),
      (file) => {
        expect([...file.tensors.keys()]).toEqual(['a', 'b']);
        expect([...readIntegers(file.tensors.get('b')!, 0, 2)]).toEqual([9, -9]);
      },
    );
  });

  it('reads whichever sizes overflowed from the zip64 extra field, in zip order, past other extra fields', () => {
    const members: ZipMember[] = [
      { name: 'a.npy', bytes: a, zip64: ['size', 'compressed', 'offset'] },
      { name: 'b.npy', bytes: b, zip64: ['offset'], otherExtra: true },
      { name: 'c.npy', bytes: a, method: 8, zip64: ['compressed'] },
      { name: 'd.npy', bytes: b, zip64: ['size', 'offset'], otherExtra: true },
      { name: 'a-name-longer-than-its-extra-field.npy', bytes: a, zip64: ['offset'] },
    ];
    withNpz(writeNpz(members, { zip64End: true }), (file) => {
      expect([...file.tensors.keys()]).toEqual(['a', 'b', 'c', 'd', 'a-name-longer-than-its-extra-field']);
      expect([...readFloats(file.tensors.get('a-name-longer-than-its-extra-field')!, 2, 1)]).toEqual([3]);
      expect([...readFloats(file.tensors.get('a')!, 0, 3)]).toEqual([1, 2, 3]);
      expect([...readIntegers(file.tensors.get('b')!, 0, 2)]).toEqual([9, -9]);
      expect([...readFloats(file.tensors.get('c')!, 0, 3)]).toEqual([1, 2, 3]);
      expect([...readIntegers(file.tensors.get('d')!, 1, 1)]).toEqual([-9]);
    });
  });

  it('a 64-bit size is read whole (both 32-bit halves)', () => {
    const path = writeNpz([{ name: 'a.npy', bytes: a, method: 8, declaredSize: 2 ** 32 + 5, zip64: ['size'] }]);
    expect(refusal(path).message).toBe(
      `tensor "a.npy": inflates to ${a.length} bytes, the archive says ${2 ** 32 + 5}`,
    );
  });

  it('finds the zip64 locator at the very start of the 64 KiB window searched for the end record', () => {
    // A 65515-byte archive comment puts the end record 20 bytes into the last 65557 bytes.
    const path = writeNpz([{ name: 'a.npy', bytes: a }], { zip64End: true, comment: 'c'.repeat(65515) });
    withNpz(path, (file) => expect([...readFloats(file.tensors.get('a')!, 0, 3)]).toEqual([1, 2, 3]));
  });

  it('refuses a locator that points at no zip64 end record', () => {
    const path = writeNpz([{ name: 'a.npy', bytes: a }], { zip64End: true, badZip64End: true });
    expect(refusal(path).message).toBe('tensor "archive": malformed zip64 end record');
  });
});

describe('openNpz: metadata', () => {
  const x = { name: 'x.npy', bytes: npyBytes('<f4', [1], bytesOf(Float32Array.of(1))) };
  const json = (text: string): ZipMember => ({ name: 'meta.json', bytes: new TextEncoder().encode(text) });

  it('meta.json: a JSON object, every value as a string', () => {
    const path = writeNpz([x, json('{"accumulation": "fp32", "sum_block": 256, "exact": true}')]);
    withNpz(path, (file) => {
      expect(file.metadata).toEqual({ accumulation: 'fp32', sum_block: '256', exact: 'true' });
      expect([...file.tensors.keys()]).toEqual(['x']);
    });
  });

  it('meta.npy: a 0-d unicode array, zero padding dropped, code points beyond 16 bits kept', () => {
    const meta = '{"dtype": "fp16", "note": "π ≈ 3.14 😀"}';
    const path = writeNpz([{ name: 'meta.npy', bytes: unicodeNpy(meta, [...meta].length + 4), method: 8 }, x]);
    withNpz(path, (file) => expect(file.metadata).toEqual({ dtype: 'fp16', note: 'π ≈ 3.14 😀' }));
  });

  it('refuses metadata that is not a JSON object, naming its entry', () => {
    expect(refusal(writeNpz([x, json('{"dtype": ')])).message).toMatch(
      /^meta\.json: expected a JSON object of metadata, received invalid JSON \(.+\)/,
    );
    expect(refusal(writeNpz([x, json('[1, 2]')])).message).toMatch(
      /^meta\.json: expected a JSON object of metadata, received \[1,2\]/,
    );
    expect(refusal(writeNpz([x, json('null')])).message).toMatch(/^meta\.json: expected .*, received null/);
    expect(refusal(writeNpz([x, json('"fp32"')])).message).toMatch(/^meta\.json: expected .*, received "fp32"/);
    expect(refusal(writeNpz([x, { name: 'meta.npy', bytes: unicodeNpy('[3]') }])).message).toMatch(
      /^meta: expected a JSON object of metadata, received \[3\]/,
    );
  });

  it('metadata refusals are of kind type; a meta.npy that is not .npy is named meta', () => {
    const kind = (path: string) => {
      try {
        openNpz(path).close();
      } catch (e) {
        return (e as InvalidArgumentError).problem;
      }
      return 'accepted';
    };
    expect(kind(writeNpz([x, json('{')]))).toBe('type');
    expect(kind(writeNpz([x, json('[]')]))).toBe('type');
    expect(kind(writeNpz([x, { name: 'meta.npy', bytes: npyBytes('<f8', [], new Uint8Array(8)) }]))).toBe('type');
    expect(refusal(writeNpz([x, { name: 'meta.npy', bytes: new Uint8Array(16) }])).message).toBe(
      'tensor "meta": not a .npy file (missing the \\x93NUMPY magic)',
    );
    expect(
      refusal(writeNpz([x, { name: 'meta.npy', bytes: npyBytes('<U2', [1, 2], new Uint8Array(16)) }])).message,
    ).toMatch(/received dtype <U2, shape \[1, 2\]$/);
  });

  it('a partial code unit after the string is ignored', () => {
    const meta = unicodeNpy('{"a": 1}');
    const withTail = new Uint8Array(meta.length + 2);
    withTail.set(meta);
    withTail.set([0x41, 0], meta.length);
    withNpz(writeNpz([x, { name: 'meta.npy', bytes: withTail }]), (file) => expect(file.metadata).toEqual({ a: '1' }));
  });

  it('refuses a meta.npy that is not a 0-d unicode array', () => {
    const meta = (descr: string, shape: number[]) =>
      writeNpz([x, { name: 'meta.npy', bytes: npyBytes(descr, shape, new Uint8Array(8)) }]);
    expect(refusal(meta('<f8', [])).message).toMatch(
      /^meta: expected a 0-d unicode string array \(np\.savez\(\.\.\., meta=json\.dumps\(meta\)\)\), received dtype <f8, shape \[\]/,
    );
    expect(refusal(meta('<U2', [1])).message).toMatch(/received dtype <U2, shape \[1\]/);
    expect(refusal(meta('x<U2', [])).message).toMatch(/received dtype x<U2, shape \[\]/);
    expect(refusal(meta('<U2x', [])).message).toMatch(/received dtype <U2x, shape \[\]/);
    expect(refusal(meta('<U', [])).message).toMatch(/received dtype <U, shape \[\]/);
  });
});

describe('openNpz: malformed archives', () => {
  const a = npyBytes('<f4', [3], bytesOf(Float32Array.of(1, 2, 3)));

  it('refuses a file with no end-of-central-directory record', () => {
    expect(refusal(writeBytes(new Uint8Array(100).fill(7))).message).toBe(
      'tensor "archive": not a zip (.npz) file: no end-of-central-directory record',
    );
    expect(refusal(writeBytes(Uint8Array.of(0x50, 0x4b, 3, 4))).message).toMatch(/no end-of-central-directory record/);
  });

  it('refuses a directory that lies past the end of the file', () => {
    const bytes = zipArchive([{ name: 'a.npy', bytes: a }]);
    const view = new DataView(bytes.buffer);
    const directoryLength = view.getUint32(bytes.length - 22 + 12, true);
    view.setUint32(bytes.length - 22 + 16, 5000, true);
    expect(refusal(writeBytes(bytes)).message).toBe(
      `tensor "archive": truncated: ${directoryLength} bytes wanted at offset 5000, the file ends after 0`,
    );
  });

  it('refuses a broken directory entry or local header, naming it', () => {
    const members: ZipMember[] = [
      { name: 'a.npy', bytes: a },
      { name: 'b.npy', bytes: a },
    ];
    const bytes = zipArchive(members);
    const view = new DataView(bytes.buffer);
    const directory = view.getUint32(bytes.length - 22 + 16, true);
    const second = directory + 46 + 'a.npy'.length;
    const broken = bytes.slice();
    broken[second] = 0;
    expect(refusal(writeBytes(broken)).message).toBe('tensor "archive": malformed central directory entry 1');
    const local = bytes.slice();
    local[0] = 0;
    expect(refusal(writeBytes(local)).message).toBe('tensor "a.npy": malformed zip local header');
  });

  it('refuses compression other than stored or deflate, and a deflated entry of the wrong size', () => {
    expect(refusal(writeNpz([{ name: 'a.npy', bytes: a, method: 12 }])).message).toBe(
      'tensor "a.npy": zip compression method 12 is not supported (stored or deflate)',
    );
    expect(refusal(writeNpz([{ name: 'a.npy', bytes: a, method: 8, declaredSize: a.length + 1 }])).message).toBe(
      `tensor "a.npy": inflates to ${a.length} bytes, the archive says ${a.length + 1}`,
    );
  });

  it('refuses entries that are not NAME.npy or metadata', () => {
    expect(refusal(writeNpz([{ name: 'notes.txt', bytes: a }])).message).toBe(
      'tensor "notes.txt": unexpected archive entry (expected NAME.npy, meta.npy or meta.json)',
    );
  });

  it('refuses dtypes it does not read, and data of the wrong length', () => {
    expect(refusal(writeNpz([{ name: 'u.npy', bytes: npyBytes('<u1', [3], new Uint8Array(3)) }])).message).toBe(
      'tensor "u": dtype <u1 is not supported (expected <f2, <f4, <f8, <i4 or <i8; store bf16 as float32 and declare dtype bf16)',
    );
    expect(refusal(writeNpz([{ name: 'f.npy', bytes: npyBytes('<f4', [3], new Uint8Array(8)) }])).message).toBe(
      'tensor "f": shape [3] of <f4 needs 12 bytes, the entry has 8',
    );
    expect(refusal(writeNpz([{ name: 'f.npy', bytes: npyBytes('<f4', [1, 2], new Uint8Array(12)) }])).message).toBe(
      'tensor "f": shape [1, 2] of <f4 needs 8 bytes, the entry has 12',
    );
  });

  it('closes the file when it refuses one', () => {
    const paths = [
      writeBytes(new Uint8Array(100)),
      writeNpz([{ name: 'notes.txt', bytes: a }]),
      writeNpz([{ name: 'a.npy', bytes: a, method: 12 }]),
    ];
    const open = readdirSync('/proc/self/fd').length;
    for (const path of paths) for (let i = 0; i < 3; i++) refusal(path);
    expect(readdirSync('/proc/self/fd').length).toBe(open);
  });
});
