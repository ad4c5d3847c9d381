/**
 * A-priori rounding-error bounds for the float64 information measures, used as the tolerances of
 * the property suites. Derivations: theory/entropy.md §"Rounding" and
 * theory/mutual-information.md §"Rounding". Model: u = 2⁻⁵³, every +, −, ×, ÷ is correctly
 * rounded, Math.log / Math.log1p / Math.exp err by at most 1 ulp (≤ 2u relative), and a sum of
 * m terms computed left to right errs by at most γ_{m−1}·Σ|terms| ≈ (m−1)u·Σ|terms|. Bounds are
 * first order in u; the factor SECOND_ORDER_SLACK = 2 covers the neglected O(m²u²) terms for
 * every size we test (m·u ≤ 2⁻²⁹, so the neglected part is below 2⁻²⁹ of the first-order term;
 * 2 is an explicit, generous cover, not a fitted constant).
 */
import { unitRoundoff } from '../numeric/storage.js';

/** Unit roundoff of float64. */
export const UNIT_ROUNDOFF = unitRoundoff('fp64');

/** Cover for neglected second-order terms (see the module comment). */
export const SECOND_ORDER_SLACK = 2;

/**
 * |computed H(p) − H(p)| where the computed entries of p carry relative errors ≤ eta (from the
 * code that produced them) and H is evaluated on them: eta·(1 + H) from the input (since
 * |∂H/∂ln p_i| = p_i|1 + ln p_i|) plus (N + 2)u·H from the N logs, products and the sum of
 * non-negative terms. H ≤ ln N is used when no value is given.
 */
export function entropyRoundingError(n: number, eta = 0, entropyValue = Math.log(Math.max(1, n))): number {
  const u = UNIT_ROUNDOFF;
  return SECOND_ORDER_SLACK * (eta * (1 + entropyValue) + (n + 2) * u * entropyValue + u);
}

/**
 * |computed h(x) − h(x)| when x carries an absolute error ≤ dx: |h'(x)|·dx = |ln((1−x)/x)|·dx
 * (maximised over the interval x ± dx), plus 4u·h(x) + u for the two logs, products and the
 * subtraction of two non-negative terms.
 */
export function binaryEntropyRoundingError(x: number, dx = 0): number {
  const u = UNIT_ROUNDOFF;
  const low = Math.max(Number.MIN_VALUE, Math.min(x, 1 - x) - dx);
  const slope = dx > 0 ? Math.log(1 / low) + 1 : 0;
  const h = x <= 0 || x >= 1 ? 0 : -x * Math.log(x) - (1 - x) * Math.log1p(-x);
  return SECOND_ORDER_SLACK * (slope * dx + 4 * u * h + u);
}

/**
 * |computed I(X;J) − I(X;J)| for M queries and N keys, with entries of the rows carrying relative
 * errors ≤ eta. I = Σ_x π_x Σ_j A_xj(ln A_xj − ln p_j): the terms have mixed signs, so the error is
 * relative to Σ|terms| ≤ H(J|X) + H(J) + 2 ≤ 2 ln N + 2 (the +2 covers the bracket ln(A/p) when
 * both logs are small). Sources: p_j is a sum of M non-negative terms, relative error (M + 1)u,
 * hence an absolute error (M + 1)u in ln p_j; the log of the ratio 3u relative; the inner sum of N
 * and outer sum of M terms γ_{N+M}; eta moves A_xj ln(A_xj/p_j) by eta·(|ln(A/p)| + 1) and p_j by
 * eta, both again within Σ|terms|.
 */
export function mutualInformationRoundingError(m: number, n: number, eta = 0): number {
  const u = UNIT_ROUNDOFF;
  const scale = 2 * Math.log(Math.max(1, n)) + 2;
  return SECOND_ORDER_SLACK * ((2 * eta + (m + n + 6) * u) * scale + (m + 1) * u);
}
