// Fuzzes every native entry point with malformed arguments: each must be rejected with a
// JavaScript exception that names the argument (code ERR_PRHS_INVALID_ARGUMENT), never a crash or
// an out-of-bounds access (run under AddressSanitizer by `npm run test:asan`).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adviseHugePages, loadNativeAddon, type NativeAddon } from '../../src/backends/nativeAddon.js';

const load = loadNativeAddon('native', 'prhs_native.node', 'PRHS_NATIVE_ADDON');
const addon = load.ok ? load.addon : undefined;
const runs = Number(process.env.PRHS_FUZZ_RUNS ?? 300);

type Options = Record<string, unknown>;
type EntryPoint =
  | 'scores'
  | 'decodeAttention'
  | 'sparseAttention'
  | 'droppedMass'
  | 'topK'
  | 'pageSummaries'
  | 'certifiedDroppedMass'
  | 'roundToStorage'
  | 'widenStorage'
  | 'memcpySeconds'
  | 'evictCaches'
  | 'gatherSeconds';

/** A valid call of each entry point (small shapes), built fresh for every run. */
function validCall(entry: EntryPoint, dtype: 'fp32' | 'fp16' | 'bf16'): Options {
  const s = { batch: 2, queryHeads: 4, kvHeads: 2, tokens: 9, headDim: 3, valueDim: 2 };
  const storage = (n: number) =>
    dtype === 'fp32'
      ? Float32Array.from({ length: n }, (_, i) => Math.sin(i))
      : Uint16Array.from({ length: n }, (_, i) => 0x3c00 + (i % 64));
  const base = {
    dtype,
    ...s,
    scale: 0.5,
    query: storage(s.batch * s.queryHeads * s.headDim),
    keys: storage(s.batch * s.kvHeads * s.tokens * s.headDim),
    values: storage(s.batch * s.kvHeads * s.tokens * s.valueDim),
  };
  const indices = Int32Array.from({ length: s.batch * s.queryHeads * 3 }, (_, i) =>
    (i * 5) % 9 === 0 && i % 3 === 2 ? -1 : ((i % 3) * 3 + Math.floor(i / 3)) % 9,
  );
  switch (entry) {
    case 'scores':
    case 'decodeAttention':
      return base;
    case 'sparseAttention':
    case 'droppedMass':
      return { ...base, indices, selected: 3 };
    case 'topK':
      return { scores: Float32Array.from({ length: 20 }, (_, i) => (i * 7) % 5), rows: 2, columns: 10, k: 3 };
    case 'pageSummaries':
      return { ...base, pageSize: 4 };
    case 'certifiedDroppedMass': {
      const summaries = addon!.pageSummaries({ ...base, pageSize: 4 });
      return {
        ...base,
        indices,
        selected: 3,
        pageSize: 4,
        kind: 'min',
        minimum: summaries.minimum,
        maximum: summaries.maximum,
        center: summaries.center,
        radius: summaries.radius,
      };
    }
    case 'roundToStorage':
      return { dtype: dtype === 'fp32' ? 'fp16' : dtype, values: Float32Array.from([1, 2.5, 1e9, -0]) };
    case 'widenStorage':
      return { dtype: dtype === 'fp32' ? 'bf16' : dtype, bits: Uint16Array.from([0x3c00, 0x7c00, 1]) };
    case 'memcpySeconds':
      return { bytes: 4096, repeats: 1, hugePages: dtype === 'fp16', evictBytes: 8192 };
    case 'evictCaches':
      return { bytes: 8192 };
    case 'gatherSeconds':
      return {
        array: base.keys,
        rowBytes: dtype === 'fp32' ? 12 : 6,
        indices: Int32Array.from([5, 0, 35, 5]),
        prefetchRows: 2,
        streams: 3,
      };
  }
}

const entryPoints: EntryPoint[] = [
  'scores',
  'decodeAttention',
  'sparseAttention',
  'droppedMass',
  'topK',
  'pageSummaries',
  'certifiedDroppedMass',
  'roundToStorage',
  'widenStorage',
  'memcpySeconds',
  'evictCaches',
  'gatherSeconds',
];

