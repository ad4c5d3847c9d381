/**
 * The generator for synthetic traces, figures and random checkpoints: xoshiro128** for uniforms
 * and Box–Muller (both outputs used) for normals, so data are fully described by their options and
 * seed.
 */
import { xoshiro128StarStar } from './xoshiro128.js';

export interface RandomSource {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Uniform integer in [0, n). */
  integer(n: number): number;
}

export function seededRandom(seed: number): RandomSource {
  const next = xoshiro128StarStar(seed);
  let spare = Number.NaN;
  const uniform = () => next() / 4294967296;
  return {
    uniform,
    normal() {
      if (!Number.isNaN(spare)) {
        const s = spare;
        spare = Number.NaN;
        return s;
      }
      // Box–Muller on (0, 1]: never log(0).
      const u = 1 - uniform();
      const v = uniform();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    integer(n) {
      return Math.floor(uniform() * n);
    },
  };
}
