/**
 * Properties of the mutual-information loss of sparse attention (theory/mutual-information.md):
 * X ~ π over M queries, J | X=x ~ A(x) = softmax(z(x)), Ĵ | X=x ~ Â(x) on the query's own kept
 * set S(x). Joint laws are generated directly (small M, N: entries that shrink to readable
 * counterexamples) or expanded from a seed (N up to 4096), with random, shared, fixed-size and
 * oracle (top-k) kept sets.
 */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import type { Implementation } from '../src/claims/implementation.js';
import {
  binaryEntropyRoundingError,
  mutualInformationRoundingError,
  UNIT_ROUNDOFF as u,
} from '../src/info/roundingError.js';
import { softmaxRelativeError } from './entropy.js';
import { finiteDouble, lengthArbitrary } from './generators.js';
import { xorshift32 } from '../src/random/index.js';

/** A joint law as logits: π = softmax(piLogits) (uniform when null), A(x) = softmax(logits[x]), kept sets. */
export interface JointLawCase {
  readonly piLogits: number[] | null;
  readonly logits: number[][];
  readonly keep: number[][];
}

const DIRECT_QUERIES = 4;
const DIRECT_KEYS = 8;

/**
 * A logit in [−limit, limit]: half-integers (spread evenly, with ties, shrinking to readable values)
 * or arbitrary doubles (fast-check's double generator favours extremes and tiny values).
 */
function logitEntry(limit: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: -2 * limit, max: 2 * limit }).map((i) => i / 2) },
    { weight: 1, arbitrary: finiteDouble(-limit, limit) },
  );
}

/**
 * Small laws given entry by entry: M ≤ 4, N ≤ 8, logits in ±12. Kept sets are membership bits, or
 * (an adversarial selector) every index except the `dropTop` largest logits of the row: a selector
 * that misses the heavy hitters, which is where per-query kept sets hurt the most.
 */
function directLaw(options: { dropTopWeight?: number; logitLimit?: number } = {}): fc.Arbitrary<JointLawCase> {
  const pool = <T>(arbitrary: fc.Arbitrary<T>, length: number) =>
    fc.array(arbitrary, { minLength: length, maxLength: length });
  const dropTopWeight = options.dropTopWeight ?? 1;
  const logitLimit = options.logitLimit ?? 12;
  return fc
    .tuple(
      fc.integer({ min: 1, max: DIRECT_QUERIES }),
      fc.integer({ min: 1, max: DIRECT_KEYS }),
      fc.boolean(),
      pool(logitEntry(8), DIRECT_QUERIES),
      pool(logitEntry(logitLimit), DIRECT_QUERIES * DIRECT_KEYS),
      fc.oneof(
        { weight: 2, arbitrary: pool(fc.boolean(), DIRECT_QUERIES * DIRECT_KEYS) },
        { weight: dropTopWeight, arbitrary: fc.integer({ min: 1, max: DIRECT_KEYS - 1 }) },
      ),
    )
    .map(([m, n, uniform, piPool, logitPool, keepRule]) => {
      const logits = Array.from({ length: m }, (_, x) => logitPool.slice(x * DIRECT_KEYS, x * DIRECT_KEYS + n));
      const keep = logits.map((z, x) => {
        let kept: number[];
        if (typeof keepRule === 'number') {
          const order = z.map((_, i) => i).sort((a, b) => z[b]! - z[a]! || a - b);
          kept = order.slice(Math.min(keepRule, n - 1));
        } else kept = z.map((_, i) => i).filter((i) => !keepRule[x * DIRECT_KEYS + i]);
        return kept.length > 0 ? kept : [x % n]; // S(x) must be non-empty: keep one index
      });
      return { piLogits: uniform ? null : piPool.slice(0, m), logits, keep };
    });
}

/** How expanded laws choose kept sets. */
type KeepMode = 'random' | 'shared' | 'fixed-size' | 'drop-top';

function prng(seed: number): () => number {
  return xorshift32(seed, 0x2545f491);
}

/** A random k-subset of [0, n) (partial Fisher–Yates). */
function subset(n: number, k: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let j = 0; j < k; j++) {
    const r = j + Math.floor(random() * (n - j));
    [order[j], order[r]] = [order[r]!, order[j]!];
  }
  return order.slice(0, k);
}

