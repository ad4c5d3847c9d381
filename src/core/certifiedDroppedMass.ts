/**
 * Certified dropped mass δ̂ (SPEC section 2, "ours"): an upper bound on δ computed from the kept
 * logits and per-page key summaries only, never from the dropped keys themselves.
 *
 * For each page P (a contiguous block of keys) any U_P ≥ max_{i∈P} z_i gives
 *   δ ≤ δ̂ = Σ_P m_P e^{U_P} / (Σ_P m_P e^{U_P} + Σ_{i∈S} e^{z_i}),
 * with m_P the number of dropped keys in P, because x ↦ x/(x + c) is increasing.
 */
import { InvalidArgumentError } from './errors.js';
import { checkMatrix, type Matrix } from './matrix.js';
import { finiteVector, indexSet, integerInRange, membershipMask, numberInRange } from './validate.js';
import { defaultScale, logitsUnchecked } from './attention.js';

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
  const d = keys.columns;
  const pages: PageSummary[] = [];
  for (let start = 0; start < keys.rows; start += pageSize) {
    const end = Math.min(keys.rows, start + pageSize);
    const min = new Float64Array(d).fill(Infinity);
    const max = new Float64Array(d).fill(-Infinity);
    const center = new Float64Array(d);
    for (let i = start; i < end; i++) {
      for (let c = 0; c < d; c++) {
        const x = keys.data[i * d + c]!;
        if (x < min[c]!) min[c] = x;
        if (x > max[c]!) max[c] = x;
        center[c]! += x;
      }
    }
    for (let c = 0; c < d; c++) center[c]! /= end - start;
    let radius = 0;
    for (let i = start; i < end; i++) {
      let sum = 0;
      for (let c = 0; c < d; c++) sum += (keys.data[i * d + c]! - center[c]!) ** 2;
      radius = Math.max(radius, Math.sqrt(sum));
    }
    pages.push({ start, end, min, max, center, radius });
  }
  return pages;
}

/**
 * U_P ≥ max_{i∈P} scale·q·k_i. 'minmax': scale·Σ_c max(q_c·min_c, q_c·max_c) (Quest);
 * 'ball': scale·q·c_P + |scale|·‖q‖·r_P; 'min': the smaller of the two. Exact arithmetic would make
 * these valid bounds; in floating point they are inflated by a relative rounding margin (see
 * theory/certified.md) so the certificate stays sound.
 */
export function pageLogitUpperBound(q: ArrayLike<number>, page: PageSummary, scale: number, kind: PageBoundKind): number {
  const d = page.min.length;
  if (q.length !== d) throw new InvalidArgumentError('q', `length ${d}`, `length ${q.length}`, 'length');
  let minmax = 0;
  let minmaxMagnitude = 0;
  let centre = 0;
  let centreMagnitude = 0;
  let qNormSquared = 0;
  // For scale < 0 the largest logit comes from the smallest q·k: bound −q·k from above instead.
  const sign = scale < 0 ? -1 : 1;
  for (let c = 0; c < d; c++) {
    const x = q[c]!;
    const best = sign * Math.max(sign * x * page.min[c]!, sign * x * page.max[c]!);
    minmax += best;
    minmaxMagnitude += Math.abs(best);
    centre += x * page.center[c]!;
    centreMagnitude += Math.abs(x * page.center[c]!);
    qNormSquared += x * x;
  }
  // Rounding slack: a sum of d products errs by at most γ_{d+1}·Σ|terms| (Higham), γ_n ≤ 1.01·n·2⁻⁵³.
  const gamma = 1.01 * (d + 4) * 2 ** -53;
  const upperMinmax = scale * minmax + Math.abs(scale) * gamma * minmaxMagnitude + Number.MIN_VALUE;
  const ballRadius = Math.sqrt(qNormSquared) * page.radius * (1 + gamma);
  const upperBall = scale * centre + Math.abs(scale) * (gamma * centreMagnitude + ballRadius * (1 + gamma)) + Number.MIN_VALUE;
  // The ball bound needs q·k ≤ q·c + ‖q‖‖k − c‖, valid for either sign of scale only when scale ≥ 0.
  if (kind === 'minmax' || scale < 0) return upperMinmax;
  if (kind === 'ball') return upperBall;
  return Math.min(upperMinmax, upperBall);
}

