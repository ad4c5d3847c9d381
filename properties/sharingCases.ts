/**
 * Generators for the sharing claims (CIS, dilation, ETF): an attention head plus a second query
 * q′ at a controlled angle θ from q and a norm ratio λ = ‖q′‖/‖q‖ spanning 2^±10, so the gate
 * cos(q, q′) > τ can pass while the norms differ wildly. Plain JSON values only (replayable).
 */
import fc from 'fast-check';
import type { HeadCase } from './generators.js';

export interface SharingCase extends HeadCase {
  /** The second query. */
  qPrime: number[];
  /** Number of top entries shared (clamped to N; 0 only when the generator allows it). */
  k: number;
  /** The logit scale s; absent means the default 1/√d. */
  scale?: number;
}

function norm(v: readonly number[]): number {
  return Math.sqrt(v.reduce((a, x) => a + x * x, 0));
}

/** q′ = λ‖q‖·(cos θ·q̂ + sin θ·ŵ⊥), with ŵ⊥ the unit part of w orthogonal to q (q′ = λq when there is none). */
export function rotateQuery(q: readonly number[], w: readonly number[], theta: number, lambda: number): number[] {
  const nq = norm(q);
  if (nq === 0) return w.map((x) => x * lambda);
  const unit = q.map((x) => x / nq);
  const dot = w.reduce((a, x, i) => a + x * unit[i]!, 0);
  const perpendicular = w.map((x, i) => x - dot * unit[i]!);
  const np = norm(perpendicular);
  if (np < 1e-9 * Math.max(1, norm(w))) return q.map((x) => x * lambda);
  return unit.map((u, i) => lambda * nq * (Math.cos(theta) * u + Math.sin(theta) * (perpendicular[i]! / np)));
}

/** A uniform value in [−magnitude, magnitude] on a grid of 2001 points (fc.double spreads over exponents, so its values are mostly tiny). */
function gridValue(magnitude: number): fc.Arbitrary<number> {
  return fc.integer({ min: -1000, max: 1000 }).map((x) => (x / 1000) * magnitude);
}

/**
 * Logit scales for claims stated for any s: the default 1/√d (absent) half the time, else zero,
 * either sign, from 10⁻³ to 10², and a uniform grid in [−16, 16].
 */
const anyScaleArbitrary: fc.Arbitrary<number | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom(0, 1e-3, -1e-3, 1, -1, 10, -10, 100, -100) },
  { weight: 2, arbitrary: gridValue(16) },
);

export interface SharingCaseOptions {
  /** Largest angle θ between q and q′. */
  readonly maxAngle: number;
  readonly maxTokens?: number;
  readonly maxDim?: number;
  /** Draw the logit scale too (else the default 1/√d, as the paper's statement assumes). */
  readonly anyScale?: boolean;
  /** Smallest shared count k (default 1; 0 shares nothing). */
  readonly minShared?: number;
}

/**
 * Sharing cases. `maxAngle` bounds θ (e.g. arccos τ for gated reuse); key entries are scaled by
 * 10^−e, e ∈ {0, 1, 2}, so small keys (where the paper's bound is small) are common; the norm
 * ratio λ = 2^x, x ∈ [−10, 10].
 */
export function sharingCaseArbitrary(options: SharingCaseOptions): fc.Arbitrary<SharingCase> {
  const maxDim = options.maxDim ?? 4;
  const maxTokens = options.maxTokens ?? 10;
  const pool = (length: number, magnitude: number) =>
    fc.array(gridValue(magnitude), { minLength: length, maxLength: length });
  return fc
    .tuple(
      fc.integer({ min: 1, max: maxTokens }),
      fc.integer({ min: 1, max: maxDim }),
      pool(maxDim, 8),
      pool(maxTokens * maxDim, 8),
      pool(maxDim, 1),
      fc.integer({ min: 0, max: 999 }),
      // Large norm ratios (sharp attention under q′) are where the gate alone says least.
      fc.oneof(gridValue(10), fc.integer({ min: 3, max: 10 })),
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: options.minShared ?? 1, max: 10 }),
      options.anyScale ? anyScaleArbitrary : fc.constant(undefined),
    )
    .map(([n, d, q, keys, w, angle, logRatio, keyExponent, k, scale]) => {
      const keyScale = 10 ** -keyExponent;
      const K = Array.from({ length: n }, (_, i) => keys.slice(i * maxDim, i * maxDim + d).map((x) => x * keyScale));
      const query = q.slice(0, d);
      const qPrime = rotateQuery(query, w.slice(0, d), (angle / 1000) * options.maxAngle, 2 ** logRatio);
      return { q: query, K, V: K.map(() => [0]), qPrime, k: Math.min(k, n), ...(scale === undefined ? {} : { scale }) };
    });
}
