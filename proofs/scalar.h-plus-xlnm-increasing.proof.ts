/**
 * scalar.h-plus-xlnm-increasing: F_M(x) = h(x) + x ln M is increasing on [0, M/(M+1)] for every
 * M ≥ 1. M is removed by the argument in theory/scalar.md: F_M′ = h′ + ln M, h′ is strictly
 * decreasing (h″ < 0, machine-checked here) and F_M′(M/(M+1)) = ln(M·(1−x)/x) = ln 1 = 0
 * (the identity below), so F_M′ > 0 on (0, M/(M+1)).
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const hPlusXlnmIncreasing: ProofScript = {
  claim: 'scalar.h-plus-xlnm-increasing',
  statement: 'For every integer M ≥ 1 (indeed every real M > 0), F_M(x) = h(x) + x·ln M is strictly increasing on [0, M/(M+1)].',
  domain: 'M ≥ 1 integer, x ∈ [0, M/(M+1)]; not beyond M/(M+1) (scalar.h-plus-xlnm-not-increasing-beyond)',
  lemmas: ['scalar.h-concave (h″ < 0 on (0, 1))', 'F_M′(x) = ln((1−x)/x) + ln M = ln(M(1−x)/x) on (0, 1)'],
  reduction: 'theory/scalar.md#scalarh-plus-xlnm-increasing',
  obligations: [
    {
      name: 'h″ < 0 on [0, 1], so h′ = F_M′ − ln M is strictly decreasing',
      variables: ['x'],
      domain: [{ lo: 0, hi: 1 }],
      quantity: 'h(x)',
      derivative: { variable: 'x', order: 2 },
      relation: '<0',
    },
    {
      kind: 'identity',
      name: 'at x = M/(M+1): (M+1)·(M(1−x) − x) = M·((M+1) − M) − M = 0, so F_M′(M/(M+1)) = ln 1 = 0',
      variables: ['M'],
      polynomial: 'M*((M + 1) - M) - M',
    },
  ],
};
