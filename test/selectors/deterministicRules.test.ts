/**
 * The selectors' documented rules on hand-made cases (deterministic, independent of the property
 * seed): H2O evicts the older of two tied positions, the CIS gate reuses only when the cosine is
 * strictly above τ, and the oracle considers every visible position, the last one included.
 */
import { describe, expect, it } from 'vitest';
import { CisSelector } from '../../src/selectors/cis.js';
import { H2OSelector } from '../../src/selectors/h2o.js';
import { OracleSelector } from '../../src/selectors/oracle.js';
import { headStep, runSelect, setOf, writableTrace } from './harness.js';

describe('H2O ties', () => {
  it('evicts the older of positions with equal accumulated attention', () => {
    // Budget 2 protects the newest position; positions 0, 1 and 2 all have score 0: the two
    // oldest go, in age order, and {2, 3} stays.
    const trace = writableTrace({ heads: 1, prefix: 3, steps: 2, d: 2, seed: 1 });
    const h2o = new H2OSelector(2);
    h2o.begin(trace);
    expect([...setOf(runSelect(h2o, headStep(trace, 0, 0)))].sort()).toEqual([2, 3]);
  });
});

describe('CIS gate', () => {
  function anchorsAfterTwoSteps(first: number[], second: number[], gate: number): number {
    const trace = writableTrace({ heads: 1, prefix: 16, steps: 2, d: 2, seed: 3 });
    trace.queries.set(first, 0);
    trace.queries.set(second, 2);
    const cis = new CisSelector(8, { gate });
    cis.begin(trace);
    runSelect(cis, headStep(trace, 0, 0));
    runSelect(cis, headStep(trace, 1, 0));
    return cis.anchorStep[0]!;
  }
  it('re-anchors when cos(q_t, q_anchor) equals τ exactly (reuse needs cos > τ)', () => {
    expect(anchorsAfterTwoSteps([1, 0], [1, 0], 1)).toBe(1); // cos = 1 = τ
    expect(anchorsAfterTwoSteps([1, 0], [0, 1], 0)).toBe(1); // cos = 0 = τ
  });
  it('reuses the anchor when cos(q_t, q_anchor) > τ', () => {
    expect(anchorsAfterTwoSteps([1, 0], [1, 0], 0.5)).toBe(0);
    expect(anchorsAfterTwoSteps([1, 0], [1, 1], 0)).toBe(0);
  });
});

describe('oracle selector', () => {
  it('keeps the last visible position when it holds the largest logit', () => {
    const trace = writableTrace({ heads: 1, prefix: 7, steps: 1, d: 2, seed: 5 });
    const view = headStep(trace, 0, 0);
    const logits = new Float64Array(view.logits.length).fill(0);
    logits[view.length - 1] = 5;
    logits[0] = 4;
    const oracle = new OracleSelector(1);
    oracle.begin(trace);
    expect([...setOf(runSelect(oracle, { ...view, logits }))]).toEqual([view.length - 1]);
    const two = new OracleSelector(2);
    two.begin(trace);
    expect([...setOf(runSelect(two, { ...view, logits }))].sort()).toEqual([0, view.length - 1]);
  });
  it('keeps every visible position when the budget covers them all', () => {
    const trace = writableTrace({ heads: 1, prefix: 5, steps: 1, d: 2, seed: 7 });
    const view = headStep(trace, 0, 0);
    const oracle = new OracleSelector(view.length);
    oracle.begin(trace);
    expect([...setOf(runSelect(oracle, view))].sort((a, b) => a - b)).toEqual([...Array(view.length).keys()]);
  });
});
