/** Small helpers shared by property suites (not generators: derived quantities and tolerances). */

/** Unit roundoff of float64 arithmetic (half an ulp of 1). */
export const UNIT_ROUNDOFF = 2 ** -53;
/** Machine epsilon (an ulp of 1). */
export const EPSILON = 2 ** -52;
/**
 * The smallest subnormal double. Below the normal range a product errs by up to half of it in
 * absolute terms (fl(x·y) = x·y(1 + δ) + η, |η| ≤ 2^-1075), which no relative slack covers.
 */
export const UNDERFLOW = 2 ** -1074;

/**
 * Underflow allowance for the difference of two computed logits fl(s·fl(q·k)) of dimension d: each
 * gains ≤ (d|s| + 1)·2^-1075 from products below the normal range, carried through the later
 * roundings by (1 + γ_{d+1}); (1 + γ_{d+1})(d|s| + 1)·2^-1074 ≤ (d|s| + 2)·2^-1074.
 */
export function logitDifferenceUnderflow(d: number, scale: number): number {
  return (d * Math.abs(scale) + 2) * UNDERFLOW;
}

/** A kept set that is never empty: the raw choice, or {first index} when it reduces to nothing. */
export function nonEmptyKeep(n: number, raw: readonly number[]): number[] {
  const seen = new Set<number>();
  for (const r of raw) seen.add(r % n);
  if (seen.size === 0) seen.add(0);
  return [...seen];
}

/** Exactly k distinct indices: the raw choice (reduced mod n) truncated or padded with the lowest unused. */
export function subsetOfSize(n: number, k: number, raw: readonly number[]): number[] {
  const seen = new Set<number>();
  for (const r of raw) {
    if (seen.size >= k) break;
    seen.add(r % n);
  }
  for (let i = 0; seen.size < k && i < n; i++) seen.add(i);
  return [...seen];
}

/** All k-subsets of [0, n) (only for small n). */
export function* subsetsOfSize(n: number, k: number): Generator<number[]> {
  const chosen: number[] = [];
  function* extend(start: number): Generator<number[]> {
    if (chosen.length === k) {
      yield [...chosen];
      return;
    }
    for (let i = start; i <= n - (k - chosen.length); i++) {
      chosen.push(i);
      yield* extend(i + 1);
      chosen.pop();
    }
  }
  yield* extend(0);
}

/** Rows of a flat row-major matrix as nested arrays (for the Matrix-taking API). */
export function toMatrix(rows: readonly (readonly number[])[]): { data: Float64Array; rows: number; columns: number } {
  const columns = rows[0]?.length ?? 0;
  const data = new Float64Array(rows.length * columns);
  rows.forEach((row, i) => data.set(row, i * columns));
  return { data, rows: rows.length, columns };
}

/** max |x_i| over nested rows. */
export function maxAbs(rows: readonly (readonly number[])[]): number {
  let m = 0;
  for (const row of rows) for (const x of row) m = Math.max(m, Math.abs(x));
  return m;
}
