/**
 * Properties of softmax sensitivity (theory/softmax-sensitivity.md): for a perturbation u of the
 * logits with range r = max u − min u, ‖softmax(z+u) − softmax(z)‖₁ ≤ 2 tanh(r/4) ≤ r/2 ≤ ‖u‖∞,
 * and two-valued perturbations attain 2 tanh(r/4).
 */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import type { Implementation } from '../src/claims/implementation.js';
import { UNIT_ROUNDOFF as u } from '../src/info/roundingError.js';
import { softmaxRelativeError } from './entropy.js';
import { finiteDouble, logitsArbitrary } from './generators.js';
import { ansiCLcg } from '../src/random/index.js';

/** Perturbation shapes: dense noise, two-valued (the extremal shape), one spike, and tiny noise. */
type PerturbationShape = 'noise' | 'two-valued' | 'spike' | 'tiny';

const perturbationArbitrary = fc.tuple(
  fc.constantFrom<PerturbationShape>('noise', 'two-valued', 'spike', 'tiny'),
  fc.integer(),
  fc.constantFrom(1e-9, 1e-3, 0.1, 1, 4, 16, 80),
  finiteDouble(-1, 1),
);

function perturbation(n: number, [shape, seed, size, offset]: [PerturbationShape, number, number, number]): number[] {
  const next = ansiCLcg(seed);
  return Array.from({ length: n }, (_, i) => {
    switch (shape) {
      case 'noise':
        return size * (2 * next() - 1);
      case 'two-valued':
        return next() < 0.5 ? size + offset : offset;
      case 'spike':
        return i === (seed >>> 0) % n ? size : offset;
      case 'tiny':
        return 1e-12 * (2 * next() - 1) + offset;
    }
  });
}

interface Sensitivity {
  readonly l1: number;
  readonly range: number;
  readonly supNorm: number;
  /** Slack: both softmaxes' entry errors (relative, entries sum to 1), the L1 sum, and z + u's rounding. */
  readonly tolerance: number;
}

function measure(impl: Implementation, z: number[], delta: number[]): Sensitivity {
  const moved = z.map((x, i) => x + delta[i]!);
  const p = impl.core.softmax(z);
  const q = impl.core.softmax(moved);
  let l1 = 0;
  let hi = -Infinity;
  let lo = Infinity;
  let supNorm = 0;
  let largest = 0;
  for (let i = 0; i < z.length; i++) {
    l1 += Math.abs(q[i]! - p[i]!);
    hi = Math.max(hi, delta[i]!);
    lo = Math.min(lo, delta[i]!);
    supNorm = Math.max(supNorm, Math.abs(delta[i]!));
    largest = Math.max(largest, Math.abs(moved[i]!));
  }
  // Rounding z + u moves each entry of the effective perturbation by ≤ u·|z + u|, so its range by
  // ≤ 2u·max|z+u|, which moves the L1 distance by at most half that (the linear bound itself).
  const tolerance =
    2 * (softmaxRelativeError(z) + softmaxRelativeError(moved)) + (z.length + 1) * u + u * largest + 2 * u * (hi - lo);
  return { l1, range: hi - lo, supNorm, tolerance };
}

export const softmaxSensitivityProperties: PropertySuite = {
  'softmax-sensitivity.linear': {
    runs: 200,
    property: (impl) =>
      fc.property(logitsArbitrary(), perturbationArbitrary, (z, shape) => {
        const s = measure(impl, z, perturbation(z.length, shape));
        const bound = impl.info.softmaxSensitivityLinear(s.range);
        claimAssert(
          s.l1 <= bound + s.tolerance,
          () => `‖Δsoftmax‖₁ = ${s.l1} > range/2 = ${bound} (range ${s.range}, tolerance ${s.tolerance})`,
        );
        claimAssert(bound <= s.supNorm, () => `range/2 = ${bound} > ‖u‖∞ = ${s.supNorm}`);
        return true;
      }),
  },

  'softmax-sensitivity.tanh': {
    runs: 200,
    property: (impl) =>
      fc.property(logitsArbitrary(), perturbationArbitrary, (z, shape) => {
        const s = measure(impl, z, perturbation(z.length, shape));
        const bound = impl.info.softmaxSensitivityTanh(s.range);
        claimAssert(
          s.l1 <= bound + s.tolerance,
          () => `‖Δsoftmax‖₁ = ${s.l1} > 2 tanh(range/4) = ${bound} (range ${s.range}, tolerance ${s.tolerance})`,
        );
        const linear = impl.info.softmaxSensitivityLinear(s.range);
        claimAssert(bound <= linear * (1 + 4 * u), () => `2 tanh(range/4) = ${bound} > range/2 = ${linear}`);
        return true;
      }),
  },

  'softmax-sensitivity.tanh-attained': {
    runs: 150,
    property: (impl) =>
      fc.property(
        fc.integer({ min: 2, max: 4096 }),
        finiteDouble(0, 1),
        finiteDouble(0, 60),
        finiteDouble(-20, 20),
        (n, share, r, level) => {
          // B = the first m indices; logits a on B, b off B with p(B) = 1/(1 + e^{r/2}), the maximiser.
          const m = Math.max(1, Math.min(n - 1, Math.round(share * n)));
          const a = level - r / 2 + Math.log((n - m) / m);
          const z = Array.from({ length: n }, (_, i) => (i < m ? a : level));
          const delta = z.map((_, i) => (i < m ? r : 0));
          const s = measure(impl, z, delta);
          const bound = impl.info.softmaxSensitivityTanh(r);
          // The construction errs in p(B) (log, subtraction) but p(B) sits at the maximum of
          // x ↦ 2x(1−x)(e^r−1)/(1+x(e^r−1)), so that error enters only at second order.
          const tolerance = s.tolerance + 4 * u * bound;
          claimAssert(
            Math.abs(s.l1 - bound) <= tolerance,
            () =>
              `two-valued u: ‖Δsoftmax‖₁ = ${s.l1} ≠ 2 tanh(r/4) = ${bound} (N = ${n}, |B| = ${m}, r = ${r}, tolerance ${tolerance})`,
          );
          return true;
        },
      ),
  },
};
