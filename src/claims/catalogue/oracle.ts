/** The oracle top-k set and the curve δ*(k) (theory/oracle.md). */
import type { ClaimStatement } from '../claim.js';

export const oracleClaims: readonly ClaimStatement[] = [
  {
    id: 'oracle.topk-optimal',
    title: 'The top-k logits minimise δ over all |S| = k (any tie-break)',
    statement: 'For every S with |S| = k: δ(topK(z, k)) ≤ δ(S); every tie-break among equal logits gives the same δ*.',
    domain: 'N ≥ 1, 0 ≤ k ≤ N',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'oracle.monotone',
    title: 'δ*(k) is non-increasing in k',
    statement: 'δ*(k+1) ≤ δ*(k) for 0 ≤ k < N, with δ*(0) = 1 and δ*(N) = 0.',
    domain: 'N ≥ 1',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'oracle.convex',
    title: 'δ*(k) is convex in k',
    statement: 'δ*(k−1) − δ*(k) ≥ δ*(k) − δ*(k+1) for 1 ≤ k ≤ N−1 (the decrements are the sorted attention weights).',
    domain: 'N ≥ 2',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'oracle.uniform-bound',
    title: 'δ*(k) ≤ 1 − k/N',
    statement:
      'The k largest of N weights summing to 1 carry at least k/N, so δ*(k) ≤ 1 − k/N, with equality for uniform attention.',
    domain: 'N ≥ 1, 0 ≤ k ≤ N',
    source: 'derived',
    expected: 'holds',
  },
];
