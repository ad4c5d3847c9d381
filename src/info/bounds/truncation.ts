/**
 * Truncation identity (theory/truncation.md): for Â the renormalisation of A on a kept set with dropped mass
 * δ, KL(Â‖A) = −ln(1−δ). (TV(A, Â) = δ, and KL(A‖Â) = ∞ when δ > 0.)
 */
import { realInDomain } from './arguments.js';

/** KL(Â‖A) = −ln(1−δ), δ ∈ [0, 1); computed as −log1p(−δ) so tiny δ keeps its accuracy. */
export function klSparseToDense(delta: number): number {
  realInDomain('delta', delta, 0, 1, '[0, 1) (at δ = 1 nothing is kept and Â is undefined)', true);
  return -Math.log1p(-delta);
}
