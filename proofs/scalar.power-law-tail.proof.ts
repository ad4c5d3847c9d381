/**
 * scalar.power-law-tail: Σ_{j > w} j^{−β} ≤ w^{1−β}/(β − 1) for β > 1 and integer w ≥ 1. The
 * scalar part machine-checked here: t ↦ t^{−β} = exp(−β ln t) is non-increasing on [1, ∞) for
 * every β ≥ 1 (one unbounded box in (t, β)), so j^{−β} ≤ ∫_{j−1}^{j} t^{−β} dt for j ≥ 2;
 * summing over j > w gives ∫_w^∞ t^{−β} dt = w^{1−β}/(β − 1).
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const powerLawTail: ProofScript = {
  claim: 'scalar.power-law-tail',
  statement: 'For every β > 1 and integer w ≥ 1: Σ_{j > w} j^{−β} ≤ w^{1−β}/(β − 1) (so under A_{t−j} ≤ C·j^{−β} the mass beyond distance w is ≤ C·w^{1−β}/(β − 1)).',
  domain: 'β ∈ (1, ∞), w ≥ 1 integer (t ∈ [1, ∞), β ∈ [1, ∞] in the obligation)',
  lemmas: ['∫_w^∞ t^{−β} dt = w^{1−β}/(β − 1) for β > 1, w > 0'],
  reduction: 'theory/scalar.md#scalarpower-law-tail',
  obligations: [
    {
      name: '∂/∂t exp(−β ln t) ≤ 0 on t ∈ [1, ∞], β ∈ [1, ∞]',
      variables: ['t', 'b'],
      domain: [
        { lo: 1, hi: Infinity },
        { lo: 1, hi: Infinity },
      ],
      quantity: 'exp(-b*log(t))',
      derivative: { variable: 't', order: 1 },
      relation: '<=0',
    },
  ],
};