/** Laws expanded from a seed: M ≤ 12, N up to 4096, logit scales from 0.5 to 80. */
function expandedLaw(): fc.Arbitrary<JointLawCase> {
  return fc
    .tuple(
      fc.integer({ min: 1, max: 12 }),
      lengthArbitrary(4096),
      fc.integer(),
      fc.constantFrom(0.5, 2, 8, 40, 80),
      fc.constantFrom<KeepMode>('random', 'shared', 'fixed-size', 'drop-top'),
      finiteDouble(0, 1),
      fc.boolean(),
    )
    .map(([m, n, seed, scale, mode, fraction, uniform]) => {
      const random = prng(seed);
      const logits = Array.from({ length: m }, () => Array.from({ length: n }, () => (2 * random() - 1) * scale));
      const size = Math.max(1, Math.min(n, Math.round(fraction * n)));
      const shared = subset(n, size, random);
      const keep = logits.map((z) => {
        if (mode === 'shared') return shared;
        if (mode === 'drop-top')
          return z
            .map((_, i) => i)
            .sort((a, b) => z[b]! - z[a]! || a - b)
            .slice(Math.min(n - size, n - 1));
        return subset(n, mode === 'fixed-size' ? size : 1 + Math.floor(random() * n), random);
      });
      return { piLogits: uniform ? null : Array.from({ length: m }, () => (2 * random() - 1) * 4), logits, keep };
    });
}

/** Every generated law: direct ones (readable when shrunk) and expanded ones (large N). */
export const jointLawArbitrary: fc.Arbitrary<JointLawCase> = fc.oneof(
  { weight: 3, arbitrary: directLaw() },
  { weight: 2, arbitrary: expandedLaw() },
);

/**
 * Laws where every query's own peak is dropped: M ≤ 4 queries, N ≤ 8 keys, query x peaks at key x
 * (height a_x ∈ [0, 6] above entries in ±1) and S(x) drops its one largest logit. Peaks at distinct
 * keys keep the dropped mass spread over many keys while δ̄ stays moderate, the regime (inside
 * δ̄ ≤ 1 − 1/N) where per-query kept sets beat the paper's form.
 */
function peakDroppingLaw(): fc.Arbitrary<JointLawCase> {
  const half = (limit: number) => fc.integer({ min: -2 * limit, max: 2 * limit }).map((i) => i / 2);
  return fc
    .tuple(
      fc.integer({ min: 2, max: DIRECT_QUERIES }),
      fc.integer({ min: 0, max: DIRECT_KEYS - DIRECT_QUERIES }),
      fc.array(
        fc.integer({ min: 0, max: 12 }).map((i) => i / 2),
        { minLength: DIRECT_QUERIES, maxLength: DIRECT_QUERIES },
      ),
      fc.array(half(1), { minLength: DIRECT_QUERIES * DIRECT_KEYS, maxLength: DIRECT_QUERIES * DIRECT_KEYS }),
      fc.option(fc.array(half(2), { minLength: DIRECT_QUERIES, maxLength: DIRECT_QUERIES }), { nil: null }),
    )
    .map(([m, extraKeys, peaks, noise, piPool]) => {
      const n = m + extraKeys;
      const logits = Array.from({ length: m }, (_, x) =>
        Array.from({ length: n }, (_, i) => (i === x ? peaks[x]! : 0) + noise[x * DIRECT_KEYS + i]!),
      );
      const keep = logits.map((z) => {
        const top = z.reduce((best, v, i) => (v > z[best]! ? i : best), 0);
        return z.map((_, i) => i).filter((i) => i !== top);
      });
      return { piLogits: piPool === null ? null : piPool.slice(0, m), logits, keep };
    });
}

/** The search for counterexamples to the paper's form: direct laws, adversarial kept sets often. */
export const paperSearchArbitrary: fc.Arbitrary<JointLawCase> = fc.oneof(
  { weight: 3, arbitrary: directLaw({ dropTopWeight: 6 }) },
  { weight: 2, arbitrary: peakDroppingLaw() },
  { weight: 1, arbitrary: expandedLaw() },
);

