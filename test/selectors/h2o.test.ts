/**
 * H2O (Zhang et al., "H2O: Heavy-Hitter Oracle"): per (layer, head), evict the unprotected cached
 * position of lowest accumulated attention; the feedback of one head never moves another's scores,
 * and only the visible part of a reused weight buffer counts.
 */
import { describe, expect, it } from 'vitest';
import { H2OSelector } from '../../src/selectors/h2o.js';
import { headStepAt, randomTrace, runSelect, sortedKept } from './harness.js';

function weights(values: number[], positions: number): Float64Array {
  const w = new Float64Array(positions);
  w.set(values);
  return w;
}

describe('H2O per (layer, head)', () => {
  it('evicts by each head’s own accumulated attention', () => {
    // Two layers, two heads, prefix 5: step 0 sees 6 positions; B = 4 protects the newest 2.
    const trace = randomTrace({ layers: 2, queryHeads: 2, kvHeads: 1, prefix: 5, steps: 2, d: 2, seed: 113 });
    const h2o = new H2OSelector(4);
    h2o.begin(trace);
    // Observation step 0 (dense, no selection): (ℓ, h) puts its weight on 2ℓ + h and on 3.
    for (let l = 0; l < 2; l++) {
      for (let h = 0; h < 2; h++) {
        const view = headStepAt(trace, l, 0, h);
        const w = [0, 0, 0, 0, 0, 0];
        w[2 * l + h] = 0.6;
        w[3] = 0.4;
        h2o.observe(view, weights(w, trace.positions));
      }
    }
    for (let l = 0; l < 2; l++) {
      for (let h = 0; h < 2; h++) {
        const kept = sortedKept(runSelect(h2o, headStepAt(trace, l, 1, h)));
        // Seven positions: 5 and 6 protected; of 0–4 the two best stay (ℓ = h = 1 attends to 3 only:
        // then the newer of the tied zeros, 4, stays).
        const best = 2 * l + h === 3 ? [3, 4] : [2 * l + h, 3];
        expect(kept, `layer ${l} head ${h}`).toEqual([...best, 5, 6].sort((a, b) => a - b));
      }
    }
  });
  it('ignores weights past the visible length (a reused buffer’s stale entries)', () => {
    // B = 2 (the newest position protected). Observation step 0 sees 0–5: positions 0 and 1 get
    // 0.5 each; a stale 9 sits at index 6, not yet visible.
    const trace = randomTrace({ layers: 1, queryHeads: 1, kvHeads: 1, prefix: 5, steps: 3, d: 2, seed: 127 });
    const h2o = new H2OSelector(2);
    h2o.begin(trace);
    h2o.observe(headStepAt(trace, 0, 0, 0), weights([0.5, 0.5, 0, 0, 0, 0, 9], trace.positions));
    expect(sortedKept(runSelect(h2o, headStepAt(trace, 0, 1, 0)))).toEqual([1, 6]);
    // Step 2: 7 is protected; 6 (never attended) goes before 1.
    expect(sortedKept(runSelect(h2o, headStepAt(trace, 0, 2, 0)))).toEqual([1, 7]);
  });
});
