/** Real attention of the trained model prhs-byte-12m (theory/real-attention.md). */
import type { ClaimStatement } from '../claim.js';

export const realAttentionClaims: readonly ClaimStatement[] = [
  {
    id: 'real-attention.cis-near-oracle',
    title: 'CIS is near-oracle on real attention (the paper\'s central claim, with our numbers for "near")',
    statement:
      'On the committed real trace (properties/real-attention/: prhs-byte-12m, teacher-forced over a held-out standard-library file, context N = 1024, layers 0 and 7, 6 query heads, 32 decode steps of which the first 4 only warm the selector), CIS at its defaults at each budget B ∈ {N/4, N/8, N/16} has mean over head-steps of δ − δ* ≤ 0.01 (δ* the oracle at the same actual budget) while re-scoring (retrieving) on at most 10% of head-steps.',
    domain:
      'that trace; B ∈ {256, 128, 64}; δ, δ* in float64 from the stored fp32 queries and keys; slack 8(N + 4)·2⁻⁵² on the gap',
    source: 'paper',
    expected: 'fails',
  },
];
