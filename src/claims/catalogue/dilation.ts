/** Dilation and attention-centroid drift (theory/dilation.md). */
import type { ClaimStatement } from '../claim.js';

export const dilationClaims: readonly ClaimStatement[] = [
  {
    id: 'dilation.centroid-drift',
    title: 'Attention centroids move Lipschitz in the query',
    statement:
      'With A = softmax(z(q)), A′ = softmax(z(q′)), position centroid c(q) = Σ A_i·i and key centroid κ(q) = Σ A_i·k_i: |c(q′) − c(q)| ≤ ½‖A′ − A‖₁·(N − 1) and ‖κ(q′) − κ(q)‖ ≤ ½‖A′ − A‖₁·diam{k_i}, with ‖A′ − A‖₁ ≤ 2·tanh(|s|·K_max·‖q′ − q‖/2). So a query move of ‖q′ − q‖ shifts the attended position by at most (N − 1)·tanh(|s|K_max‖q′ − q‖/2), the drift dilation by ±r is meant to absorb.',
    domain: 'd ≥ 1, N ≥ 1, any scale s, any q, q′',
    source: 'derived',
    expected: 'holds',
  },
];
