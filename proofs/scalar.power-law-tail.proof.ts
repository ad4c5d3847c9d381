/**
 * scalar.power-law-tail: Σ_{j > w} j^{−β} ≤ w^{1−β}/(β − 1) for β > 1 and integer w ≥ 1. The
 * scalar part machine-checked here: t ↦ t^{−β} = exp(−β ln t) is non-increasing on [1, ∞) for
 * every β ≥ 1 (one unbounded box in (t, β)), so j^{−β} ≤ ∫_{j−1}^{j} t^{−β} dt for j ≥ 2;
 * summing over j > w gives ∫_w^∞ t^{−β} dt = w^{1−β}/(β − 1).
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const powerLawTail: ProofScript = {
  claim: 'scalar.power-law-tail',
  lemmas: ['∫_w^∞ t^{−β} dt = w^{1−β}/(β − 1) for β > 1, w > 0'],
  reduction: 'theory/scalar.md#scalarpower-law-tail',
};
