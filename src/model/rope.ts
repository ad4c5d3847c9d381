/**
 * Rotary position embedding as HF transformers applies it to LLaMA-family models: the inverse
 * frequencies θ_i = base^(−2i/d) (i < d/2), optionally rescaled (`linear`: divided by the factor;
 * `llama3`: long wavelengths divided by the factor, short ones kept, a smooth blend between), and
 * the "rotate half" convention: for i < d/2, the pair (x_i, x_{i+d/2}) is rotated by pos·θ_i.
 *
 * The reference computes everything in float64. HF computes θ and the angles in float32
 * (theory/model.md says what that costs in a cross-check), as the fp32 engines do (`round`).
 */
import type { ModelConfig, RopeScaling } from './config.js';
import { noRounding, type Rounding } from './numerics/rounding.js';

/** θ_0 … θ_{d/2−1} for a head dimension d, base and scaling. */
export function ropeInverseFrequencies(headDim: number, base: number, scaling: RopeScaling): Float64Array {
  const half = headDim / 2;
  const inverse = new Float64Array(half);
  for (let i = 0; i < half; i++) inverse[i] = 1 / base ** ((2 * i) / headDim);
  if (scaling.type === 'linear') {
    for (let i = 0; i < half; i++) inverse[i]! /= scaling.factor;
  } else if (scaling.type === 'llama3') {
    const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: context } = scaling;
    const lowFrequencyWavelength = context / lowFreqFactor;
    const highFrequencyWavelength = context / highFreqFactor;
    for (let i = 0; i < half; i++) {
      const theta = inverse[i]!;
      const wavelength = (2 * Math.PI) / theta;
      if (wavelength > lowFrequencyWavelength) inverse[i] = theta / factor;
      else if (wavelength >= highFrequencyWavelength) {
        const smooth = (context / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        inverse[i] = ((1 - smooth) * theta) / factor + smooth * theta;
      }
    }
  }
  return inverse;
}

/** The inverse frequencies of a model's config. */
export function modelInverseFrequencies(config: ModelConfig): Float64Array {
  return ropeInverseFrequencies(config.headDim, config.ropeTheta, config.ropeScaling);
}

/** Which head vectors `applyRope` turns, to which position, in which arithmetic. */
export interface RopeRotation {
  /** Consecutive head vectors x[offset + h·headDim + c], h < heads. */
  readonly heads: number;
  readonly headDim: number;
  /** First element of head 0 (default 0). */
  readonly offset?: number;
  readonly position: number;
  /** θ_0 … θ_{headDim/2−1}, already in the arithmetic's format. */
  readonly inverse: Float64Array;
  /** Rounding of each operation's result (default none: float64). */
  readonly round?: Rounding;
}

/** Rotates the head vectors of x in place: each pair (c, c + d/2) turns by position·θ_c. */
export function applyRope(x: Float64Array, rotation: RopeRotation): void {
  const { heads, headDim, offset = 0, position, inverse, round: r = noRounding } = rotation;
  const half = headDim / 2;
  for (let c = 0; c < half; c++) {
    const angle = r(position * inverse[c]!);
    const cos = r(Math.cos(angle));
    const sin = r(Math.sin(angle));
    for (let h = 0; h < heads; h++) {
      const base = offset + h * headDim;
      const a = x[base + c]!;
      const b = x[base + c + half]!;
      x[base + c] = r(r(a * cos) - r(b * sin));
      x[base + c + half] = r(r(b * cos) + r(a * sin));
    }
  }
}
