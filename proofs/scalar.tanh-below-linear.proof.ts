/**
 * scalar.tanh-below-linear: 2·tanh(r/4) ≤ r/2 for r ≥ 0. One box [0, ∞]: the difference
 * r/2 − 2 tanh(r/4) has derivative (1 − sech²(r/4))/2 = tanh²(r/4)/2 ≥ 0 and is 0 at r = 0, so
 * the interval enclosure of the derivative on the unbounded box closes the tail too.
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const tanhBelowLinear: ProofScript = {
  claim: 'scalar.tanh-below-linear',
  lemmas: [],
  reduction: 'theory/scalar.md#scalartanh-below-linear',
};
