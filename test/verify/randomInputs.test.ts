// The seeded inputs of the cross-checks: reproducible from the seed, of the layouts the kernels
// read, with heavy-hitter keys aligned with the first query head of their group, and index lists
// of distinct ascending tokens (padded, paged, or every token).
import { describe, expect, it } from 'vitest';
import type { AttentionShape } from '../../src/backends/kernelBackend.js';
import { decodeStorage } from '../../src/numeric/storage.js';
import {
  allIndexLists,
  gaussianSource,
  pagedIndexLists,
  randomAttentionInputs,
  randomIndexLists,
  uniformSource,
} from '../../src/verify/randomInputs.js';

const shape: AttentionShape = { batch: 2, queryHeads: 4, kvHeads: 2, tokens: 2048, headDim: 64, valueDim: 8 };

describe('randomAttentionInputs', () => {
  it('the same seed gives the same inputs; another seed others', () => {
    const small = { ...shape, tokens: 16 };
    const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const a = randomAttentionInputs('fp32', small, 7);
    const b = randomAttentionInputs('fp32', small, 7);
    const c = randomAttentionInputs('fp32', small, 8);
    for (const key of ['query', 'keys', 'values'] as const) {
      expect(bytes(b[key]).equals(bytes(a[key]))).toBe(true);
      expect(bytes(c[key]).equals(bytes(a[key]))).toBe(false);
    }
  });

  it('the documented draws, in order: queries, then per cache and token the heavy-hitter draw and the key, then values', () => {
    const s: AttentionShape = { batch: 2, queryHeads: 4, kvHeads: 2, tokens: 300, headDim: 3, valueDim: 2 };
    const seed = 11;
    const normal = gaussianSource(seed);
    const uniform = uniformSource(seed ^ 0x9e3779b9);
    const query = Array.from({ length: 2 * 4 * 3 }, () => 1.5 * normal());
    const keys: number[] = [];
    let heavyTokens = 0;
    for (let cache = 0; cache < 4; cache++) {
      const aligned = (Math.floor(cache / 2) * 4 + (cache % 2) * 2) * 3;
      for (let i = 0; i < 300; i++) {
        const heavy = uniform() < 1 / 64 ? 1 + 2 * uniform() : 0;
        if (heavy > 0) heavyTokens++;
        for (let c = 0; c < 3; c++) keys.push(normal() + heavy * query[aligned + c]!);
      }
    }
    const values = Array.from({ length: 2 * 2 * 300 * 2 }, () => normal());
    expect(heavyTokens).toBeGreaterThan(5);
    const x = randomAttentionInputs('fp32', s, seed);
    expect(Array.from(x.query)).toEqual(query.map(Math.fround));
    expect(Array.from(x.keys)).toEqual(keys.map(Math.fround));
    expect(Array.from(x.values)).toEqual(values.map(Math.fround));
  });

  it('layouts, dtypes and the scale 1/√d', () => {
    const s = { ...shape, tokens: 16 };
    const fp32 = randomAttentionInputs('fp32', s, 1);
    expect([fp32.dtype, fp32.shape, fp32.scale]).toEqual(['fp32', s, 1 / 8]);
    expect(fp32.query).toBeInstanceOf(Float32Array);
    expect([fp32.query.length, fp32.keys.length, fp32.values.length]).toEqual([
      s.batch * s.queryHeads * s.headDim,
      s.batch * s.kvHeads * s.tokens * s.headDim,
      s.batch * s.kvHeads * s.tokens * s.valueDim,
    ]);
    const fp16 = randomAttentionInputs('fp16', s, 1);
    expect(fp16.query).toBeInstanceOf(Uint16Array);
    expect(fp16.dtype).toBe('fp16');
    // The same Gaussians, rounded to each storage dtype.
    const q16 = decodeStorage('fp16', fp16.query as Uint16Array);
    q16.forEach((v, i) =>
      expect(Math.abs(v - fp32.query[i]!)).toBeLessThanOrEqual(2 ** -11 * Math.abs(fp32.query[i]!)),
    );
    expect(randomAttentionInputs('bf16', s, 1, { values: false }).values.length).toBe(0);
  });

  it('queries are 1.5 standard normals, multiplied by queryScale', () => {
    const s = { ...shape, tokens: 4 };
    const base = randomAttentionInputs('fp32', s, 2).query;
    const scaled = randomAttentionInputs('fp32', s, 2, { queryScale: 64 }).query;
    scaled.forEach((v, i) => expect(v).toBe(64 * base[i]!));
    let squares = 0;
    for (const v of base) squares += v * v;
    // 512 draws of N(0, 1.5²): the sample variance lies within 25% of 2.25.
    expect(squares / base.length).toBeGreaterThan(2.25 * 0.75);
    expect(squares / base.length).toBeLessThan(2.25 * 1.25);
  });

  it("heavy hitters: about 1 token in 64 lies along its group's first query head, between 1 and 3 times it", () => {
    const x = randomAttentionInputs('fp32', shape, 3);
    const s = shape;
    const group = s.queryHeads / s.kvHeads;
    const projections = (cache: number, head: number): number[] => {
      const q = x.query.subarray(head * s.headDim, (head + 1) * s.headDim);
      let qq = 0;
      for (const v of q) qq += v * v;
      return Array.from({ length: s.tokens }, (_, i) => {
        let dot = 0;
        for (let c = 0; c < s.headDim; c++) dot += x.keys[(cache * s.tokens + i) * s.headDim + c]! * q[c]!;
        return dot / qq;
      });
    };
    for (let cache = 0; cache < s.batch * s.kvHeads; cache++) {
      const first = Math.floor(cache / s.kvHeads) * s.queryHeads + (cache % s.kvHeads) * group;
      const along = projections(cache, first).filter((p) => p > 0.7);
      // 2048 tokens at rate 1/64: 32 expected.
      expect(along.length).toBeGreaterThan(12);
      expect(along.length).toBeLessThan(60);
      expect(Math.max(...along)).toBeLessThan(3.5);
      // The other heads' queries are independent of these keys.
      for (let head = 0; head < s.batch * s.queryHeads; head++)
        if (head !== first) expect(projections(cache, head).filter((p) => p > 0.7).length).toBeLessThan(4);
    }
  });
});

