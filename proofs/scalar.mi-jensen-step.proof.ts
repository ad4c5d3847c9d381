/**
 * scalar.mi-jensen-step: the scalar steps of the MI-loss bound. For N ≥ 2, φ_N(x) = h(x) + x ln(N−1)
 * (i) is concave on [0, 1] (h″ < 0; the linear term has no curvature), (ii) is non-decreasing on
 * [0, 1 − 1/N] (scalar.h-plus-xlnm-increasing with M = N − 1) and (iii) never exceeds ln N
 * (Gibbs: ln t ≤ t − 1, machine-checked below on (0, ∞) in two unbounded pieces, then the exact
 * identity that the linearised terms sum to 0).
 */
import type { ProofScript } from '../src/proofs/proofScript.js';

export const miJensenStep: ProofScript = {
  claim: 'scalar.mi-jensen-step',
  statement:
    'For every integer N ≥ 2, φ_N(x) = h(x) + x·ln(N−1) is concave on [0, 1], non-decreasing on [0, 1 − 1/N], and φ_N(x) ≤ ln N on [0, 1] with equality only at x = 1 − 1/N.',
  domain: 'N ≥ 2 integer, x ∈ [0, 1]; monotone only on [0, 1 − 1/N]',
  lemmas: ['scalar.h-concave', 'scalar.h-plus-xlnm-increasing (M = N − 1)', 'ln t ≤ t − 1 for t > 0 (obligations 1 and 2)'],
  reduction: 'theory/scalar.md#scalarmi-jensen-step',
  obligations: [
    {
      name: 'φ_N″ = h″ < 0 on [0, 1]',
      variables: ['x'],
      domain: [{ lo: 0, hi: 1 }],
      quantity: 'h(x)',
      derivative: { variable: 'x', order: 2 },
      relation: '<0',
    },
    {
      name: 'ln t ≤ t − 1 for t ∈ [1, ∞]',
      variables: ['t'],
      domain: [{ lo: 1, hi: Infinity }],
      quantity: 't - 1 - log(t)',
      relation: '>=0',
    },
    {
      name: 'ln t ≤ t − 1 for t = e^{−u} ∈ (0, 1], u ∈ [0, ∞]: e^{−u} − 1 + u ≥ 0',
      variables: ['u'],
      domain: [{ lo: 0, hi: Infinity }],
      quantity: 'exp(-u) - 1 + u',
      relation: '>=0',
    },
    {
      kind: 'identity',
      name: 'N·[(1−x)(1 − 1/(N(1−x))) + x(1 − (N−1)/(N x))] = N(1−x) − 1 + N x − (N − 1) = 0',
      variables: ['N', 'x'],
      polynomial: 'N*(1 - x) - 1 + N*x - (N - 1)',
    },
  ],
};