function detached(): Float32Array {
  const a = new Float32Array(8);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

/** A replacement value for a field: wrong type, wrong length, out of range, detached or shared. */
const badValue = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, 'fp64', '', {}, [], true, () => 1, Symbol('x'), 1n),
  fc.constantFrom(-1, 0, 1.5, Number.NaN, Infinity, -Infinity, 2 ** 31, 2 ** 31 - 1, 2 ** 53, -(2 ** 31), 1e300),
  fc.integer({ min: -5, max: 40 }),
  fc
    .constantFrom(
      'detached',
      'shared',
      'float64',
      'int8',
      'empty',
      'short',
      'long',
      'huge-index',
      'minus-two',
      'duplicate',
      'all-padding',
      'overlap',
    )
    .map((tag) => ({ tag })),
);

function materialise(bad: unknown, field: string, call: Options): unknown {
  if (bad === null || typeof bad !== 'object' || !('tag' in (bad as object))) return bad;
  const current = call[field];
  const length = ArrayBuffer.isView(current) ? (current as Float32Array).length : 4;
  const Kind = ArrayBuffer.isView(current)
    ? (current.constructor as new (n: number | ArrayBuffer) => Float32Array)
    : Float32Array;
  switch ((bad as { tag: string }).tag) {
    case 'detached':
      return detached();
    case 'shared':
      return new Kind(new SharedArrayBuffer(length * 8) as unknown as ArrayBuffer).subarray(0, length);
    case 'float64':
      return new Float64Array(length);
    case 'int8':
      return new Int8Array(length);
    case 'empty':
      return new Kind(0);
    case 'short':
      return new Kind(Math.max(0, length - 1));
    case 'long':
      return new Kind(length + 1);
    case 'huge-index':
      return Int32Array.from({ length }, () => 2 ** 31 - 1);
    case 'minus-two':
      return Int32Array.from({ length }, (_, i) => (i === 0 ? -2 : i % 9));
    case 'duplicate':
      return Int32Array.from({ length }, () => 1);
    case 'all-padding':
      return new Int32Array(length).fill(-1);
    case 'overlap': {
      const input = (call.keys ?? call.scores ?? call.values ?? call.bits) as Float32Array | undefined;
      // An earlier edit may have replaced that input with a detached array: nothing left to alias.
      const aliasable = ArrayBuffer.isView(input) && input.buffer.byteLength > 0;
      return aliasable
        ? new Float32Array(input.buffer, input.byteOffset, Math.floor(input.byteLength / 4))
        : new Float32Array(1);
    }
  }
  return bad;
}

const knownArguments =
  /^(options|dtype|query|keys|values|batch|queryHeads|kvHeads|tokens|headDim|valueDim|scale|indices(\[\d+\])?|selected|out|scores|rows|columns|k|pageSize|minimum|maximum|center|radius|kind|bits|bytes|repeats|hugePages|evictBytes|array|rowBytes|prefetchRows|streams): expected /;

function expectRejectedOrFine(addon: NativeAddon, entry: EntryPoint, call: Options): void {
  try {
    (addon[entry] as (o: Options) => unknown)(call);
  } catch (error) {
    const e = error as { code?: string; message?: string; argument?: string };
    if (e.code !== 'ERR_PRHS_INVALID_ARGUMENT') {
      // Allowed: a BigInt or Symbol cannot be described... but must still be a plain JS error.
      expect(error).toBeInstanceOf(Error);
      return;
    }
    expect(e.message).toMatch(knownArguments);
    expect(e.message!.startsWith(e.argument!)).toBe(true);
  }
}

