/**
 * scalar.gamma-n-corrected: the γ_n constants that do hold, with z = n·u:
 *   z ≤ 0.0099 ⇒ γ ≤ 1.01 z   (fp16 n ≤ 20, bf16 n ≤ 2, fp32 n ≤ 166 094);
 *   z ≤ 0.01   ⇒ γ ≤ 1.0102 z (the "n·u ≤ 0.01" condition with its right constant, 1/0.99 < 1.0102);
 *   z ≤ 2⁻⁴    ⇒ γ ≤ 1.07 z   (fp32 with n ≤ 2²⁰: 16/15 < 1.07).
 * Domain ends that are not doubles are rounded up, so each box covers its real domain.
 */
import { nextUp } from '../src/proofs/interval.js';
import type { ProofScript } from '../src/proofs/proofScript.js';

const goal = (constant: string, zMax: number, label: string) =>
  ({
    name: `γ = z/(1 − z) ≤ ${constant}·z for z ∈ [0, ${label}]`,
    variables: ['z'],
    domain: [{ lo: 0, hi: zMax }],
    quantity: `${constant}*z - z/(1 - z)`,
    relation: '>=0',
  }) as const;

export const gammaNCorrected: ProofScript = {
  claim: 'scalar.gamma-n-corrected',
  statement:
    'With z = n·u and γ_n = z/(1 − z): γ_n ≤ 1.01·z for z ≤ 0.0099; γ_n ≤ 1.0102·z for z ≤ 0.01; γ_n ≤ 1.07·z for z ≤ 2⁻⁴ (fp32, n ≤ 2²⁰). Hence 1.01·n·u holds for fp16 (u = 2⁻¹¹, n·u ≤ 0.01 ⇒ n ≤ 20), bf16 (u = 2⁻⁸, n ≤ 2) and fp32 up to n = 166094.',
  domain: 'z = n·u ∈ [0, 0.0099], [0, 0.01], [0, 2⁻⁴] respectively',
  lemmas: [],
  reduction: 'theory/scalar.md#scalargamma-n-corrected',
  obligations: [goal('1.01', nextUp(0.0099), '0.0099'), goal('1.0102', nextUp(0.01), '0.01'), goal('1.07', 2 ** -4, '2⁻⁴')],
};
