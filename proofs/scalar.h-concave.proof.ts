/** scalar.h-concave: h″(x) = −1/(x(1−x)) < 0 on (0, 1), so h is strictly concave on [0, 1]. */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const hConcave: ProofScript = {
  claim: 'scalar.h-concave',
  lemmas: [],
  reduction: 'theory/scalar.md#scalarh-concave',
};
