/** Truncation identities (theory/truncation.md): how far Â is from A, exactly. */
import type { ClaimStatement } from '../claim.js';

export const truncationClaims: readonly ClaimStatement[] = [
  {
    id: 'truncation.tv-identity',
    title: 'TV(A, Â) = δ',
    statement: 'For a kept set S with dropped mass δ < 1 and Â_i = A_i/(1−δ) on S: TV(A, Â) = ½‖A − Â‖₁ = δ.',
    domain: 'N ≥ 1, non-empty S, 0 ≤ δ < 1',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'truncation.kl-sparse-to-dense',
    title: 'KL(Â‖A) = −ln(1−δ)',
    statement: 'KL(Â‖A) = Σ_{i∈S} Â_i ln(Â_i/A_i) = −ln(1−δ).',
    domain: 'N ≥ 1, non-empty S, 0 ≤ δ < 1',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'truncation.kl-dense-to-sparse-infinite',
    title: 'KL(A‖Â) = ∞ whenever δ > 0',
    statement:
      'If some dropped entry has A_i > 0 then KL(A‖Â) = +∞ (Â_i = 0 there), and KL(A‖Â) = 0 when δ = 0 with S ⊇ supp A.',
    domain: 'N ≥ 1, non-empty S',
    source: 'derived',
    expected: 'holds',
  },
];
