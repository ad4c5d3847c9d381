/**
 * Properties of entropy under truncation (theory/entropy.md): the exact grouping identity, its
 * two-sided bound, and Fannes–Audenaert continuity. Tolerances are the a-priori rounding bounds of
 * src/info/roundingError.ts, evaluated on each case (derivation in theory/entropy.md §Rounding).
 */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import type { Implementation } from '../src/claims/implementation.js';
import { binaryEntropyRoundingError, entropyRoundingError, UNIT_ROUNDOFF as u } from '../src/info/roundingError.js';
import { finiteDouble, keepChoice, keepFor, logitsArbitrary } from './generators.js';
import { ansiCLcg } from '../src/random/index.js';

/** A non-empty kept set for length n: one guaranteed index plus the shared keepChoice material. */
export const nonEmptyKeepChoice = fc.tuple(fc.nat({ max: 1 << 20 }), keepChoice);

export function nonEmptyKeepFor(n: number, [first, rest]: [number, number[]]): number[] {
  return keepFor(n, [first, ...rest]);
}

/**
 * Relative error of the computed softmax(z) entries against the exact softmax: exp of z_i − max
 * (whose rounding is an absolute u·|z_i − max| ≤ u·span, so a relative error u·span after exp),
 * 1 ulp for exp, γ_N for the sum, 1 for the division. Used by every suite built on logits.
 */
export function softmaxRelativeError(z: ArrayLike<number>): number {
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < z.length; i++) {
    max = Math.max(max, z[i]!);
    min = Math.min(min, z[i]!);
  }
  return (max - min + z.length + 4) * u;
}

interface Truncation {
  readonly n: number;
  readonly k: number;
  readonly attention: Float64Array;
  readonly sparse: Float64Array;
  /** A_D/δ (length N − k), or empty when δ = 0. */
  readonly droppedShare: Float64Array;
  readonly delta: number;
  /** Relative error bounds of A, Â and δ against exact arithmetic on the logits. */
  readonly etaDense: number;
  readonly etaSparse: number;
  readonly etaDelta: number;
}

function truncate(impl: Implementation, z: number[], keep: number[]): Truncation {
  const n = z.length;
  const attention = impl.core.softmax(z);
  const sparse = impl.core.sparseAttentionWeights(z, keep);
  const delta = impl.core.droppedMassFromLogits(z, keep);
  const kept = new Set(keep);
  const dropped: number[] = [];
  if (delta > 0) for (let i = 0; i < n; i++) if (!kept.has(i)) dropped.push(attention[i]! / delta);
  const eta = softmaxRelativeError(z);
  return {
    n,
    k: keep.length,
    attention,
    sparse,
    droppedShare: Float64Array.from(dropped),
    delta,
    etaDense: eta,
    etaSparse: eta,
    etaDelta: eta + 2 * u,
  };
}