describe.runIf(addon !== undefined)('native entry points under malformed arguments', () => {
  it('valid calls succeed on every entry point and dtype', () => {
    for (const entry of entryPoints)
      for (const dtype of ['fp32', 'fp16', 'bf16'] as const)
        expect(() => (addon![entry] as (o: Options) => unknown)(validCall(entry, dtype))).not.toThrow();
  });

  it('one corrupted field: a named JavaScript exception, never a crash', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...entryPoints),
        fc.constantFrom('fp32', 'fp16', 'bf16'),
        fc.nat(),
        badValue,
        (entry, dtype, which, bad) => {
          const call = validCall(entry, dtype as 'fp32');
          const fields = [...Object.keys(call), 'out'];
          const field = fields[which % fields.length]!;
          call[field] = materialise(bad, field, call);
          expectRejectedOrFine(addon!, entry, call);
        },
      ),
      { numRuns: runs },
    );
  });

  it('several corrupted fields at once', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...entryPoints),
        fc.array(fc.tuple(fc.nat(), badValue), { minLength: 2, maxLength: 4 }),
        (entry, edits) => {
          const call = validCall(entry, 'fp16');
          const fields = [...Object.keys(call), 'out'];
          for (const [which, bad] of edits) {
            const field = fields[which % fields.length]!;
            call[field] = materialise(bad, field, call);
          }
          expectRejectedOrFine(addon!, entry, call);
        },
      ),
      { numRuns: runs },
    );
  });

  it('negative or huge k, and k just past the row length', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -(2 ** 31), max: -1 }), fc.integer({ min: 11, max: 2 ** 31 }), fc.constant(2 ** 53)),
        (k) => {
          expect(() => addon!.topK({ ...validCall('topK', 'fp32'), k })).toThrow(/^k: expected/);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('out-of-range, -2 and duplicate indices are named with their position', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 23 }),
        fc.oneof(fc.integer({ min: 9, max: 2 ** 31 - 1 }), fc.integer({ min: -(2 ** 31), max: -2 })),
        (position, index) => {
          const call = validCall('sparseAttention', 'bf16');
          (call.indices as Int32Array)[position] = index;
          expect(() => addon!.sparseAttention(call)).toThrow(
            new RegExp(`^indices\\[${position}\\]: expected an index in \\[0, 9\\)`),
          );
        },
      ),
      { numRuns: 50 },
    );
    const call = validCall('droppedMass', 'fp32');
    (call.indices as Int32Array).set([4, 4], 0);
    expect(() => addon!.droppedMass(call)).toThrow(/^indices\[1\]: expected distinct indices/);
    const padded = validCall('sparseAttention', 'fp32');
    (padded.indices as Int32Array).fill(-1, 0, 3);
    expect(() => addon!.sparseAttention(padded)).toThrow(/^indices: expected at least one index/);
    expect(() => addon!.droppedMass({ ...padded })).not.toThrow(); // δ of an empty kept set is 1: allowed
  });

  it('index lists, sorted or not: rejected exactly at the first bad position, else accepted', () => {
    // The binding accepts a strictly increasing row in one pass and checks any other row position by
    // position; both must give the verdict of this plain reading of the rule.
    const row = fc.array(fc.integer({ min: -2, max: 10 }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(fc.array(fc.tuple(row, fc.boolean()), { minLength: 8, maxLength: 8 }), (rows) => {
        const lists = rows.map(([list, sort]) => (sort ? [...list].sort((a, b) => a - b) : list));
        const indices = Int32Array.from(lists.flat());
        let expected: RegExp | null = null;
        for (let r = 0; r < lists.length && !expected; r++) {
          const seen = new Set<number>();
          for (let j = 0; j < 3 && !expected; j++) {
            const i = lists[r]![j]!;
            if (i === -1) continue;
            if (i < 0 || i >= 9) expected = new RegExp(`^indices\\[${r * 3 + j}\\]: expected an index in`);
            else if (seen.has(i)) expected = new RegExp(`^indices\\[${r * 3 + j}\\]: expected distinct indices`);
            seen.add(i);
          }
          if (!expected && seen.size === 0) expected = /^indices: expected at least one index/;
        }
        const call = { ...validCall('sparseAttention', 'fp16'), indices };
        if (expected) expect(() => addon!.sparseAttention(call)).toThrow(expected);
        else expect(() => addon!.sparseAttention(call)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('a getter that detaches an array after it was read is caught (no use-after-free)', () => {
    const call = validCall('decodeAttention', 'fp32');
    const keys = call.keys as Float32Array;
    Object.defineProperty(call, 'scale', {
      get: () => (structuredClone(keys.buffer, { transfer: [keys.buffer as ArrayBuffer] }), 0.5),
      enumerable: true,
    });
    expect(() => addon!.decodeAttention(call)).toThrow(
      /^keys: expected .* received an array whose ArrayBuffer is detached/,
    );
  });

  it('outputs may not overlap inputs or be shared', () => {
    const call = validCall('decodeAttention', 'fp32');
    const keys = call.keys as Float32Array;
    expect(() => addon!.decodeAttention({ ...call, out: keys.subarray(0, 16) })).toThrow(
      /^out: expected memory not shared/,
    );
    expect(() => addon!.decodeAttention({ ...call, out: new Float32Array(new SharedArrayBuffer(64)) })).toThrow(
      /^out: .*SharedArrayBuffer/,
    );
    const out = new Float32Array(16);
    expect(addon!.decodeAttention({ ...call, out })).toBe(out);
  });

  it('adviseHugePages: typed arrays only, never detached; a byte count that fits inside the array', () => {
    const advise = addon!.adviseHugePages!;
    expect(typeof advise).toBe('function');
    const rejected = fc.oneof(
      fc.constantFrom<unknown>(
        undefined,
        null,
        'fp16',
        '',
        {},
        [],
        true,
        () => 1,
        1n,
        0,
        -1,
        Number.NaN,
        new ArrayBuffer(16),
        new DataView(new ArrayBuffer(16)),
      ),
      fc.constant('detached').map(() => detached()),
    );
    fc.assert(
      fc.property(rejected, (bad) => {
        expect(() => advise(bad as ArrayBufferView)).toThrow(/^array: expected a TypedArray/);
      }),
      { numRuns: 50 },
    );
    expect(() => (advise as () => number)()).toThrow(/^array: expected a TypedArray, received undefined/);
    const kinds = [Int8Array, Uint8Array, Uint16Array, Int32Array, Float32Array, Float64Array, BigInt64Array] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.nat({ max: 3 * 2 ** 20 }),
        fc.nat({ max: 7 }),
        fc.boolean(),
        (Kind, length, offset, shared) => {
          const bytes = (length + offset) * Kind.BYTES_PER_ELEMENT;
          const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
          const array = new Kind(buffer as ArrayBuffer, offset * Kind.BYTES_PER_ELEMENT, length);
          const advised = adviseHugePages(addon!, array);
          expect(Number.isInteger(advised) && advised >= 0 && advised <= array.byteLength).toBe(true);
          expect(advised % 2 ** 21).toBe(0);
        },
      ),
      { numRuns: 30 },
    );
    expect(advise(new Float32Array(0))).toBe(0);
    expect(advise(new Uint8Array(3))).toBe(0);
    const huge = new Uint16Array(2 ** 27); // 256 MiB: all of it but the two partial 2 MiB ends
    const advised = advise(huge);
    expect(advised === 0 || advised >= 2 ** 28 - 2 ** 22).toBe(true);
    expect(huge[2 ** 26]).toBe(0);
  });

  it('gatherSeconds: every index names a whole row inside the array, whatever its type or offset', () => {
    const gather = addon!.gatherSeconds!;
    fc.assert(
      fc.property(
        fc.constantFrom(Uint8Array, Uint16Array, Float32Array, Float64Array),
        fc.nat({ max: 64 }),
        fc.nat({ max: 3 }),
        fc.integer({ min: 1, max: 48 }),
        fc.array(fc.integer({ min: -3, max: 70 }), { maxLength: 12 }),
        fc.nat({ max: 20 }),
        fc.integer({ min: 1, max: 5 }),
        (Kind, length, offset, rowBytes, list, prefetchRows, streams) => {
          const buffer = new ArrayBuffer((length + offset) * Kind.BYTES_PER_ELEMENT);
          const array = new Kind(buffer, offset * Kind.BYTES_PER_ELEMENT, length);
          const rows = Math.floor(array.byteLength / rowBytes);
          const indices = Int32Array.from(list);
          const bad = list.findIndex((i) => i < 0 || i >= rows);
          if (bad >= 0) {
            expect(() => gather({ array, rowBytes, indices, prefetchRows, streams })).toThrow(
              new RegExp(`^indices\\[${bad}\\]: expected a row in \\[0, ${rows}\\)`),
            );
          } else {
            const seconds = gather({ array, rowBytes, indices, prefetchRows, streams });
            expect(Number.isFinite(seconds) && seconds >= 0).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
    expect(() => gather({ array: detached(), rowBytes: 4, indices: new Int32Array(0), prefetchRows: 0 })).toThrow(
      /^array: expected a TypedArray/,
    );
    expect(() => addon!.evictCaches!({ bytes: 2 ** 30 + 1 })).toThrow(
      /^bytes: expected an integer in \[1, 1073741824\]/,
    );
    expect(() => addon!.memcpySeconds({ bytes: 64, repeats: 1, hugePages: 1 })).toThrow(
      /^hugePages: expected a boolean/,
    );
  });

  it('shape fields that overflow or disagree are rejected before any read', () => {
    const call = validCall('decodeAttention', 'fp32');
    expect(() => addon!.decodeAttention({ ...call, kvHeads: 3 })).toThrow(/^kvHeads: expected a divisor/);
    expect(() => addon!.decodeAttention({ ...call, tokens: 2 ** 31 - 1, queryHeads: 2 ** 20, kvHeads: 1 })).toThrow(
      RangeError,
    );
    expect(() => addon!.decodeAttention({ ...call, headDim: 2 ** 20 })).toThrow(/^query: expected/);
  });
});
