/**
 * Output-error bounds (theory/output-error.md): o − ô = δ·(μ_D − μ_S), so ‖o − ô‖ ≤ δ·max_{i∈D, j∈S}‖v_i − v_j‖
 * ≤ 2δ·max_i‖v_i‖.
 */
import { probability, realInDomain } from './arguments.js';

/** δ·diameter, with diameter = max_{i∈D, j∈S}‖v_i − v_j‖ ≥ 0. */
export function outputErrorBoundDiameter(delta: number, diameter: number): number {
  probability('delta', delta);
  realInDomain('diameter', diameter, 0, Number.MAX_VALUE, '[0, ∞) (a finite norm)');
  return delta * diameter;
}

/** 2δ·maxValueNorm, with maxValueNorm = max_i‖v_i‖ ≥ 0. */
export function outputErrorBoundMaxNorm(delta: number, maxValueNorm: number): number {
  probability('delta', delta);
  realInDomain('maxValueNorm', maxValueNorm, 0, Number.MAX_VALUE, '[0, ∞) (a finite norm)');
  return 2 * delta * maxValueNorm;
}
