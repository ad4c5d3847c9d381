/**
 * scalar.h-plus-xlnm-increasing: F_M(x) = h(x) + x ln M is increasing on [0, M/(M+1)] for every
 * M ≥ 1. M is removed by the argument in theory/scalar.md: F_M′ = h′ + ln M, h′ is strictly
 * decreasing (h″ < 0, machine-checked here) and F_M′(M/(M+1)) = ln(M·(1−x)/x) = ln 1 = 0
 * (the identity below), so F_M′ > 0 on (0, M/(M+1)).
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const hPlusXlnmIncreasing: ProofScript = {
  claim: 'scalar.h-plus-xlnm-increasing',
  lemmas: ['scalar.h-concave (h″ < 0 on (0, 1))', 'F_M′(x) = ln((1−x)/x) + ln M = ln(M(1−x)/x) on (0, 1)'],
  reduction: 'theory/scalar.md#scalarh-plus-xlnm-increasing',
};
