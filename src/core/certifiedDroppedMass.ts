/**
 * Certified dropped mass δ̂ (theory/certified.md, "ours"): an upper bound on the exact δ computed
 * from the kept keys and per-page key summaries only, never from the dropped keys themselves.
 *
 * For each page P (a contiguous block of keys) any U_P ≥ max_{i∈P} z_i gives
 *   δ ≤ δ̂ = Σ_P m_P e^{U_P} / (Σ_P m_P e^{U_P} + Σ_{i∈S} e^{z_i}),
 * with m_P the number of dropped keys in P, because x ↦ x/(x + c) is increasing.
 */
import { InvalidArgumentError } from './errors.js';
import { checkMatrix, type Matrix } from './matrix.js';
import { finiteVector, indexSet, integerInRange, membershipMask, numberInRange } from './validate.js';
import { defaultScale } from './attention.js';
import { down, expDown, expUp, normUp, ratioUp, scaledProductDown, up } from '../numeric/directedRounding.js';

/** Summary of one page of keys: per-dimension min/max (Quest) and a bounding ball. */
export interface PageSummary {
  /** First key of the page (inclusive) and one past the last (exclusive). */
  readonly start: number;
  readonly end: number;
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** Centre c_P (mean of the page's keys) and radius r_P = max ‖k_i − c_P‖. */
  readonly center: Float64Array;
  readonly radius: number;
}

/** Which per-page logit upper bound to use. */
export type PageBoundKind = 'minmax' | 'ball' | 'min';

/** Splits K into pages of `pageSize` keys (the last may be shorter) and summarises each. */
export function pageSummaries(K: Matrix, pageSize: number): PageSummary[] {
  const keys = checkMatrix('K', K);
  integerInRange('pageSize', pageSize, 1, Math.max(1, keys.rows));
  const pages: PageSummary[] = [];
  for (let start = 0; start < keys.rows; start += pageSize) {
    pages.push(summarisePage(keys.data, keys.columns, start, Math.min(keys.rows, start + pageSize)));
  }
  return pages;
}

/** min, max and the mean of keys [start, end) per dimension; the mean stays finite (no overflowing sum). */
function pageBox(
  data: Float64Array,
  d: number,
  start: number,
  end: number,
): Pick<PageSummary, 'min' | 'max' | 'center'> {
  const min = new Float64Array(d).fill(Infinity);
  const max = new Float64Array(d).fill(-Infinity);
  const center = new Float64Array(d);
  const count = end - start;
  for (let c = 0; c < d; c++) {
    let sum = 0;
    for (let i = start; i < end; i++) {
      const x = data[i * d + c]!;
      if (x < min[c]!) min[c] = x;
      if (x > max[c]!) max[c] = x;
      sum += x;
    }
    let mean = sum / count;
    if (!Number.isFinite(mean)) {
      mean = 0;
      for (let i = start; i < end; i++) mean += data[i * d + c]! / count;
    }
    center[c] = mean;
  }
  return { min, max, center };
}

function summarisePage(data: Float64Array, d: number, start: number, end: number): PageSummary {
  const { min, max, center } = pageBox(data, d, start, end);
  // r_P ≥ max ‖k_i − c_P‖ in exact arithmetic: each |k − c| rounded up, the norm scaled before squaring.
  const difference = new Float64Array(d);
  let radius = 0;
  for (let i = start; i < end; i++) {
    for (let c = 0; c < d; c++) difference[c] = up(Math.abs(data[i * d + c]! - center[c]!));
    radius = Math.max(radius, normUp(difference));
  }
  return { start, end, min, max, center, radius };
}

/**
 * U_P ≥ max_{i∈P} scale·q·k_i in exact arithmetic, for every finite q, scale and summary.
 * 'minmax' (Quest): Σ_c max over the box's two ends of scale·q_c·k_c (a linear function's
 * maximum over a box, for either sign of scale); 'ball': scale·q·c_P + |scale|·‖q‖·r_P
 * (for scale ≥ 0; minmax is used for scale < 0); 'min': the smaller of the two. Every operation
 * is rounded outward (src/numeric/directedRounding.ts), so no rounding margin is needed and
 * overflow only makes the bound +∞ (theory/certified.md). `queryNorm`, when given, must be
 * normUp(q) (callers bounding many pages for one query compute it once).
 */
export function pageLogitUpperBound(
  q: ArrayLike<number>,
  page: PageSummary,
  scale: number,
  kind: PageBoundKind,
  queryNorm?: number,
): number {
  const d = page.min.length;
  if (q.length !== d) throw new InvalidArgumentError('q', `length ${d}`, `length ${q.length}`, 'length');
  // scaledProductUp(scale, q_c, y) for y = min_c, max_c and c_c, sharing the bracket of scale·q_c
  // (the same operations, so the same values as the kernels' per-call form).
  const withBall = kind !== 'minmax' && scale >= 0;
  let minmax = 0;
  let centre = 0;
  for (let c = 0; c < d; c++) {
    const sx = scale * q[c]!;
    const zero = scale === 0 || q[c] === 0;
    const hi = up(sx);
    const lo = down(sx);
    const best = zero ? 0 : Math.max(productUp(hi, lo, page.min[c]!), productUp(hi, lo, page.max[c]!));
    minmax = up(minmax + best);
    if (withBall) centre = up(centre + (zero ? 0 : productUp(hi, lo, page.center[c]!)));
  }
  if (!withBall) return minmax;
  const ball = up(centre + ballTerm(scale, queryNorm ?? normUp(q), page.radius));
  return kind === 'ball' ? ball : Math.min(minmax, ball);
}

/** An upper bound on x·y for x ∈ [lo, hi] and a double y (0 when y is 0). */
function productUp(hi: number, lo: number, y: number): number {
  return y === 0 ? 0 : up((y > 0 ? hi : lo) * y);
}

/** An upper bound on |scale|·‖q‖·r from upper bounds on ‖q‖ and r (0 when a factor is 0: no ∞·0). */
export function ballTerm(scale: number, queryNorm: number, radius: number): number {
  if (scale === 0 || queryNorm === 0 || radius === 0) return 0;
  return up(up(Math.abs(scale) * queryNorm) * radius);
}

/** A lower bound on the exact logit scale·q·k for row `row` of K (a kept key enters the denominator). */
export function logitLowerBound(
  q: ArrayLike<number>,
  keys: Float64Array,
  row: number,
  d: number,
  scale: number,
): number {
  let sum = 0;
  for (let c = 0; c < d; c++) sum = down(sum + scaledProductDown(scale, q[c]!, keys[row * d + c]!));
  return sum;
}

/** The certificate for one step: δ̂ and what it was computed from. */
export interface CertifiedDroppedMass {
  /** Upper bound on the dropped mass. */
  readonly bound: number;
  /** Per-page upper bounds U_P used (for pages with at least one dropped key; NaN otherwise). */
  readonly pageBounds: Float64Array;
}

/**
 * δ̂ for a query, cache and kept set, using the per-page bounds of `kind`: δ ≤ δ̂ ≤ 1 for the exact
 * δ of the exact logits, on every finite input. Kept logits are bounded from below from the kept
 * keys (sparse attention reads them anyway); dropped keys are touched only through their page
 * summaries.
 */
export function certifiedDroppedMass(
  q: ArrayLike<number>,
  K: Matrix,
  keep: ArrayLike<number>,
  pages: readonly PageSummary[],
  options: { scale?: number; kind?: PageBoundKind } = {},
): CertifiedDroppedMass {
  const keys = checkMatrix('K', K);
  const query = finiteVector('q', q, { length: keys.columns });
  const S = indexSet('keep', keep, keys.rows);
  const scale =
    options.scale === undefined
      ? defaultScale(keys.columns)
      : numberInRange('scale', options.scale, -Number.MAX_VALUE, Number.MAX_VALUE);
  const kind = options.kind ?? 'min';
  let covered = 0;
  for (const page of pages) {
    if (page.start !== covered || page.end <= page.start)
      throw new InvalidArgumentError(
        'pages',
        'contiguous pages covering [0, N) in order',
        `a page [${page.start}, ${page.end}) after ${covered}`,
        'shape',
      );
    covered = page.end;
  }
  if (covered !== keys.rows)
    throw new InvalidArgumentError(
      'pages',
      `pages covering all ${keys.rows} keys`,
      `pages covering ${covered}`,
      'shape',
    );
  const mask = membershipMask(S, keys.rows);
  const d = keys.columns;
  const keptLogits = new Float64Array(S.length);
  for (let j = 0; j < S.length; j++) keptLogits[j] = logitLowerBound(query, keys.data, S[j]!, d, scale);
  const pageBounds = new Float64Array(pages.length).fill(Number.NaN);
  const droppedCounts = new Float64Array(pages.length);
  const queryNorm = normUp(query);
  pages.forEach((page, p) => {
    let dropped = 0;
    for (let i = page.start; i < page.end; i++) if (!mask[i]) dropped++;
    droppedCounts[p] = dropped;
    if (dropped > 0) pageBounds[p] = pageLogitUpperBound(query, page, scale, kind, queryNorm);
  });
  return { bound: boundFromExponents(pageBounds, droppedCounts, keptLogits, keptLogits.length), pageBounds };
}

/**
 * δ̂ = Σ_P m_P e^{U_P} / (Σ_P m_P e^{U_P} + Σ_j e^{L_j}) rounded up, from upper bounds U_P on the
 * dropped logits of page P (m_P of them; pages with m_P = 0 are skipped) and lower bounds L_j
 * (the first `keptCount`) on the kept logits. Shifted by the largest exponent R, numerator terms
 * rounded up and kept terms down; 0 only when nothing is dropped, 1 when some U_P is +∞.
 */
export function boundFromExponents(
  upper: Float64Array,
  counts: ArrayLike<number>,
  lower: Float64Array,
  keptCount: number,
): number {
  let reference = -Infinity;
  for (let p = 0; p < upper.length; p++) if (counts[p]! > 0) reference = Math.max(reference, upper[p]!);
  if (reference === -Infinity) return 0;
  if (reference === Infinity) return 1;
  for (let j = 0; j < keptCount; j++) reference = Math.max(reference, lower[j]!);
  let numerator = 0;
  for (let p = 0; p < upper.length; p++) {
    if (counts[p]! > 0) numerator = up(numerator + up(counts[p]! * expUp(up(upper[p]! - reference))));
  }
  let kept = 0;
  for (let j = 0; j < keptCount; j++) kept = down(kept + expDown(down(lower[j]! - reference)));
  return ratioUp(numerator, kept);
}
