/** Recency-window mass under distance-decay priors (theory/recency.md). */
import type { ClaimStatement } from '../claim.js';

export const recencyClaims: readonly ClaimStatement[] = [
  {
    id: 'recency.geometric-tail',
    title: 'Geometric prior: mass outside the last w tokens ≤ Cρ^w/(1 − ρ)',
    statement:
      'If the attention at distance j (j = 0 the current token) satisfies A_j ≤ C·ρ^j, the mass at distances j ≥ w (outside the last w tokens) is ≤ Σ_{j≥w} Cρ^j = C·ρ^w/(1 − ρ).',
    domain: '0 < ρ < 1, C ≥ 0, w ≥ 0, N ≥ 1',
    source: 'paper',
    expected: 'holds',
  },
  {
    id: 'recency.power-tail-as-stated',
    title: 'Power-law prior: mass outside the last w tokens ≤ C·w^{1−β}/(β − 1) (as stated)',
    statement:
      'If A_j ≤ C·j^{−β} for j ≥ 1, the mass at distances j ≥ w (the same window convention as the geometric claim) is ≤ C·w^{1−β}/(β − 1). The integral bound covers only j > w; the j = w term is missing.',
    domain: 'β > 1, C ≥ 0, w ≥ 1, N ≥ 2',
    source: 'paper',
    expected: 'fails',
    correctedBy: 'recency.power-tail',
  },
  {
    id: 'recency.power-tail',
    title: 'Power-law prior: mass outside the last w tokens ≤ C·(w^{−β} + w^{1−β}/(β − 1))',
    statement:
      'If A_j ≤ C·j^{−β} for j ≥ 1, then Σ_{j≥w} A_j ≤ C·(w^{−β} + w^{1−β}/(β − 1)) (the j = w term plus Σ_{j>w} j^{−β} ≤ ∫_w^∞ x^{−β}dx); equivalently Σ_{j>w} A_j ≤ C·w^{1−β}/(β − 1).',
    domain: 'β > 1, C ≥ 0, w ≥ 1, N ≥ 2',
    source: 'derived',
    expected: 'holds',
  },
];