describe('index lists', () => {
  const s: AttentionShape = { ...shape, tokens: 50 };

  it('randomIndexLists: distinct ascending tokens per row, the same for the same seed', () => {
    const lists = randomIndexLists(s, 12, 5);
    expect(lists.selected).toBe(12);
    expect(lists.indices.length).toBe(8 * 12);
    for (let r = 0; r < 8; r++) {
      const row = Array.from(lists.indices.subarray(r * 12, (r + 1) * 12));
      expect(row.every((t, j) => t >= 0 && t < 50 && (j === 0 || t > row[j - 1]!))).toBe(true);
    }
    expect(randomIndexLists(s, 12, 5)).toEqual(lists);
    expect(randomIndexLists(s, 12, 6).indices).not.toEqual(lists.indices);
    const all = randomIndexLists(s, 50, 5);
    for (let r = 0; r < 8; r++)
      expect(Array.from(all.indices.subarray(r * 50, (r + 1) * 50))).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('randomIndexLists with padding: the last entry of every other row is -1; a single entry is never padding', () => {
    const plain = randomIndexLists(s, 12, 5);
    const padded = randomIndexLists(s, 12, 5, true);
    for (let r = 0; r < 8; r++) {
      const row = padded.indices.subarray(r * 12, (r + 1) * 12);
      expect(Array.from(row.subarray(0, 11))).toEqual(Array.from(plain.indices.subarray(r * 12, r * 12 + 11)));
      expect(row[11]).toBe(r % 2 === 1 ? -1 : plain.indices[r * 12 + 11]);
    }
    expect(Array.from(randomIndexLists(s, 1, 5, true).indices).every((t) => t >= 0)).toBe(true);
  });

  it('every subset is reachable: over many rows each token is chosen about as often', () => {
    const wide: AttentionShape = { ...s, batch: 25, queryHeads: 40, kvHeads: 40, tokens: 10 };
    const lists = randomIndexLists(wide, 3, 9);
    const counts = new Array<number>(10).fill(0);
    for (const t of lists.indices) counts[t]!++;
    // 1000 rows × 3 of 10 tokens: 300 each expected.
    for (const c of counts) {
      expect(c).toBeGreaterThan(240);
      expect(c).toBeLessThan(360);
    }
  });

  it('pagedIndexLists: whole pages of consecutive tokens, distinct and ascending', () => {
    const lists = pagedIndexLists(s, 8, 3, 4);
    expect(lists.selected).toBe(24);
    for (let r = 0; r < 8; r++) {
      const row = Array.from(lists.indices.subarray(r * 24, (r + 1) * 24));
      const pages = [0, 1, 2].map((p) => row[p * 8]! / 8);
      expect(pages.every((p, j) => Number.isInteger(p) && p >= 0 && p < 6 && (j === 0 || p > pages[j - 1]!))).toBe(
        true,
      );
      expect(row).toEqual(pages.flatMap((p) => Array.from({ length: 8 }, (_, t) => p * 8 + t)));
    }
    expect(pagedIndexLists(s, 8, 3, 4)).toEqual(lists);
  });

  it('allIndexLists: every token in order, for every row', () => {
    const lists = allIndexLists({ ...s, tokens: 5 });
    expect(lists.selected).toBe(5);
    expect(Array.from(lists.indices)).toEqual(new Array(8).fill([0, 1, 2, 3, 4]).flat());
  });
});
