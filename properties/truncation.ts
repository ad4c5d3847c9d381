/**
 * Truncation identities (theory/truncation.md): TV(A, Â) = δ, KL(Â‖A) = −ln(1−δ), KL(A‖Â) = ∞.
 * Tolerances are rounding bounds derived in theory/truncation.md ("Tolerances").
 */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import { keepChoice, logitsArbitrary } from './generators.js';
import { EPSILON, nonEmptyKeep } from './support.js';

/** Dense A, sparse Â, δ and the kept mass 1 − δ (summed directly, no cancellation). */
function truncate(impl: Parameters<PropertySuite[string]['property']>[0], z: number[], keep: number[]) {
  const A = impl.core.softmax(z);
  const sparse = impl.core.sparseAttentionWeights(z, keep);
  const delta = impl.core.droppedMassFromLogits(z, keep);
  let kept = 0;
  for (const i of keep) kept += A[i]!;
  return { A, sparse, delta, kept };
}

export const truncationProperties: PropertySuite = {
  'truncation.tv-identity': {
    runs: 200,
    property: (impl) =>
      fc.property(logitsArbitrary(), keepChoice, (z, raw) => {
        const keep = nonEmptyKeep(z.length, raw);
        const { A, sparse, delta } = truncate(impl, z, keep);
        const tv = impl.info.totalVariation(A, sparse);
        // Each entry of A and Â carries a relative error ≤ (160 + 2N)ε (exp of a rounded difference of
        // logits ≤ 160 apart, then a sum of N terms); TV and δ are sums of N such entries.
        const tolerance = (320 + 8 * z.length) * EPSILON;
        claimAssert(
          Math.abs(tv - delta) <= tolerance,
          () => `TV(A, Â) = ${tv} but δ = ${delta} (difference ${Math.abs(tv - delta)} > ${tolerance})`,
        );
        return true;
      }),
  },

  'truncation.kl-sparse-to-dense': {
    runs: 200,
    property: (impl) =>
      fc.property(logitsArbitrary(), keepChoice, (z, raw) => {
        const keep = nonEmptyKeep(z.length, raw);
        const { A, sparse, delta, kept } = truncate(impl, z, keep);
        const kl = impl.info.klDivergence(sparse, A);
        // Every term has ln(Â_i/A_i) = −ln(1−δ) exactly; the computed ratio errs by a relative
        // (320 + 8N)ε, so each log by that much absolutely, and the kept mass likewise.
        const tolerance = (640 + 16 * z.length) * EPSILON;
        const exact = -Math.log(kept);
        claimAssert(
          Math.abs(kl - exact) <= tolerance * (1 + Math.abs(exact)),
          () => `KL(Â‖A) = ${kl} but −ln(1−δ) = ${exact}`,
        );
        if (delta <= 0.5) {
          const identity = impl.info.klSparseToDense(delta);
          claimAssert(
            Math.abs(identity - exact) <= tolerance,
            () => `klSparseToDense(${delta}) = ${identity} but −ln(kept mass) = ${exact}`,
          );
        }
        return true;
      }),
  },

  'truncation.kl-dense-to-sparse-infinite': {
    runs: 150,
    property: (impl) =>
      fc.property(logitsArbitrary(), keepChoice, fc.boolean(), (z, raw, keepAll) => {
        const keep = keepAll ? z.map((_, i) => i) : nonEmptyKeep(z.length, raw);
        const { A, sparse } = truncate(impl, z, keep);
        const kl = impl.info.klDivergence(A, sparse);
        // Logits lie within 160 of each other, so every A_i ≥ e^{-160}/N > 0: δ > 0 iff D is non-empty.
        if (keep.length < z.length)
          claimAssert(kl === Infinity, () => `KL(A‖Â) = ${kl} with ${z.length - keep.length} dropped entries`);
        else claimAssert(Math.abs(kl) <= 8 * z.length * EPSILON, () => `KL(A‖Â) = ${kl} with nothing dropped`);
        return true;
      }),
  },
};