/** Laws with oracle kept sets: S(x) = top-k of z(x) for one budget k (ties to the lower index). */
export const oracleLawArbitrary: fc.Arbitrary<[JointLawCase, number]> = fc
  .tuple(jointLawArbitrary, finiteDouble(0, 1))
  .map(([law, fraction]) => {
    const n = law.logits[0]!.length;
    return [law, Math.max(1, Math.min(n, Math.round(fraction * n)))];
  });

/** A joint law evaluated by the implementation, with the rounding tolerance of comparisons on it. */
export interface EvaluatedLaw {
  readonly m: number;
  readonly n: number;
  readonly pi: Float64Array;
  readonly law: ReturnType<Implementation['info']['sparseJointLaw']>;
  /**
   * Absolute slack for comparing the loss with any of the bounds: the loss's error (two MI
   * evaluations) plus the error that δ̄ and the δ(x) carry into h and the log terms of the bound.
   */
  readonly tolerance: number;
}

export function evaluateLaw(impl: Implementation, c: JointLawCase, keepOverride?: number[][]): EvaluatedLaw {
  const m = c.logits.length;
  const n = c.logits[0]!.length;
  const pi = c.piLogits === null ? new Float64Array(m).fill(1 / m) : impl.core.softmax(c.piLogits);
  const attention = c.logits.map((z) => impl.core.softmax(z));
  const law = impl.info.sparseJointLaw({ pi, attention, keep: keepOverride ?? c.keep });
  const etaPi = c.piLogits === null ? u : softmaxRelativeError(c.piLogits);
  const etaA = Math.max(...c.logits.map(softmaxRelativeError));
  // Â(x) divides by a kept sum of ≤ N terms; δ(x) is a sum of ≤ N terms of A(x).
  const etaSparse = etaA + (n + 1) * u;
  const etaDelta = etaA + (n + 1) * u;
  const logN = Math.log(Math.max(2, n));
  let dDeltaBar = (m + 1) * u * law.deltaBar + etaPi * law.deltaBar;
  let conditional = 0;
  for (let x = 0; x < m; x++) {
    const delta = law.deltas[x]!;
    const dDelta = delta * etaDelta;
    dDeltaBar += pi[x]! * dDelta;
    conditional += pi[x]! * (binaryEntropyRoundingError(delta, dDelta) + dDelta * (logN + 1));
  }
  const tolerance =
    mutualInformationRoundingError(m, n, etaA + etaPi) +
    mutualInformationRoundingError(m, n, etaSparse + etaPi) +
    2 * (binaryEntropyRoundingError(law.deltaBar, dDeltaBar) + dDeltaBar * (logN + 1)) +
    conditional +
    8 * u * (2 * logN + 2);
  return { m, n, pi, law, tolerance };
}

function describeLaw(e: EvaluatedLaw): string {
  return `M = ${e.m}, N = ${e.n}, δ̄ = ${e.law.deltaBar}, I(X;J) = ${e.law.mi}, I(X;Ĵ) = ${e.law.miSparse}, loss = ${e.law.miLoss}, k_x = [${Array.from(e.law.keptSizes).join(', ')}], tolerance ${e.tolerance}`;
}

/** The family that defeats every δ-only bound: X uniform on {1..N−1}, A(x) = (1−δ)e₀ + δe_x, S = {0}. */
export function deltaOnlyFamily(delta: number, n: number): { pi: number[]; attention: number[][]; keep: number[][] } {
  const m = n - 1;
  const attention = Array.from({ length: m }, (_, x) => {
    const row = new Array<number>(n).fill(0);
    row[0] = 1 - delta;
    row[x + 1] = delta;
    return row;
  });
  return { pi: new Array<number>(m).fill(1 / m), attention, keep: attention.map(() => [0]) };
}

/** δ ∈ (0, 1) and N ∈ [2, 512] for the family (its M = N−1 rows of length N make it O(N²)). */
const familyArbitrary = fc.tuple(
  fc.oneof(
    finiteDouble(0, 1).filter((d) => d > 0 && d < 1),
    fc.integer({ min: 1, max: 63 }).map((i) => i / 64),
  ),
  lengthArbitrary(512).map((n) => Math.max(2, n)),
);

