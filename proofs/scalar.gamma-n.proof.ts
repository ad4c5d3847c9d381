/**
 * scalar.gamma-n (false as stated): "γ_n = nu/(1 − nu) ≤ 1.01·n·u whenever n·u ≤ 0.01". With
 * z = n·u, γ ≤ 1.01 z ⇔ z ≤ 1/101 ≈ 0.0099010, so it fails for z ∈ (1/101, 0.01]; fp32 realises
 * it: u = 2⁻²⁴, n = 167 772 gives z = 0.00999999…, witnessed below. The corrected statements are
 * scalar.gamma-n-corrected.
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const gammaN: ProofScript = {
  claim: 'scalar.gamma-n',
  lemmas: [],
  reduction: 'theory/scalar.md#scalargamma-n',
  witness: [{ lo: 167772 * 2 ** -24, hi: 167772 * 2 ** -24 }],
};
