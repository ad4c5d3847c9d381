/** Recency-window mass under geometric and power-law priors (theory/recency.md). */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import { finiteDouble } from './generators.js';

const EPSILON = 2 ** -52;
/** Relative margin by which a refutation of the as-stated bound must beat it beyond rounding. */
const REFUTATION_MARGIN = 1e-6;

/**
 * An attention vector over distances 0 … N−1 shaped by a prior: A_j ∝ u_j·prior(j), u_j ∈ [0, 1]
 * (u_j = 1 everywhere is the extreme case, generated often). Returns A and the tightest C.
 */
function priorAttention(
  weights: readonly number[],
  extreme: boolean,
  prior: (j: number) => number,
  from: number,
): { A: Float64Array; C: number } {
  const n = weights.length;
  const raw = Float64Array.from(weights, (u, j) => (extreme ? 1 : u) * (j < from ? 1 : prior(j)));
  let total = 0;
  for (const x of raw) total += x;
  const A = raw.map((x) => x / total);
  let C = 0;
  for (let j = from; j < n; j++) if (A[j]! > 0) C = Math.max(C, A[j]! / prior(j));
  return { A, C };
}

/** Weights u_j ∈ {0} ∪ [0.01, 1], not all 0: a zero is a distance the head does not attend at all. */
const weightsArbitrary = fc
  .array(fc.oneof({ weight: 5, arbitrary: finiteDouble(0.01, 1) }, { weight: 1, arbitrary: fc.constant(0) }), {
    minLength: 2,
    maxLength: 300,
  })
  .filter((weights) => weights.some((u) => u > 0));

function tail(A: Float64Array, w: number): number {
  let sum = 0;
  for (let j = w; j < A.length; j++) sum += A[j]!;
  return sum;
}

export const recencyProperties: PropertySuite = {
  'recency.geometric-tail': {
    runs: 300,
    property: () =>
      fc.property(
        weightsArbitrary,
        fc.boolean(),
        finiteDouble(0.01, 0.999),
        fc.nat(400),
        (weights, extreme, rho, rawW) => {
          const { A, C } = priorAttention(weights, extreme, (j) => rho ** j, 0);
          const w = rawW % (A.length + 1);
          const bound = (C * rho ** w) / (1 - rho);
          const mass = tail(A, w);
          // Sums of ≤ N positive terms: relative rounding ≤ (N + 4)·2⁻⁵² on each side.
          claimAssert(
            mass <= bound * (1 + 8 * (A.length + 4) * EPSILON),
            () => `tail mass ${mass} beyond the last ${w} tokens > Cρ^w/(1−ρ) = ${bound} (ρ = ${rho}, C = ${C})`,
          );
          return true;
        },
      ),
  },
  'recency.power-tail-as-stated': {
    runs: 300,
    property: () =>
      fc.property(
        weightsArbitrary,
        fc.boolean(),
        finiteDouble(1.01, 4),
        fc.nat(400),
        (weights, extreme, beta, rawW) => {
          const { A, C } = priorAttention(weights, extreme, (j) => j ** -beta, 1);
          const w = 1 + (rawW % (A.length - 1));
          const bound = (C * w ** (1 - beta)) / (beta - 1);
          const mass = tail(A, w);
          // A refutation must beat the bound by a relative 10⁻⁶ beyond rounding, so shrinking stops at a clear violation.
          claimAssert(
            mass <= bound * (1 + 8 * (A.length + 4) * EPSILON + REFUTATION_MARGIN),
            () =>
              `tail mass ${mass} at distances ≥ ${w} > C·w^{1−β}/(β−1) = ${bound} (β = ${beta}, C = ${C}): the j = w term alone is C·w^{−β} = ${C * w ** -beta}`,
          );
          return true;
        },
      ),
  },
  'recency.power-tail': {
    runs: 300,
    property: () =>
      fc.property(
        weightsArbitrary,
        fc.boolean(),
        finiteDouble(1.01, 4),
        fc.nat(400),
        (weights, extreme, beta, rawW) => {
          const { A, C } = priorAttention(weights, extreme, (j) => j ** -beta, 1);
          const w = 1 + (rawW % (A.length - 1));
          const bound = C * (w ** -beta + w ** (1 - beta) / (beta - 1));
          const mass = tail(A, w);
          claimAssert(
            mass <= bound * (1 + 8 * (A.length + 4) * EPSILON),
            () => `tail mass ${mass} at distances ≥ ${w} > C(w^{−β} + w^{1−β}/(β−1)) = ${bound}`,
          );
          const strict = tail(A, w + 1);
          const stated = (C * w ** (1 - beta)) / (beta - 1);
          claimAssert(
            strict <= stated * (1 + 8 * (A.length + 4) * EPSILON),
            () => `tail mass ${strict} at distances > ${w} exceeds C·w^{1−β}/(β−1) = ${stated}`,
          );
          return true;
        },
      ),
  },
};
