/**
 * scalar.h-plus-xlnm-not-increasing-beyond (expected to fail): "h(x) + x ln M is increasing on all
 * of [0, 1] for every integer M ≥ 1" is false. The prover fails on M = 2 and stores a box where
 * the derivative h′(x) + ln 2 is strictly negative, so the function strictly decreases there.
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const hPlusXlnmNotIncreasingBeyond: ProofScript = {
  claim: 'scalar.h-plus-xlnm-not-increasing-beyond',
  statement: 'As stated (false): for every integer M ≥ 1, h(x) + x·ln M is non-decreasing on all of [0, 1]. Refuted by M = 2: the derivative is < 0 on a box beyond 2/3.',
  domain: 'M = 2, x ∈ [0, 1] (the claim as stated); true only on [0, M/(M+1)]',
  lemmas: [],
  reduction: 'theory/scalar.md#scalarh-plus-xlnm-not-increasing-beyond',
  obligations: [],
  refute: {
    goal: {
      name: 'd/dx [h(x) + x ln 2] ≥ 0 on [0, 1]',
      variables: ['x'],
      domain: [{ lo: 0, hi: 1 }],
      quantity: 'h(x) + x*log(2)',
      derivative: { variable: 'x', order: 1 },
      relation: '>=0',
    },
  },
};
