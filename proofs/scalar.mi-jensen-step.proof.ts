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
  lemmas: [
    'scalar.h-concave',
    'scalar.h-plus-xlnm-increasing (M = N − 1)',
    'ln t ≤ t − 1 for t > 0 (obligations 1 and 2)',
  ],
  reduction: 'theory/scalar.md#scalarmi-jensen-step',
};
