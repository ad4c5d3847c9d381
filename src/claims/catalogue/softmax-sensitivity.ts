/** Claims about the sensitivity of softmax to logit perturbations (theory/softmax-sensitivity.md). */
import type { ClaimStatement } from '../claim.js';

export const softmaxSensitivityClaims: readonly ClaimStatement[] = [
  {
    id: 'softmax-sensitivity.linear',
    title: 'Softmax is range/2-Lipschitz in L1',
    statement: 'For z, u ∈ R^N with r = max u − min u: ‖softmax(z+u) − softmax(z)‖₁ ≤ r/2 ≤ ‖u‖∞.',
    domain: 'N ≥ 1, finite z and u',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'softmax-sensitivity.tanh',
    title: 'Sharp softmax sensitivity 2·tanh(range/4)',
    statement: 'For z, u ∈ R^N with r = max u − min u: ‖softmax(z+u) − softmax(z)‖₁ ≤ 2·tanh(r/4) ≤ r/2.',
    domain: 'N ≥ 1, finite z and u',
    source: 'ours',
    expected: 'holds',
  },
  {
    id: 'softmax-sensitivity.tanh-attained',
    title: 'A two-valued perturbation attains 2·tanh(range/4)',
    statement:
      'For N ≥ 2, r ≥ 0 and B ⊂ [N] with ∅ ≠ B ≠ [N]: if softmax(z)(B) = 1/(1 + e^{r/2}) and u = r on B, 0 off B, then ‖softmax(z+u) − softmax(z)‖₁ = 2·tanh(r/4). So the tanh bound is sharp for every N ≥ 2.',
    domain: 'N ≥ 2, 0 ≤ r ≤ 60 in the property',
    source: 'ours',
    expected: 'holds',
  },
];
