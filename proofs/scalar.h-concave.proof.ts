/** scalar.h-concave: h″(x) = −1/(x(1−x)) < 0 on (0, 1), so h is strictly concave on [0, 1]. */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const hConcave: ProofScript = {
  claim: 'scalar.h-concave',
  statement: 'h(x) = −x ln x − (1−x) ln(1−x) is continuous on [0, 1] and h″(x) < 0 on (0, 1); hence h is strictly concave on [0, 1].',
  domain: 'x ∈ [0, 1] (h″ at interior points; h continuous on the closed interval, 0·ln 0 = 0)',
  lemmas: [],
  reduction: 'theory/scalar.md#scalarh-concave',
  obligations: [
    {
      name: 'h″ < 0 on [0, 1]',
      variables: ['x'],
      domain: [{ lo: 0, hi: 1 }],
      quantity: 'h(x)',
      derivative: { variable: 'x', order: 2 },
      relation: '<0',
    },
  ],
};
