/**
 * scalar.geometric-tail: Σ_{j ≥ w} C ρʲ = C ρʷ/(1 − ρ) for 0 ≤ ρ < 1. The partial sums
 * S_n = Σ_{j=w}^{w+n−1} ρʲ satisfy (1 − ρ) S_n = ρʷ − ρ^{w+n} by induction; the induction step is
 * the polynomial identity below (a = ρʷ, c = ρ^{w+n}), checked exactly. Letting n → ∞ (ρⁿ → 0)
 * gives the identity; every partial sum is ≤ ρʷ/(1 − ρ).
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const geometricTail: ProofScript = {
  claim: 'scalar.geometric-tail',
  lemmas: ['ρⁿ → 0 for 0 ≤ ρ < 1'],
  reduction: 'theory/scalar.md#scalargeometric-tail',
};
