/** Claims about the float64 reference itself (theory/reference.md). */
import type { ClaimStatement } from '../claim.js';

export const referenceClaims: readonly ClaimStatement[] = [
  {
    id: 'reference.softmax-stable',
    title: 'Softmax is a stable, shift-invariant probability vector',
    statement:
      'For every finite z ∈ R^N and shift c: softmax(z) is finite, non-negative, sums to 1 within N·2⁻⁵², equals exp(z − logSumExp(z)), and softmax(z + c) = softmax(z) within rounding, even when |z + c| reaches 10³ (beyond exp overflow at 709).',
    domain: 'N ≥ 1, |z_i| ≤ 80, |c| ≤ 1000',
    source: 'ours',
    expected: 'holds',
  },
  {
    id: 'reference.topk-order',
    title: 'Top-k returns the k best entries with ties broken towards the lower index',
    statement:
      'topK(s, k) returns k distinct indices; every kept score is ≥ every dropped score; among equal scores a lower index is kept before a higher one; the output is ordered by (score desc, index asc).',
    domain: 'N ≥ 0, 0 ≤ k ≤ N, finite scores',
    source: 'ours',
    expected: 'holds',
  },
  {
    id: 'reference.decode-gqa',
    title: 'Multi-head decode with GQA and causal prefill agree with single-head attention',
    statement:
      'decodeAttention equals singleHeadAttention of query head h against KV head ⌊h·Hkv/Hq⌋; a causal prefill block equals decode of query t against the first N−T+t+1 keys.',
    domain: 'Hq a multiple of Hkv, N ≥ T ≥ 1',
    source: 'ours',
    expected: 'holds',
  },
];
