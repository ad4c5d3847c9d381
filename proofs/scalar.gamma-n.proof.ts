/**
 * scalar.gamma-n (false as stated): "γ_n = nu/(1 − nu) ≤ 1.01·n·u whenever n·u ≤ 0.01". With
 * z = n·u, γ ≤ 1.01 z ⇔ z ≤ 1/101 ≈ 0.0099010, so it fails for z ∈ (1/101, 0.01]; fp32 realises
 * it: u = 2⁻²⁴, n = 167 772 gives z = 0.00999999…, witnessed below. The corrected statements are
 * scalar.gamma-n-corrected.
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const gammaN: ProofScript = {
  claim: 'scalar.gamma-n',
  statement: 'As stated (false): γ_n = n·u/(1 − n·u) ≤ 1.01·n·u whenever n·u ≤ 0.01. Refuted at fp32, u = 2⁻²⁴, n = 167772 (n·u ≈ 0.0099999905).',
  domain: 'z = n·u ∈ [0, 0.01]',
  lemmas: [],
  reduction: 'theory/scalar.md#scalargamma-n',
  obligations: [],
  refute: {
    goal: {
      name: '1.01·z − z/(1 − z) ≥ 0 on z ∈ [0, 0.01]',
      variables: ['z'],
      domain: [{ lo: 0, hi: 0.01 }],
      quantity: '1.01*z - z/(1 - z)',
      relation: '>=0',
    },
    witness: [{ lo: 167772 * 2 ** -24, hi: 167772 * 2 ** -24 }],
  },
};
