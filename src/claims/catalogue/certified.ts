/** Certified dropped mass δ̂ (theory/certified.md). */
import type { ClaimStatement } from '../claim.js';

export const certifiedClaims: readonly ClaimStatement[] = [
  {
    id: 'certified.soundness',
    title: 'The certified bound is sound: δ ≤ δ̂ on every input, in floating point',
    statement:
      'For any q, K, kept set S, page size and per-page bound (minmax, ball, or their minimum) and any finite scale, the computed δ̂ = Σ_P m_P e^{U_P}/(Σ_P m_P e^{U_P} + Σ_{i∈S} e^{z_i}) is ≥ the computed δ, including exact ties, duplicated keys, logits of magnitude 10⁶ and negative scales.',
    domain: 'N ≥ 1, d ≥ 1, 1 ≤ page size ≤ N, S ⊆ [0, N), finite inputs',
    source: 'ours',
    expected: 'holds',
  },
];
