/** PrHS PSAW depth schedule (theory/psaw.md). */
import type { ClaimStatement } from '../claim.js';

export const psawClaims: readonly ClaimStatement[] = [
  {
    id: 'psaw.schedule',
    title: 'PSAW pruning schedule: 0 below ℓ_s, monotone in ℓ and t, at most t, sinks kept',
    statement:
      'P_ℓ(t) = 0 for ℓ ≤ ℓ_s, else ⌊(1 − φ^{α(ℓ−ℓ_s)/(L−ℓ_s)})·t⌋ satisfies: P_ℓ(t) is an integer in [0, t]; P_ℓ(t) ≤ P_{ℓ+1}(t); P_ℓ(t) ≤ P_ℓ(t+1); P_ℓ(t) ≤ ⌊(1 − φ^α)·t⌋ < t for t ≥ 1. The PSAW pool at layer ℓ is [0, s) ∪ [s + P′, t) with P′ = min(P_ℓ(t), t − s): every sink is kept and exactly P′ non-sink tokens, the oldest, are pruned.',
    domain: 'L ≥ 1, 0 ≤ ℓ_s < L, 0 < φ < 1, α > 0, t ≥ 0, sinks s ≥ 0',
    source: 'paper',
    expected: 'holds',
  },
];
