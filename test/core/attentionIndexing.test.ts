/**
 * The reference's loops against a naive per-element computation on hand-seeded inputs wide enough to
 * reach every branch (head dimensions with and without a remainder of the four-way unrolled dot
 * product, several value columns, GQA groups, a multi-query prefill block), and the output-error
 * quantities on hand values. Deterministic: a fixed LCG, no property seed.
 */
import { describe, expect, it } from 'vitest';
import {
  attentionLogits,
  decodeAttention,
  defaultScale,
  keptDroppedDiameter,
  maxRowNorm,
  outputErrorNorm,
  prefillAttention,
} from '../../src/core/index.js';
import { ansiCLcg } from '../../src/random/index.js';

/** Uniform in [-1, 1). */
function lcg(seed: number): () => number {
  const uniform = ansiCLcg(seed);
  return () => uniform() * 2 - 1;
}

/** Σ_i softmax(s·q·k_i) v_i over the first `count` keys, one element at a time. */
function naiveHead(q: number[], K: number[][], V: number[][], scale: number, count: number): number[] {
  const z = K.slice(0, count).map((k) => scale * k.reduce((a, x, c) => a + x * q[c]!, 0));
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp(x - m));
  const total = e.reduce((a, b) => a + b, 0);
  return V[0]!.map((_, c) => e.reduce((a, w, i) => a + (w / total) * V[i]![c]!, 0));
}

describe('reference loops against a naive computation', () => {
  it.each([1, 3, 4, 7, 8, 13])('logits for head dimension %i', (d) => {
    const next = lcg(d);
    const q = Array.from({ length: d }, next);
    const rows = Array.from({ length: 5 }, () => Array.from({ length: d }, next));
    const z = attentionLogits(q, { data: Float64Array.from(rows.flat()), rows: 5, columns: d }, 0.7);
    expect(z.length).toBe(5);
    rows.forEach((k, i) => expect(z[i]).toBeCloseTo(0.7 * k.reduce((a, x, c) => a + x * q[c]!, 0), 14));
    expect(defaultScale(d)).toBe(1 / Math.sqrt(d));
  });

  it('decode and prefill with GQA, several value columns and a causal block', () => {
    const next = lcg(42);
    const [steps, queryHeads, kvHeads, tokens, d, dv] = [3, 4, 2, 6, 5, 3];
    const K = Array.from({ length: kvHeads }, () =>
      Array.from({ length: tokens }, () => Array.from({ length: d }, next)),
    );
    const V = Array.from({ length: kvHeads }, () =>
      Array.from({ length: tokens }, () => Array.from({ length: dv }, next)),
    );
    const Q = Array.from({ length: steps }, () =>
      Array.from({ length: queryHeads }, () => Array.from({ length: d }, () => 2 * next())),
    );
    const keys = { data: Float64Array.from(K.flat(2)), shape: [kvHeads, tokens, d] };
    const values = { data: Float64Array.from(V.flat(2)), shape: [kvHeads, tokens, dv] };
    const scale = defaultScale(d);
    const prefill = prefillAttention({
      queries: { data: Float64Array.from(Q.flat(2)), shape: [steps, queryHeads, d] },
      keys,
      values,
    });
    expect(prefill.shape).toEqual([steps, queryHeads, dv]);
    for (let t = 0; t < steps; t++) {
      for (let h = 0; h < queryHeads; h++) {
        const kv = Math.floor(h / (queryHeads / kvHeads));
        const expected = naiveHead(Q[t]![h]!, K[kv]!, V[kv]!, scale, tokens - steps + t + 1);
        expected.forEach((x, c) => expect(prefill.data[(t * queryHeads + h) * dv + c]).toBeCloseTo(x, 13));
      }
    }
    const decode = decodeAttention({
      query: { data: Float64Array.from(Q[0]!.flat()), shape: [queryHeads, d] },
      keys,
      values,
    });
    expect(decode.shape).toEqual([queryHeads, dv]);
    for (let h = 0; h < queryHeads; h++) {
      const kv = Math.floor(h / 2);
      naiveHead(Q[0]![h]!, K[kv]!, V[kv]!, scale, tokens).forEach((x, c) =>
        expect(decode.data[h * dv + c]).toBeCloseTo(x, 13),
      );
    }
  });
});

describe('output-error quantities on hand values', () => {
  const V = { data: new Float64Array([0, 0, 3, 4, 6, 8, -3, -4]), rows: 4, columns: 2 };
  it('‖o − ô‖₂, max ‖v_i‖ and the kept–dropped cross-diameter', () => {
    expect(outputErrorNorm([1, 2, 3], [1, 5, 7])).toBe(5);
    expect(outputErrorNorm([1e-200, 0], [0, 0])).toBe(1e-200);
    expect(outputErrorNorm([], [])).toBe(0);
    expect(maxRowNorm(V)).toBe(10);
    // Kept {0, 1}, dropped {2, 3}: ‖(6,8) − (0,0)‖ = 10 and ‖(−3,−4) − (3,4)‖ = 10 are the largest.
    expect(keptDroppedDiameter(V, [0, 1])).toBe(10);
    expect(keptDroppedDiameter(V, [1])).toBe(10); // (−3,−4) − (3,4)
    expect(keptDroppedDiameter(V, [2])).toBeCloseTo(Math.hypot(9, 12), 14);
    expect(keptDroppedDiameter(V, [0, 1, 2, 3])).toBe(0);
  });
  it('rejects mismatched lengths, non-finite entries and an empty kept set, naming the argument', () => {
    expect(() => outputErrorNorm([1, 2], [1])).toThrow(/^sparse:/);
    expect(() => outputErrorNorm([Number.NaN], [1])).toThrow(/^dense/);
    expect(() => keptDroppedDiameter(V, [])).toThrow(/^keep: expected at least one kept index/);
    expect(() => maxRowNorm({ data: new Float64Array(3), rows: 2, columns: 2 })).toThrow(/^V/);
  });
});
