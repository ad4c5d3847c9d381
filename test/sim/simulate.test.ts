import { describe, expect, it } from 'vitest';
import {
  attentionLogits,
  droppedMassFromLogits,
  oracleDroppedMass,
  sparseHeadAttention,
  outputErrorNorm,
} from '../../src/core/index.js';
import { CisSelector } from '../../src/selectors/cis.js';
import { createSelector } from '../../src/selectors/registry.js';
import { createSelection } from '../../src/selectors/selector.js';
import { simulate } from '../../src/sim/simulate.js';
import { summarize } from '../../src/sim/summary.js';
import { kthLargestInPlace, kthLargestOf } from '../../src/sim/kthLargest.js';
import { syntheticTrace } from '../../src/traces/synthetic.js';
import { keyOffset, queryOffset, valueOffset, visibleLength } from '../../src/traces/trace.js';
import { headStep } from '../selectors/harness.js';
import { numericalRecipesLcg } from '../../src/random/index.js';

describe('simulate', () => {
  const trace = syntheticTrace({ layers: 1, queryHeads: 2, kvHeads: 1, prefix: 60, steps: 5, headDim: 8, seed: 4 });

  it('records δ, δ*, recall and output error that match the float64 reference', () => {
    const record = simulate(trace, createSelector('streamingllm', 16), { observeSteps: 1 });
    const d = trace.headDim;
    for (let t = 1; t < trace.steps; t++) {
      for (let h = 0; h < 2; h++) {
        const n = visibleLength(trace, t);
        const K = {
          data: Float64Array.from(trace.keys.subarray(keyOffset(trace, 0, 0), keyOffset(trace, 0, 0) + n * d)),
          rows: n,
          columns: d,
        };
        const V = {
          data: Float64Array.from(trace.values.subarray(valueOffset(trace, 0, 0), valueOffset(trace, 0, 0) + n * d)),
          rows: n,
          columns: d,
        };
        const q = Array.from(trace.queries.subarray(queryOffset(trace, 0, t, h), queryOffset(trace, 0, t, h) + d));
        const keep = [0, 1, 2, 3, ...Array.from({ length: 12 }, (_, j) => n - 1 - j)];
        const z = attentionLogits(q, K, trace.scale);
        const r = (t - 1) * 2 + h;
        expect(record.delta[r]).toBeCloseTo(droppedMassFromLogits(z, keep), 12);
        expect(record.deltaStar[r]).toBeCloseTo(oracleDroppedMass(z, 16), 12);
        const sparse = sparseHeadAttention(q, K, V, keep, trace.scale);
        expect(record.outputError[r]).toBeCloseTo(outputErrorNorm(sparse.dense, sparse.sparse), 10);
      }
    }
    const s = summarize(record);
    expect(s.retrievalRate).toBe(0);
    expect(s.meanGap).toBeGreaterThanOrEqual(0);
    expect(s.certifiedViolations).toBe(0);
  });

  it('gives the oracle δ = δ*, recall 1 and retrieval rate 1', () => {
    const s = summarize(simulate(trace, createSelector('oracle', 10)));
    expect(s.meanGap).toBeCloseTo(0, 14);
    expect(s.meanRecall).toBe(1);
    expect(s.retrievalRate).toBe(1);
  });

  it('rejects an observation window covering every step', () => {
    expect(() => simulate(trace, createSelector('oracle', 4), { observeSteps: 5 })).toThrow(/observeSteps/);
  });

  it('selects the k-th largest value', () => {
    const values = [5, 1, 4, 4, 9, 2];
    for (let k = 1; k <= values.length; k++) {
      const sorted = [...values].sort((a, b) => b - a);
      expect(kthLargestInPlace(Float64Array.from(values), values.length, k)).toBe(sorted[k - 1]);
    }
  });

  it('CIS reuses its anchor when the query does not move', () => {
    const cis = new CisSelector(8);
    cis.begin(trace);
    const first = createSelection(trace.positions);
    cis.select(headStep(trace, 0, 0), first);
    expect(first.retrieved).toBe(true);
  });
});

describe('simulate: logit blocks and precision', () => {
  const trace = syntheticTrace({ layers: 2, queryHeads: 4, kvHeads: 2, prefix: 90, steps: 11, headDim: 12, seed: 7 });
  const fields = [
    'delta',
    'deltaStar',
    'certified',
    'recall',
    'outputError',
    'size',
    'keysScored',
    'bytes',
    'retrieved',
  ] as const;

  it('records the same numbers, bit for bit, whatever the block of steps scored together', () => {
    // quest and certified keep fewer than B at times: the oracle threshold is then computed in the walk.
    for (const name of ['cis', 'h2o', 'oracle', 'quest', 'certified']) {
      const reference = simulate(trace, createSelector(name, 20), { stepsPerBlock: 1 });
      expect(reference.logitPrecision).toBe('fp64');
      for (const stepsPerBlock of [2, 3, 8, 64]) {
        const record = simulate(trace, createSelector(name, 20), { stepsPerBlock });
        for (const field of fields) expect(Array.from(record[field])).toEqual(Array.from(reference[field]));
      }
    }
  });

  it('rejects a bad precision or block size with a typed error', () => {
    expect(() => simulate(trace, createSelector('cis', 8), { precision: 'fp16' as never })).toThrow(/precision/);
    expect(() => simulate(trace, createSelector('cis', 8), { stepsPerBlock: 0 })).toThrow(/stepsPerBlock/);
  });
});

describe('kthLargestOf', () => {
  it('agrees with a full quickselect on a copy, with ties, trends and misleading samples', () => {
    const next = numericalRecipesLcg(99);
    const work = new Float64Array(5000);
    const families: ((i: number, n: number) => number)[] = [
      () => next(),
      () => Math.floor(next() * 5), // heavy ties
      (i, n) => Math.exp(-0.003 * (n - i)) * (0.5 + next()), // recency trend
      (i) => (i % 128 === 0 ? 0 : 1 + next()), // the strided sample sees only the smallest values
      (i, n) => (i < n - 40 ? 0 : next()), // almost all equal, a few large
    ];
    for (const family of families) {
      for (const n of [1, 7, 512, 513, 1000, 4096]) {
        const values = Float64Array.from({ length: n + 3 }, (_, i) => (i < 3 ? 9 : family(i - 3, n)));
        for (const k of [1, 2, Math.max(1, Math.floor(n / 8)), Math.floor(n / 2) || 1, n].filter((k) => k <= n)) {
          const expected = kthLargestInPlace(Float64Array.from(values.subarray(3)), n, k);
          expect(kthLargestOf(values, 3, n, k, work)).toBe(expected);
        }
      }
    }
  });
});
