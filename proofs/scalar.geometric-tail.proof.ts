/**
 * scalar.geometric-tail: Σ_{j ≥ w} C ρʲ = C ρʷ/(1 − ρ) for 0 ≤ ρ < 1. The partial sums
 * S_n = Σ_{j=w}^{w+n−1} ρʲ satisfy (1 − ρ) S_n = ρʷ − ρ^{w+n} by induction; the induction step is
 * the polynomial identity below (a = ρʷ, c = ρ^{w+n}), checked exactly. Letting n → ∞ (ρⁿ → 0)
 * gives the identity; every partial sum is ≤ ρʷ/(1 − ρ).
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const geometricTail: ProofScript = {
  claim: 'scalar.geometric-tail',
  statement: 'For C ≥ 0, 0 ≤ ρ < 1 and integer w ≥ 0: Σ_{j ≥ w} C·ρʲ = C·ρʷ/(1 − ρ), and every partial sum Σ_{j=w}^{w+n−1} C·ρʲ = C·ρʷ(1 − ρⁿ)/(1 − ρ) ≤ C·ρʷ/(1 − ρ).',
  domain: 'ρ ∈ [0, 1), w ≥ 0 and n ≥ 0 integers, C ≥ 0',
  lemmas: ['ρⁿ → 0 for 0 ≤ ρ < 1'],
  reduction: 'theory/scalar.md#scalargeometric-tail',
  obligations: [
    {
      kind: 'identity',
      name: 'induction step: (1−ρ)(S_n + c) = (a − c) + (1−ρ)c = a − cρ, with a = ρʷ, c = ρ^{w+n}',
      variables: ['a', 'c', 'p'],
      polynomial: '(a - c) + (1 - p)*c - (a - c*p)',
    },
    {
      kind: 'identity',
      name: 'base case n = 0: (1−ρ)·0 = a − a',
      variables: ['a', 'p'],
      polynomial: '(1 - p)*0 - (a - a)',
    },
  ],
};
