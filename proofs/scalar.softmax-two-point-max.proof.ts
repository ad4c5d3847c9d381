/**
 * scalar.softmax-two-point-max: x(1−x)(eʳ − 1)/(1 + x(eʳ − 1)) ≤ tanh(r/4) for r ≥ 0, x ∈ [0, 1].
 * With E = e^{r/2} ∈ [1, ∞) both sides are rational in (x, E) and
 *   tanh(r/4) − f = (E−1)(1 − x(1+E))² / ((E+1)(1 + x(E²−1))),
 * an identity checked exactly (cross-multiplied, as a polynomial) plus a sign check of the right
 * side on one unbounded box. Equality holds exactly at x = 1/(1 + e^{r/2}).
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const softmaxTwoPointMax: ProofScript = {
  claim: 'scalar.softmax-two-point-max',
  lemmas: ['tanh(r/4) = (E − 1)/(E + 1) and eʳ − 1 = E² − 1 for E = e^{r/2}'],
  reduction: 'theory/scalar.md#scalarsoftmax-two-point-max',
};
