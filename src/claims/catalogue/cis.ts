/** PrHS temporal query sharing, CIS (theory/cis.md). */
import type { ClaimStatement } from '../claim.js';

export const cisClaims: readonly ClaimStatement[] = [
  {
    id: 'cis.theorem-as-stated',
    title: 'CIS sharing bound with a cosine gate (as the paper states it)',
    statement:
      'If cos(q, q′) > τ and S* is the exact top-k set of the anchor query q, then τ_pre(q′) ≥ τ*(q′) − β with β ≤ 2Δ and Δ = ‖A(q′) − A(q)‖₁ ≤ (2K_max/√d)·√(2 − 2τ); i.e. δ(q′, S*) − δ*(q′, k) ≤ 4·(K_max/√d)·√(2 − 2τ). Queries of unequal norm are allowed (the gate only sees the cosine).',
    domain: 'τ = 0.8, d ≥ 1, N ≥ 1, 1 ≤ k ≤ N, scale 1/√d, any ‖q‖, ‖q′‖ > 0',
    source: 'paper',
    expected: 'fails',
    correctedBy: 'cis.corrected-bound',
  },
  {
    id: 'cis.corrected-bound',
    title: 'CIS sharing bound in terms of ‖q′ − q‖',
    statement:
      'For any q, q′ and the anchor top-k set S*: δ(q′, S*) − δ*(q′, k) ≤ Δ ≤ 2·tanh(range(u)/4) ≤ 2·tanh(|s|·K_max·‖q′ − q‖/2) ≤ |s|·K_max·‖q′ − q‖, where u = z(q′) − z(q), Δ = ‖A(q′) − A(q)‖₁ and K_max = max‖k_i‖.',
    domain: 'd ≥ 1, N ≥ 1, 0 ≤ k ≤ N, any scale s, any q, q′',
    source: 'derived',
    expected: 'holds',
  },
];
