/**
 * Output error of sparse attention (theory/output-error.md): o − ô = δ(μ_D − μ_S), the two
 * norm bounds, and constructions that attain them.
 */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import type { Implementation } from '../src/claims/implementation.js';
import { finiteDouble, headArbitrary, keepChoice, type HeadCase } from './generators.js';
import { EPSILON, maxAbs, nonEmptyKeep, toMatrix } from './support.js';

/** Heads whose logits reach far beyond exp's range when unscaled (q, K entries up to ±80). */
const heads = fc.oneof(headArbitrary({ magnitude: 8 }), headArbitrary({ magnitude: 80, maxTokens: 6 }));

/**
 * Rounding slack for output quantities: N-term sums of products of |A_i| ≤ 1 and |v| ≤ M. With
 * underflow, fl(x op y) = (x op y)(1 + θ) + η with |η| ≤ 2⁻¹⁰⁷⁵ (half the smallest subnormal), so
 * every one of the O(N + dv) operations may also add an absolute subnormal error.
 */
function outputSlack(n: number, dv: number, magnitude: number): number {
  return (16 * (n + dv + 8) * EPSILON * magnitude + 4 * (n + dv + 8) * Number.MIN_VALUE) * Math.sqrt(dv);
}

/** One sparse step of a generated head and kept-set choice, with the rounding slack of its outputs. */
function sparseStep(impl: Implementation, head: HeadCase, raw: readonly number[]) {
  const n = head.K.length;
  const keep = nonEmptyKeep(n, raw);
  const V = toMatrix(head.V);
  const step = impl.core.sparseHeadAttention(head.q, toMatrix(head.K), V, keep);
  return { n, keep, V, step, slack: outputSlack(n, V.columns, maxAbs(head.V)) };
}

export const outputErrorProperties: PropertySuite = {
  'output-error.decomposition': {
    runs: 300,
    property: (impl) =>
      fc.property(heads, keepChoice, (head, raw) => {
        const { n, keep, V, step, slack } = sparseStep(impl, head, raw);
        const dv = V.columns;
        const inKeep = new Set(keep);
        // μ_S is taken as Σ_S Â_i v_i (Â is computed from the kept logits alone, so it stays defined
        // when the kept mass of A underflows); μ_D = Σ_D A_i v_i / δ. The check is then
        // o = (1 − δ)·ô + δ·μ_D, with o computed independently from the dense weights.
        const muS = new Float64Array(dv);
        const muD = new Float64Array(dv);
        let massD = 0;
        for (let i = 0; i < n; i++) {
          if (inKeep.has(i)) {
            for (let c = 0; c < dv; c++) muS[c]! += step.sparseAttention[i]! * head.V[i]![c]!;
          } else {
            massD += step.attention[i]!;
            for (let c = 0; c < dv; c++) muD[c]! += step.attention[i]! * head.V[i]![c]!;
          }
        }
        for (let c = 0; c < dv; c++) {
          const predicted = massD > 0 ? step.delta * (muD[c]! / massD - muS[c]!) : 0;
          const actual = step.dense[c]! - step.sparse[c]!;
          claimAssert(
            Math.abs(actual - predicted) <= slack,
            () => `channel ${c}: o − ô = ${actual} but δ(μ_D − μ_S) = ${predicted} (δ = ${step.delta})`,
          );
        }
        return true;
      }),
  },

  'output-error.bound': {
    runs: 300,
    property: (impl) =>
      fc.property(heads, keepChoice, (head, raw) => {
        const { keep, V, step, slack } = sparseStep(impl, head, raw);
        const error = impl.core.outputErrorNorm(step.dense, step.sparse);
        const sharp = impl.info.outputErrorBoundDiameter(step.delta, impl.core.keptDroppedDiameter(V, keep));
        const loose = impl.info.outputErrorBoundMaxNorm(step.delta, impl.core.maxRowNorm(V));
        claimAssert(
          error <= sharp + slack,
          () => `‖o − ô‖ = ${error} exceeds δ·diameter = ${sharp} (δ = ${step.delta})`,
        );
        claimAssert(sharp <= loose + slack, () => `δ·diameter = ${sharp} exceeds 2δ·max‖v‖ = ${loose}`);
        return true;
      }),
  },

  'output-error.bound-attained': {
    runs: 200,
    property: (impl) =>
      fc.property(
        finiteDouble(1e-9, 1 - 1e-9),
        fc.array(finiteDouble(-100, 100), { minLength: 1, maxLength: 6 }),
        fc.array(finiteDouble(-100, 100), { minLength: 6, maxLength: 6 }),
        (delta, v0, w) => {
          const v1 = w.slice(0, v0.length);
          // Two keys with logits 0 and ln(δ/(1−δ)): A = (1−δ, δ); keep key 0.
          const K = toMatrix([[0], [Math.log(delta / (1 - delta))]]);
          const check = (second: number[], label: string, bound: number) => {
            const step = impl.core.sparseHeadAttention([1], K, toMatrix([v0, second]), [0], 1);
            const error = impl.core.outputErrorNorm(step.dense, step.sparse);
            // Equality holds exactly in real arithmetic; a few relative roundings separate the two sides,
            // and in the subnormal range each of the ~16 operations may lose up to one subnormal unit.
            const tolerance = 64 * EPSILON * bound + 8 * EPSILON * maxAbs([v0, second]) + 16 * Number.MIN_VALUE;
            claimAssert(
              Math.abs(error - bound) <= tolerance,
              () => `${label}: ‖o − ô‖ = ${error} but the bound is ${bound}`,
            );
            return step.delta;
          };
          const diameter = impl.core.norm2(v1.map((x, c) => x - v0[c]!));
          const d1 = impl.core.droppedMassFromLogits([0, Math.log(delta / (1 - delta))], [0]);
          check(v1, 'δ·‖v_1 − v_0‖', impl.info.outputErrorBoundDiameter(d1, diameter));
          const opposite = v0.map((x) => -x);
          check(opposite, '2δ·max‖v‖', impl.info.outputErrorBoundMaxNorm(d1, impl.core.norm2(v0)));
          return true;
        },
      ),
  },
};
