/** Oracle top-k: the B largest exact logits, ties to the lower index; it scores every visible key. */
import { describe, expect, it } from 'vitest';
import { OracleSelector } from '../../src/selectors/oracle.js';
import { headStep, runSelect, sortedKept, writableTrace } from './harness.js';

function oracleOn(logits: number[], budget: number) {
  const trace = writableTrace({ heads: 1, prefix: logits.length - 1, steps: 1, d: 2, seed: 13 });
  const view = { ...headStep(trace, 0, 0), logits: Float64Array.from(logits) };
  const oracle = new OracleSelector(budget);
  oracle.begin(trace);
  return runSelect(oracle, view);
}

describe('oracle', () => {
  it('keeps the B largest logits', () => {
    expect(sortedKept(oracleOn([0.5, 3, -1, 2, 7, 0], 3))).toEqual([1, 3, 4]);
    expect(sortedKept(oracleOn([9, 8, 7, 6, 5, 4, 3, 10], 4))).toEqual([0, 1, 2, 7]);
  });
  it('breaks ties to the lower index', () => {
    expect(sortedKept(oracleOn([1, 1, 1, 1, 1], 2))).toEqual([0, 1]);
    expect(sortedKept(oracleOn([0, 2, 1, 2, 2, 1], 2))).toEqual([1, 3]);
  });
  it('keeps the whole cache when the budget exceeds it', () => {
    expect(sortedKept(oracleOn([3, 1, 2], 10))).toEqual([0, 1, 2]);
  });
  it('counts every visible key as scored and reports a retrieval', () => {
    const out = oracleOn([1, 2, 3, 4, 5, 6], 2);
    expect(out).toMatchObject({ keysScored: 6, metadataBytes: 0, retrieved: true, size: 2 });
    expect(new OracleSelector(2).name).toBe('oracle');
  });
});