/**
 * For claims expected to fail: a counterexample must beat the claimed bound by this much beyond
 * the rounding tolerance, so that shrinking stops at a clear violation rather than a rounding tie.
 */
export const REFUTATION_MARGIN = 1e-6;

function familyTolerance(n: number): number {
  // Rows are exact except 1 − δ (one rounding); Â(x) = e₀ exactly; π = 1/M one rounding.
  return mutualInformationRoundingError(n - 1, n, 2 * u) + mutualInformationRoundingError(n - 1, n, 2 * u);
}

export const mutualInformationProperties: PropertySuite = {
  'mutual-information.loss-bound': {
    runs: 120,
    property: (impl) =>
      fc.property(jointLawArbitrary, (c) => {
        const e = evaluateLaw(impl, c);
        fc.pre(impl.info.inMonotoneRange(e.law.deltaBar, e.n)); // the stated domain δ̄ ≤ 1 − 1/N
        const bound = impl.info.miLossBound(e.law.deltaBar, e.n);
        claimAssert(
          Math.abs(e.law.miLoss) <= bound + e.tolerance,
          () => `|loss| = ${Math.abs(e.law.miLoss)} > 2[h(δ̄) + δ̄ ln(N−1)] = ${bound}; ${describeLaw(e)}`,
        );
        return true;
      }),
  },

  'mutual-information.loss-bound-sharp': {
    runs: 120,
    property: (impl) =>
      fc.property(jointLawArbitrary, (c) => {
        const e = evaluateLaw(impl, c);
        fc.pre(impl.info.inMonotoneRange(e.law.deltaBar, e.n)); // the stated domain δ̄ ≤ 1 − 1/N
        const loss = e.law.miLoss;
        const sharp = impl.info.miLossSharpBounds({
          pi: e.pi,
          deltas: e.law.deltas,
          keptSizes: e.law.keptSizes,
          n: e.n,
        });
        claimAssert(
          sharp.lower - e.tolerance <= loss && loss <= sharp.upper + e.tolerance,
          () => `loss outside the data-dependent interval [${sharp.lower}, ${sharp.upper}]; ${describeLaw(e)}`,
        );
        const lossy = Array.from(e.law.keptSizes).filter((_, x) => e.law.deltas[x]! > 0);
        if (lossy.length > 0) {
          const mean = impl.info.miLossSharpBoundsFromMean({
            deltaBar: e.law.deltaBar,
            n: e.n,
            minKept: Math.min(...lossy),
            maxKept: Math.max(...lossy),
          });
          claimAssert(
            mean.lower - e.tolerance <= loss && loss <= mean.upper + e.tolerance,
            () => `loss outside the δ̄-only interval [${mean.lower}, ${mean.upper}]; ${describeLaw(e)}`,
          );
          // Sharper than the symmetric bound: the δ̄-only upper end lies inside it.
          const symmetric = impl.info.miLossBound(e.law.deltaBar, e.n);
          claimAssert(
            mean.upper <= symmetric + e.tolerance,
            () => `δ̄-only upper end ${mean.upper} exceeds 2[h(δ̄) + δ̄ ln(N−1)] = ${symmetric}`,
          );
        }
        return true;
      }),
  },

  'mutual-information.loss-bound-union': {
    runs: 120,
    property: (impl) =>
      fc.property(jointLawArbitrary, (c) => {
        const e = evaluateLaw(impl, c);
        const loss = e.law.miLoss;
        const { deltaBar, droppedUnionSize, keptUnionSize, lossyQueryCount } = e.law;
        const sharp = impl.info.miLossUnionBounds({
          deltaBar,
          n: e.n,
          droppedUnionSize,
          keptUnionSize,
          lossyQueryCount,
        });
        claimAssert(
          sharp.lower - e.tolerance <= loss && loss <= sharp.upper + e.tolerance,
          () =>
            `loss outside [−h(δ̄) − δ̄ ln min(|∪S|, |L|), h(δ̄) + δ̄ ln min(|∪D|, |L|)] = [${sharp.lower}, ${sharp.upper}] (|∪D| = ${droppedUnionSize}, |∪S| = ${keptUnionSize}, |L| = ${lossyQueryCount}); ${describeLaw(e)}`,
        );
        return true;
      }),
  },

  'mutual-information.delta-only-family': {
    runs: 60,
    property: (impl) =>
      fc.property(familyArbitrary, ([delta, n]) => {
        const law = impl.info.sparseJointLaw(deltaOnlyFamily(delta, n));
        const expected = delta * Math.log(n - 1);
        const tolerance = familyTolerance(n) + 4 * u * expected;
        claimAssert(
          Math.abs(law.miLoss - expected) <= tolerance,
          () => `family loss ${law.miLoss} ≠ δ ln(N−1) = ${expected} (δ = ${delta}, N = ${n}, tolerance ${tolerance})`,
        );
        // δ̄ = Σ (1/M)·δ over M queries: 1/M and each product round once, the sum γ_M; a subnormal
        // δ adds an absolute error of at most MIN_VALUE per product.
        claimAssert(
          Math.abs(law.deltaBar - delta) <= (n + 2) * u * delta + n * Number.MIN_VALUE,
          () => `family δ̄ = ${law.deltaBar} ≠ δ = ${delta}`,
        );
        return true;
      }),
  },

  'mutual-information.delta-only-candidates': {
    runs: 60,
    property: (impl) =>
      fc.property(familyArbitrary, ([delta, n]) => {
        const law = impl.info.sparseJointLaw(deltaOnlyFamily(delta, n));
        const d = law.deltaBar;
        const h = impl.info.binaryEntropy(d);
        const candidates = { '2h(δ̄)': 2 * h, 'h(δ̄) + δ̄': h + d, '−ln(1−δ̄)': impl.info.klSparseToDense(d) };
        const largest = Math.max(...Object.values(candidates));
        const tolerance = familyTolerance(n) + 4 * u * largest + REFUTATION_MARGIN;
        // A counterexample here refutes every candidate at once (the loss exceeds the largest).
        claimAssert(
          law.miLoss <= largest + tolerance,
          () =>
            `loss ${law.miLoss} exceeds every N-free candidate ${JSON.stringify(candidates)} (δ = ${delta}, N = ${n})`,
        );
        return true;
      }),
  },

  'mutual-information.paper-candidate': {
    runs: 600,
    property: (impl) =>
      fc.property(paperSearchArbitrary, (c) => {
        const e = evaluateLaw(impl, c);
        // Read generously: only where Fannes–Audenaert's form lives (δ̄ ≤ 1 − 1/N, the catalogued
        // domain), and k = the smallest kept set among queries that drop mass (the largest ln(N−k)).
        fc.pre(impl.info.inMonotoneRange(e.law.deltaBar, e.n));
        const lossy = Array.from(e.law.keptSizes).filter((_, x) => e.law.deltas[x]! > 0);
        fc.pre(lossy.length > 0); // k is defined by the queries that drop mass
        const k = Math.min(...lossy);
        const candidate = impl.info.miPaperCandidate(e.law.deltaBar, e.n, k);
        claimAssert(
          e.law.miLoss <= candidate + e.tolerance + REFUTATION_MARGIN,
          () => `loss ${e.law.miLoss} > h(δ̄) + δ̄ ln(N−k) = ${candidate} with k = ${k}; ${describeLaw(e)}`,
        );
        return true;
      }),
  },

  'mutual-information.paper-candidate-oracle': {
    runs: 200,
    property: (impl) =>
      fc.property(oracleLawArbitrary, ([c, k]) => {
        fc.pre(k < c.logits[0]!.length); // the domain 1 ≤ k ≤ N − 1: something is dropped
        const keep = c.logits.map((z) => Array.from(impl.core.topK(z, k)));
        const e = evaluateLaw(impl, c, keep);
        const candidate = impl.info.miPaperCandidate(e.law.deltaBar, e.n, k);
        claimAssert(
          e.law.miLoss <= candidate + e.tolerance,
          () => `oracle top-${k}: loss ${e.law.miLoss} > h(δ̄) + δ̄ ln(N−k) = ${candidate}; ${describeLaw(e)}`,
        );
        return true;
      }),
  },
};