export const entropyProperties: PropertySuite = {
  'entropy.grouping-identity': {
    runs: 150,
    property: (impl) =>
      fc.property(logitsArbitrary(), nonEmptyKeepChoice, (z, keepRaw) => {
        const t = truncate(impl, z, nonEmptyKeepFor(z.length, keepRaw));
        const { n, k, delta } = t;
        const H = impl.info.entropy(t.attention);
        const Hs = impl.info.entropy(t.sparse);
        const Hd = t.droppedShare.length > 0 ? impl.info.entropy(t.droppedShare) : 0;
        const h = impl.info.binaryEntropy(delta);
        const right = h + (1 - delta) * Hs + delta * Hd;
        // Each term's error: the entropies (entropyRoundingError with their input errors), h(δ) with δ's
        // absolute error, the weights (1−δ), δ against their relative errors, and the final sums.
        const dDelta = delta * t.etaDelta;
        const tolerance =
          entropyRoundingError(n, t.etaDense) +
          binaryEntropyRoundingError(delta, dDelta) +
          (1 - delta) * entropyRoundingError(k, t.etaSparse) +
          delta * entropyRoundingError(Math.max(1, n - k), t.etaDense + t.etaDelta) +
          dDelta * (Hs + Hd) +
          4 * u * (H + h + Hs + Hd);
        claimAssert(
          Math.abs(H - right) <= tolerance,
          () =>
            `H(A) = ${H} but h(δ) + (1−δ)H(Â) + δH(A_D/δ) = ${right} (δ = ${delta}, N = ${n}, k = ${k}; |difference| ${Math.abs(H - right)} > tolerance ${tolerance})`,
        );
        return true;
      }),
  },

  'entropy.grouping-bounds': {
    runs: 150,
    property: (impl) =>
      fc.property(logitsArbitrary(), nonEmptyKeepChoice, (z, keepRaw) => {
        const t = truncate(impl, z, nonEmptyKeepFor(z.length, keepRaw));
        const { n, k, delta } = t;
        const difference = impl.info.entropy(t.attention) - impl.info.entropy(t.sparse);
        const lower = impl.info.entropyGroupingLowerBound(delta, k);
        const upper = impl.info.entropyGroupingUpperBound(delta, n, k);
        const dDelta = delta * t.etaDelta;
        const tolerance =
          entropyRoundingError(n, t.etaDense) +
          entropyRoundingError(k, t.etaSparse) +
          binaryEntropyRoundingError(delta, dDelta) +
          dDelta * Math.log(n) +
          4 * u * (Math.abs(lower) + Math.abs(upper));
        claimAssert(
          lower - tolerance <= difference && difference <= upper + tolerance,
          () =>
            `H(A) − H(Â) = ${difference} outside [h(δ) − δ ln k, h(δ) + δ ln(N−k)] = [${lower}, ${upper}] (δ = ${delta}, N = ${n}, k = ${k}, tolerance ${tolerance})`,
        );
        return true;
      }),
  },

  'entropy.fannes-audenaert': {
    runs: 150,
    property: (impl) =>
      fc.property(
        logitsArbitrary(),
        fc.constantFrom('truncation', 'perturbation', 'independent'),
        nonEmptyKeepChoice,
        fc.integer(),
        finiteDouble(0, 1),
        (z, mode, keepRaw, seed, size) => {
          const n = z.length;
          const p = impl.core.softmax(z);
          let q: Float64Array;
          let etaQ = softmaxRelativeError(z);
          if (mode === 'truncation') q = impl.core.sparseAttentionWeights(z, nonEmptyKeepFor(n, keepRaw));
          else {
            // A second logit vector: z perturbed by up to `size`·10 per entry, or independent logits.
            const uniform = ansiCLcg(seed);
            const next = () => uniform() - 0.5;
            const w = z.map((x) => (mode === 'perturbation' ? x + 20 * size * next() : 160 * next()));
            q = impl.core.softmax(w);
            etaQ = softmaxRelativeError(w);
          }
          const T = impl.info.totalVariation(p, q);
          // T's absolute error: the entries' relative errors (their sums are ≤ 1 each) and the N-term sum.
          const dT = softmaxRelativeError(z) + etaQ + (n + 1) * u;
          fc.pre(impl.info.inMonotoneRange(Math.min(1, T + dT), n)); // the stated domain T ≤ 1 − 1/N, with T's rounding
          const gap = Math.abs(impl.info.entropy(p) - impl.info.entropy(q));
          const bound = impl.info.fannesAudenaertBound(T, n);
          // The bound is non-decreasing in T on the domain, so T's error enters through its slope
          // ln((N−1)(1−T)/T) ≤ ln(N−1) + ln(1/T): binaryEntropyRoundingError covers the h part.
          const tolerance =
            entropyRoundingError(n, softmaxRelativeError(z)) +
            entropyRoundingError(n, etaQ) +
            binaryEntropyRoundingError(T, dT) +
            dT * Math.log(Math.max(1, n - 1)) +
            4 * u * bound;
          claimAssert(
            gap <= bound + tolerance,
            () =>
              `|H(p) − H(q)| = ${gap} > T ln(N−1) + h(T) = ${bound} (T = ${T}, N = ${n}, ${mode}, tolerance ${tolerance})`,
          );
          return true;
        },
      ),
  },
};
