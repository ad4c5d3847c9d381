/** Certified dropped mass δ̂ (theory/certified.md). */
import type { ClaimStatement } from '../claim.js';

export const certifiedClaims: readonly ClaimStatement[] = [
  {
    id: 'certified.soundness',
    title: 'The certified bound is sound: δ ≤ δ̂ for the exact δ, on every finite input, in floating point',
    statement:
      'For any finite q, K and scale (negative and 0 included), kept set S, page size and per-page bound (minmax, ball, or their minimum), the δ̂ computed in binary64 from the page summaries satisfies δ ≤ δ̂ ≤ 1 for the exact dropped mass δ of the exact logits, and δ̂ > 0 whenever a key is dropped: through overflow, underflow and subnormals, exact ties and duplicated keys.',
    domain:
      'N ≥ 1, d ≥ 1, 1 ≤ page size ≤ N, S ⊆ [0, N), finite inputs; hypotheses on exp and rounding in theory/certified.md',
    source: 'ours',
    expected: 'holds',
  },
];