/** The certificate for one step: δ̂ and what it was computed from. */
export interface CertifiedDroppedMass {
  /** Upper bound on the dropped mass. */
  readonly bound: number;
  /** Per-page upper bounds U_P used (for pages with at least one dropped key; NaN otherwise). */
  readonly pageBounds: Float64Array;
}

/**
 * δ̂ for a query, cache and kept set, using the per-page bounds of `kind`. The kept logits are
 * computed exactly (sparse attention computes them anyway); dropped keys are touched only through
 * their page summaries.
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
  const scale = options.scale === undefined ? defaultScale(keys.columns) : numberInRange('scale', options.scale, -Number.MAX_VALUE, Number.MAX_VALUE);
  const kind = options.kind ?? 'min';
  let covered = 0;
  for (const page of pages) {
    if (page.start !== covered || page.end <= page.start) throw new InvalidArgumentError('pages', 'contiguous pages covering [0, N) in order', `a page [${page.start}, ${page.end}) after ${covered}`, 'shape');
    covered = page.end;
  }
  if (covered !== keys.rows) throw new InvalidArgumentError('pages', `pages covering all ${keys.rows} keys`, `pages covering ${covered}`, 'shape');
  const mask = membershipMask(S, keys.rows);
  const keptLogits = new Float64Array(S.length);
  // Kept logits enter the denominator, so they are rounded *down*: each is lowered by the
  // rounding bound of its dot product, |scale|·γ_{d+2}·Σ_c |q_c k_c| (Higham), γ_n ≤ 1.01·n·2⁻⁵³.
  const d = keys.columns;
  const gammaKept = 1.01 * (d + 4) * 2 ** -53;
  for (let j = 0; j < S.length; j++) {
    const base = S[j]! * d;
    let magnitude = 0;
    for (let c = 0; c < d; c++) magnitude += Math.abs(query[c]! * keys.data[base + c]!);
    const computed = logitsUnchecked(query, 0, keys.data, base, 1, d, scale)[0]!;
    keptLogits[j] = computed - Math.abs(scale) * gammaKept * magnitude - Number.MIN_VALUE;
  }
  const pageBounds = new Float64Array(pages.length).fill(Number.NaN);
  const droppedCounts = new Float64Array(pages.length);
  let reference = -Infinity;
  pages.forEach((page, p) => {
    let dropped = 0;
    for (let i = page.start; i < page.end; i++) if (!mask[i]) dropped++;
    droppedCounts[p] = dropped;
    if (dropped > 0) {
      pageBounds[p] = pageLogitUpperBound(query, page, scale, kind);
      reference = Math.max(reference, pageBounds[p]!);
    }
  });
  if (reference === -Infinity) return { bound: 0, pageBounds };
  for (let j = 0; j < S.length; j++) reference = Math.max(reference, keptLogits[j]!);
  // Evaluate the ratio with every exponent shifted by the same reference (no overflow). Rounding
  // could only lower the result by a few ulps; the numerator is rounded up and the kept sum down
  // by a relative (n+2)·2⁻⁵² so the bound stays ≥ the exact ratio.
  let numerator = 0;
  pages.forEach((_page, p) => {
    if (droppedCounts[p]! > 0) numerator += droppedCounts[p]! * Math.exp(pageBounds[p]! - reference);
  });
  let kept = 0;
  for (let j = 0; j < S.length; j++) kept += Math.exp(keptLogits[j]! - reference);
  return { bound: soundRatio(numerator, kept, pages.length + S.length), pageBounds };
}

/**
 * @internal The last step of δ̂: numerator/(numerator + kept), with the numerator (a sum of at
 * most `terms` rounded exponentials) rounded up and the kept sum rounded down so the result is
 * ≥ the exact ratio. Shared with the simulator's hot path (src/sim), which forms the two sums
 * from cached page summaries.
 */
export function soundRatio(numerator: number, kept: number, terms: number): number {
  if (numerator === 0) return 0;
  const slack = (terms + 4) * 2 ** -52;
  const up = numerator * (1 + slack);
  const down = kept * (1 - slack);
  return Math.min(1, (up / (up + down)) * (1 + 4 * 2 ** -52));
}
