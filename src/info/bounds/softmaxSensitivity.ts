/**
 * Softmax sensitivity (theory/softmax-sensitivity.md): for logits z and a perturbation u with
 * r = max u − min u, ‖softmax(z+u) − softmax(z)‖₁ ≤ 2·tanh(r/4) ≤ r/2 ≤ ‖u‖∞ (for the last step
 * r ≤ 2‖u‖∞). The tanh form is attained in the limit by two-valued u.
 */
import { realInDomain } from './arguments.js';

function range(value: number): number {
  return realInDomain('range', value, 0, Infinity, '[0, ∞] (range = max u − min u)');
}

/** r/2: the linear bound. */
export function softmaxSensitivityLinear(rangeOfPerturbation: number): number {
  return range(rangeOfPerturbation) / 2;
}

/** 2·tanh(r/4): the sharp bound (≤ r/2 and ≤ 2). */
export function softmaxSensitivityTanh(rangeOfPerturbation: number): number {
  return 2 * Math.tanh(range(rangeOfPerturbation) / 4);
}
