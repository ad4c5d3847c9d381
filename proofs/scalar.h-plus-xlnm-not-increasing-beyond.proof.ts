/**
 * scalar.h-plus-xlnm-not-increasing-beyond (expected to fail): "h(x) + x ln M is increasing on all
 * of [0, 1] for every integer M ≥ 1" is false. The prover fails on M = 2 and stores a box where
 * the derivative h′(x) + ln 2 is strictly negative, so the function strictly decreases there.
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const hPlusXlnmNotIncreasingBeyond: ProofScript = {
  claim: 'scalar.h-plus-xlnm-not-increasing-beyond',
  lemmas: [],
  reduction: 'theory/scalar.md#scalarh-plus-xlnm-not-increasing-beyond',
};
