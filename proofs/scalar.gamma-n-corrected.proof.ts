/**
 * scalar.gamma-n-corrected: the γ_n constants that do hold, with z = n·u:
 *   z ≤ 0.0099 ⇒ γ ≤ 1.01 z   (fp16 n ≤ 20, bf16 n ≤ 2, fp32 n ≤ 166 094);
 *   z ≤ 0.01   ⇒ γ ≤ 1.0102 z (the "n·u ≤ 0.01" condition with its right constant, 1/0.99 < 1.0102);
 *   z ≤ 2⁻⁴    ⇒ γ ≤ 1.07 z   (fp32 with n ≤ 2²⁰: 16/15 < 1.07).
 * Domain ends that are not doubles are rounded up, so each box covers its real domain.
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const gammaNCorrected: ProofScript = {
  claim: 'scalar.gamma-n-corrected',
  lemmas: [],
  reduction: 'theory/scalar.md#scalargamma-n-corrected',
};
