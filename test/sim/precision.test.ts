/**
 * The fp32 logit path against the float64 one, within the tolerance theory/simulator-precision.md
 * derives: every logit moves by at most ε = max γ_{d+2}·|s|·Σ_c|q_c·k_c| (fp32, plus the same
 * with the float64 unit roundoff), so for a kept set that does not depend on the logits
 * |δ̃ − δ| ≤ δ(1 − δ)(e^{2ε} − 1), and for the oracle at any budget |δ̃* − δ*| ≤ δ*(1 − δ*)(e^{2ε} − 1).
 * Skipped when the native CPU backend is not built.
 */
import { describe, expect, it } from 'vitest';
import { loadBackend } from '../../src/backends/registry.js';
import { createSelector } from '../../src/selectors/registry.js';
import { simulate } from '../../src/sim/simulate.js';
import { summarize } from '../../src/sim/summary.js';
import { syntheticTrace } from '../../src/traces/synthetic.js';
import { keyOffset, kvHeadOf, queryOffset, visibleLength, type Trace } from '../../src/traces/trace.js';

const native = loadBackend('cpu').loaded;

function gamma(n: number, u: number): number {
  return (n * u) / (1 - n * u);
}

/** The largest a-priori logit error of the fp32 path over every (layer, step, head, visible key). */
function logitErrorBound(trace: Trace): number {
  const { headDim: d } = trace;
  const factor = (gamma(d + 2, 2 ** -24) + gamma(d + 2, 2 ** -53)) * Math.abs(trace.scale);
  let worst = 0;
  for (let layer = 0; layer < trace.layers; layer++) {
    for (let t = 0; t < trace.steps; t++) {
      for (let h = 0; h < trace.queryHeads; h++) {
        const qo = queryOffset(trace, layer, t, h);
        const ko = keyOffset(trace, layer, kvHeadOf(trace, h));
        for (let i = 0; i < visibleLength(trace, t); i++) {
          let sum = 0;
          for (let c = 0; c < d; c++) sum += Math.abs(trace.queries[qo + c]! * trace.keys[ko + i * d + c]!);
          worst = Math.max(worst, factor * sum);
        }
      }
    }
  }
  return worst;
}

describe.skipIf(!native)('simulate: fp32 logits (native CPU backend) against fp64', () => {
  const trace = syntheticTrace({ layers: 2, queryHeads: 8, kvHeads: 2, prefix: 300, steps: 12, headDim: 64, seed: 5 });
  const epsilon = logitErrorBound(trace);
  const c = Math.expm1(2 * epsilon);
  const rounding = 1e-12; // both paths' float64 exponentials and sums over ≤ 312 terms
  const run = (name: string, precision: 'fp32' | 'fp64') =>
    simulate(trace, createSelector(name, 40), { precision, observeSteps: 2 });

  it('records which arithmetic computed the logits', () => {
    expect(run('streamingllm', 'fp32').logitPrecision).toBe('fp32');
    expect(run('streamingllm', 'fp64').logitPrecision).toBe('fp64');
    expect(run('streamingllm', 'fp32').logitSource).toMatch(/cpu backend/);
  });

  it('moves δ and δ* of a logit-independent set by at most δ(1 − δ)(e^{2ε} − 1)', () => {
    expect(epsilon).toBeLessThan(1e-3); // the bound is informative at this shape
    const exact = run('streamingllm', 'fp64');
    const fast = run('streamingllm', 'fp32');
    for (let r = 0; r < exact.delta.length; r++) {
      const d = exact.delta[r]!;
      const s = exact.deltaStar[r]!;
      expect(Math.abs(fast.delta[r]! - d)).toBeLessThanOrEqual(d * (1 - d) * c + rounding);
      expect(Math.abs(fast.deltaStar[r]! - s)).toBeLessThanOrEqual(s * (1 - s) * c + rounding);
    }
  });

  it('moves the oracle δ* (any set) and the CIS summaries within the same tolerance', () => {
    const exact = run('oracle', 'fp64');
    const fast = run('oracle', 'fp32');
    for (let r = 0; r < exact.deltaStar.length; r++) {
      const s = exact.deltaStar[r]!;
      expect(Math.abs(fast.deltaStar[r]! - s)).toBeLessThanOrEqual(s * (1 - s) * c + rounding);
    }
    const cisExact = summarize(run('cis', 'fp64'));
    const cisFast = summarize(run('cis', 'fp32'));
    // The gate reads queries only, so retrievals are identical; δ* is a per-step minimum (bound above).
    expect(cisFast.retrievalRate).toBe(cisExact.retrievalRate);
    expect(Math.abs(cisFast.meanDeltaStar - cisExact.meanDeltaStar)).toBeLessThanOrEqual(c / 4 + rounding);
    // A re-anchor may rank near-tied positions differently: each swap moves δ by < e^{2ε} − 1.
    expect(Math.abs(cisFast.meanDelta - cisExact.meanDelta)).toBeLessThanOrEqual(c + rounding);
  });
});
