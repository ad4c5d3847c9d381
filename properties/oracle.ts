/**
 * The oracle top-k set and δ*(k) (theory/oracle.md): optimality over all sets of the same size,
 * any tie-break, monotonicity, convexity and δ*(k) ≤ 1 − k/N.
 */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import { budgetChoice, budgetFor, keepChoice, logitsArbitrary } from './generators.js';
import { EPSILON, subsetOfSize, subsetsOfSize } from './support.js';

/** δ of a set is a ratio of N-term sums of exponentials: relative error ≤ (160 + 2N)ε. */
function massSlack(n: number): number {
  return (320 + 8 * n) * EPSILON;
}

/** A few budgets spread over [0, N] including every edge case. */
function sampleBudgets(n: number, k: number): number[] {
  return [
    ...new Set([0, 1, 2, k - 1, k, k + 1, n - 2, n - 1, n, Math.floor(n / 2)].filter((j) => j >= 0 && j <= n)),
  ].sort((a, b) => a - b);
}

export const oracleProperties: PropertySuite = {
  'oracle.topk-optimal': {
    runs: 250,
    property: (impl) =>
      fc.property(logitsArbitrary(), budgetChoice, keepChoice, (z, [choice, fraction], raw) => {
        const n = z.length;
        const k = budgetFor(n, choice, fraction);
        const best = impl.core.droppedMassFromLogits(z, impl.core.topK(z, k));
        const slack = massSlack(n);
        const candidates = n <= 10 ? [...subsetsOfSize(n, k)] : [subsetOfSize(n, k, raw)];
        for (const S of candidates) {
          const delta = impl.core.droppedMassFromLogits(z, S);
          claimAssert(
            best <= delta + slack,
            () => `δ(topK) = ${best} > δ(S) = ${delta} for S = [${S.join(', ')}], k = ${k}`,
          );
        }
        // The opposite tie-break (higher index wins) selects another set among ties; δ must not change.
        const reverse = z
          .map((_, i) => i)
          .sort((a, b) => z[b]! - z[a]! || b - a)
          .slice(0, k);
        const other = impl.core.droppedMassFromLogits(z, reverse);
        claimAssert(Math.abs(other - best) <= slack, () => `tie-break changes δ*: ${best} vs ${other} (k = ${k})`);
        return true;
      }),
  },

  'oracle.monotone': {
    runs: 200,
    property: (impl) =>
      fc.property(logitsArbitrary(), budgetChoice, (z, [choice, fraction]) => {
        const n = z.length;
        const curve = impl.core.oracleDroppedMassCurve(impl.core.softmax(z));
        const slack = massSlack(n);
        claimAssert(curve.length === n + 1, () => `δ* curve has ${curve.length} points, expected ${n + 1}`);
        claimAssert(
          Math.abs(curve[0]! - 1) <= slack && curve[n] === 0,
          () => `δ*(0) = ${curve[0]}, δ*(N) = ${curve[n]}`,
        );
        for (let k = 1; k <= n; k++)
          claimAssert(
            curve[k]! <= curve[k - 1]! + slack,
            () => `δ*(${k}) = ${curve[k]} > δ*(${k - 1}) = ${curve[k - 1]}`,
          );
        // The curve must agree with top-k selection at every sampled budget.
        for (const k of sampleBudgets(n, budgetFor(n, choice, fraction))) {
          const direct = impl.core.oracleDroppedMass(z, k);
          claimAssert(
            Math.abs(direct - curve[k]!) <= slack,
            () => `oracleDroppedMass(z, ${k}) = ${direct} but the curve says ${curve[k]}`,
          );
        }
        return true;
      }),
  },

  'oracle.convex': {
    runs: 200,
    property: (impl) =>
      fc.property(logitsArbitrary({ minLength: 2 }), budgetChoice, (z, [choice, fraction]) => {
        const n = z.length;
        const slack = massSlack(n);
        for (const k of sampleBudgets(n, budgetFor(n, choice, fraction)).filter((j) => j >= 1 && j <= n - 1)) {
          const [before, at, after] = [k - 1, k, k + 1].map((j) => impl.core.oracleDroppedMass(z, j)) as [
            number,
            number,
            number,
          ];
          claimAssert(
            before - at >= at - after - 2 * slack,
            () => `δ*(${k - 1}) − δ*(${k}) = ${before - at} < δ*(${k}) − δ*(${k + 1}) = ${at - after}`,
          );
        }
        return true;
      }),
  },

  'oracle.uniform-bound': {
    runs: 200,
    property: (impl) =>
      fc.property(logitsArbitrary(), budgetChoice, fc.boolean(), (z, [choice, fraction], uniform) => {
        const logits = uniform ? z.map(() => z[0]!) : z;
        const n = logits.length;
        const k = budgetFor(n, choice, fraction);
        const delta = impl.core.oracleDroppedMass(logits, k);
        const bound = impl.info.oracleUniformBound(k, n);
        const slack = massSlack(n);
        claimAssert(delta <= bound + slack, () => `δ*(${k}) = ${delta} > 1 − k/N = ${bound} (N = ${n})`);
        if (uniform)
          claimAssert(
            Math.abs(delta - bound) <= slack,
            () => `uniform attention: δ*(${k}) = ${delta} ≠ 1 − k/N = ${bound}`,
          );
        return true;
      }),
  },
};
