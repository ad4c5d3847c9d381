// The head groups of a stored case: each KV head with the query heads that read it, decoded
// exactly on first use into buffers reused from group to group, the stored keys and values as they
// are when asked for, only the groups asked for, and values the storage dtype cannot hold refused.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { encodeStorage } from '../../src/numeric/storage.js';
import { forEachHeadGroup, type HeadGroup } from '../../src/verify/headGroups.js';
import { readOutputCase, type OutputCase } from '../../src/verify/outputCase.js';
import { writeCase, type CaseTensor } from './caseFiles.js';

// batch 2, 4 query heads, 2 KV heads, 3 tokens, d = 2, dv = 2: element e of each tensor is e/4 (exact in fp16).
const ramp = (n: number) => Float32Array.from({ length: n }, (_, e) => e / 4);
const tensors = (): Record<string, CaseTensor> => ({
  q: { shape: [2, 4, 2], data: ramp(16) },
  k: { shape: [2, 2, 3, 2], data: ramp(24) },
  v: { shape: [2, 2, 3, 2], data: ramp(24) },
  out: { shape: [2, 4, 2], data: new Float32Array(16) },
});

function withCase<T>(t: Record<string, CaseTensor>, metadata: Record<string, string>, use: (c: OutputCase) => T): T {
  const c = readOutputCase(writeCase(t, metadata));
  try {
    return use(c);
  } finally {
    c.close();
  }
}

interface Seen {
  batch: number;
  kvHead: number;
  firstRow: number;
  query: number[];
  keys: number[];
  values: number[];
  lists: number[] | null;
}

function visitAll(c: OutputCase, options = {}): { seen: Seen[]; groups: HeadGroup[] } {
  const seen: Seen[] = [];
  const groups: HeadGroup[] = [];
  forEachHeadGroup(
    c,
    (g) => {
      groups.push(g);
      seen.push({
        batch: g.batch,
        kvHead: g.kvHead,
        firstRow: g.firstRow,
        query: Array.from(g.query),
        keys: Array.from(g.x.keys),
        values: Array.from(g.x.values),
        lists: g.lists ? Array.from(g.lists.indices) : null,
      });
    },
    options,
  );
  return { seen, groups };
}

const slice = (n: number, from: number, count: number) => Array.from(ramp(n).subarray(from, from + count));

