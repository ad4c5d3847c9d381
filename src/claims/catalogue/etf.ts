/** PrHS ETF early token freezing across layers (theory/etf.md). */
import type { ClaimStatement } from '../claim.js';

export const etfClaims: readonly ClaimStatement[] = [
  {
    id: 'etf.schedule',
    title: 'ETF freezing schedule: 0 below ℓ_s, monotone, at most t; freeze layers well defined',
    statement:
      'E_ℓ(t) = 0 for ℓ ≤ ℓ_s, else ⌊(1 − ψ^{γ(ℓ−ℓ_s)/(L−ℓ_s)})·t⌋ is an integer in [0, t], non-decreasing in ℓ and in t. For a frozen position j < E_ℓ(t) its freeze layer f = min{ℓ′ : j < E_ℓ′(t)} satisfies ℓ_s < f ≤ ℓ and j ≥ E_{f−1}(t), and j stays frozen at every layer ℓ″ ∈ [f, L).',
    domain: 'L ≥ 1, 0 ≤ ℓ_s < L, 0 < ψ < 1, γ > 0, t ≥ 0',
    source: 'paper',
    expected: 'holds',
  },
  {
    id: 'etf.logit-perturbation',
    title: 'ETF: stale keys perturb logits by ≤ |s|‖q‖‖Δk‖ and attention by ≤ 2tanh(range/4)',
    statement:
      'Freezing replaces k_j by k̃_j (the key of an earlier layer) for j < E. Then |z̃_j − z_j| ≤ |s|·‖q‖·‖k̃_j − k_j‖ and ‖softmax(z̃) − softmax(z)‖₁ ≤ 2·tanh(range(z̃ − z)/4) ≤ 2·tanh(|s|‖q‖·max_{j<E}‖k̃_j − k_j‖/2); with inter-layer cosine ρ_j and equal norms ‖k̃_j‖ = ‖k_j‖, ‖k̃_j − k_j‖ = ‖k_j‖·√(2 − 2ρ_j).',
    domain: 'd ≥ 1, N ≥ 1, 0 ≤ E ≤ N, any scale s',
    source: 'derived',
    expected: 'holds',
  },
];
