/** Claims about entropy under truncation (theory/entropy.md). */
import type { ClaimStatement } from '../claim.js';

export const entropyClaims: readonly ClaimStatement[] = [
  {
    id: 'entropy.grouping-identity',
    title: 'Entropy grouping identity for a truncated distribution',
    statement:
      'For A a probability vector on N points, S a kept set (|S| = k) with dropped mass δ = A(D) ∈ (0, 1), Â = A_S/(1−δ): H(A) = h(δ) + (1−δ)·H(Â) + δ·H(A_D/δ). At δ = 0, H(A) = H(Â).',
    domain: 'N ≥ 1, 1 ≤ k ≤ N, δ ∈ [0, 1); A = softmax(z) with |z_i| ≤ 80, N ≤ 4096 in the property',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'entropy.grouping-bounds',
    title: 'Two-sided bound on the entropy change of truncation',
    statement: 'h(δ) − δ ln k ≤ H(A) − H(Â) ≤ h(δ) + δ ln(N−k), for every kept set S with |S| = k and dropped mass δ.',
    domain: 'N ≥ 1, 1 ≤ k ≤ N (k = N forces δ = 0), δ ∈ [0, 1)',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'entropy.fannes-audenaert',
    title: 'Fannes–Audenaert continuity of entropy',
    statement:
      'For p, q on N points with T = TV(p, q) ≤ 1 − 1/N: |H(p) − H(q)| ≤ T ln(N−1) + h(T). On [0, 1 − 1/N] the right side is non-decreasing in T, so any upper bound T′ ≤ 1 − 1/N on T may replace T (for truncation T = δ).',
    domain: 'N ≥ 1 (N = 1: T = 0), T ∈ [0, 1 − 1/N]',
    source: 'derived',
    expected: 'holds',
  },
];