describe('forEachHeadGroup', () => {
  it('visits the groups batch-major, each with its query heads, keys and values', () => {
    withCase(tensors(), {}, (c) => {
      const { seen, groups } = visitAll(c);
      expect(seen.map((s) => [s.batch, s.kvHead, s.firstRow])).toEqual([
        [0, 0, 0],
        [0, 1, 2],
        [1, 0, 4],
        [1, 1, 6],
      ]);
      seen.forEach((s, cache) => {
        expect(s.query).toEqual(slice(16, s.firstRow * 2, 4));
        expect(s.keys).toEqual(slice(24, cache * 6, 6));
        expect(s.values).toEqual(slice(24, cache * 6, 6));
        expect(s.lists).toBeNull();
      });
      expect(groups[3]!.x.shape).toEqual({ batch: 1, queryHeads: 2, kvHeads: 1, tokens: 3, headDim: 2, valueDim: 2 });
      expect(groups[3]!.x.scale).toBe(c.scale);
      // One KV head in memory at a time: the decoded keys and values are reused from group to group.
      expect(groups[0]!.x.keys).toBe(groups[3]!.x.keys);
      expect(groups[0]!.x.values).toBe(groups[3]!.x.values);
      expect(groups[0]!.raw).toBeNull();
    });
  });

  it("each group's rows of the index lists", () => {
    const indices = Int32Array.from({ length: 16 }, (_, e) => (e % 2 === 0 ? e % 3 : -1));
    withCase({ ...tensors(), indices: { shape: [2, 4, 2], data: indices } }, {}, (c) => {
      const { seen } = visitAll(c);
      seen.forEach((s) => expect(s.lists).toEqual(Array.from(indices.subarray(s.firstRow * 2, s.firstRow * 2 + 4))));
    });
  });

  it('only the groups asked for', () => {
    withCase(tensors(), {}, (c) => {
      const { seen } = visitAll(c, { include: (index: number) => index === 1 || index === 2 });
      expect(seen.map((s) => [s.batch, s.kvHead])).toEqual([
        [0, 1],
        [1, 0],
      ]);
      expect(seen[1]!.keys).toEqual(slice(24, 12, 6));
    });
  });

  it('the stored keys and values as they are, when asked for and stored in the storage dtype', () => {
    withCase(tensors(), {}, (c) => {
      const { groups } = visitAll(c, { raw: true });
      const raw = groups[2]!.raw!;
      expect(raw.keys).toBeInstanceOf(Float32Array);
      expect(Array.from(raw.keys)).toEqual(slice(24, 12, 6));
      expect(Array.from(raw.values!)).toEqual(slice(24, 12, 6));
    });
    const half = tensors();
    const f16 = (t: CaseTensor): CaseTensor => ({
      shape: t.shape,
      data: encodeStorage('fp16', t.data as Float32Array) as Uint16Array,
      dtype: 'F16',
    });
    withCase({ ...half, q: f16(half.q!), k: f16(half.k!), v: f16(half.v!) }, {}, (c) => {
      const raw = visitAll(c, { raw: true }).groups[1]!.raw!;
      expect(raw.keys).toBeInstanceOf(Uint16Array);
      expect(Array.from(raw.keys)).toEqual(Array.from((f16(half.k!).data as Uint16Array).subarray(6, 12)));
      expect(Array.from(raw.values!)).toEqual(Array.from((f16(half.v!).data as Uint16Array).subarray(6, 12)));
    });
    // keys without values (a scores-only case): raw keys, no raw values
    const { q, k } = tensors();
    withCase({ q: q!, k: k!, scores: { shape: [2, 4, 3], data: new Float32Array(24) } }, {}, (c) => {
      const raw = visitAll(c, { raw: true }).groups[0]!.raw!;
      expect(Array.from(raw.keys)).toEqual(slice(24, 0, 6));
      expect(raw.values).toBeNull();
    });
  });

  it('no raw cache when keys or values are not in the storage dtype, or raw was not asked for', () => {
    withCase(tensors(), { dtype: 'fp16' }, (c) => expect(visitAll(c, { raw: true }).groups[0]!.raw).toBeNull());
    const t = tensors();
    const f16v: CaseTensor = {
      shape: t.v!.shape,
      data: encodeStorage('fp16', t.v!.data as Float32Array) as Uint16Array,
      dtype: 'F16',
    };
    withCase({ ...t, v: f16v }, {}, (c) => expect(visitAll(c, { raw: true }).groups[0]!.raw).toBeNull());
    const f16k: CaseTensor = {
      shape: t.k!.shape,
      data: encodeStorage('fp16', t.k!.data as Float32Array) as Uint16Array,
      dtype: 'F16',
    };
    withCase({ ...t, k: f16k }, {}, (c) => expect(visitAll(c, { raw: true }).groups[0]!.raw).toBeNull());
    withCase(tensors(), {}, (c) => expect(visitAll(c, { raw: false }).groups[0]!.raw).toBeNull());
  });
});

describe('forEachHeadGroup: values the storage dtype cannot hold', () => {
  it('F32 values that fp16 holds exactly are read; NaN too', () => {
    const t = tensors();
    const k = Float32Array.from(t.k!.data as Float32Array);
    k[7] = Number.NaN;
    withCase({ ...t, k: { shape: t.k!.shape, data: k } }, { dtype: 'fp16' }, (c) => {
      const { seen } = visitAll(c);
      expect(seen).toHaveLength(4);
      expect(Number.isNaN(seen[1]!.keys[1])).toBe(true);
    });
  });

  it('a value fp16 cannot hold is refused at its flat index, in any group', () => {
    const t = tensors();
    const k = Float32Array.from(t.k!.data as Float32Array);
    k[19] = 0.1;
    let error: unknown;
    withCase({ ...t, k: { shape: t.k!.shape, data: k } }, { dtype: 'fp16' }, (c) => {
      try {
        visitAll(c);
      } catch (e) {
        error = e;
      }
    });
    expect(error).toBeInstanceOf(InvalidArgumentError);
    const { argument, expected, received, problem } = error as InvalidArgumentError;
    expect({ argument, expected, received, problem }).toEqual({
      argument: 'k[flat 19]',
      expected: 'a value representable in the storage dtype fp16',
      received: String(Math.fround(0.1)),
      problem: 'domain',
    });
  });
});
