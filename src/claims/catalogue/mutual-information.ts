/** Claims about the mutual-information loss of sparse attention (theory/mutual-information.md). */
import type { ClaimStatement } from '../claim.js';

const setting =
  'X ~ π over M queries, J | X=x ~ A(x), Ĵ | X=x ~ Â(x) (A(x) renormalised on its own kept set S(x), |S(x)| = k_x), δ̄ = Σ_x π_x δ(x), loss = I(X;J) − I(X;Ĵ)';

export const mutualInformationClaims: readonly ClaimStatement[] = [
  {
    id: 'mutual-information.loss-bound',
    title: 'Symmetric MI-loss bound 2[h(δ̄) + δ̄ ln(N−1)]',
    statement: `${setting}: |I(X;J) − I(X;Ĵ)| ≤ 2·[h(δ̄) + δ̄ ln(N−1)].`,
    domain: 'N ≥ 1, M ≥ 1, δ̄ ∈ [0, 1 − 1/N], any kept sets S(x) with positive kept mass',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'mutual-information.loss-bound-sharp',
    title: 'One-sided MI-loss bounds from the grouping identity',
    statement: `${setting}, FA(t) = t ln(N−1) + h(t): −FA(δ̄) − Σπ_x[h(δ_x) + δ_x ln(N−k_x)] ≤ loss ≤ FA(δ̄) − Σπ_x[h(δ_x) − δ_x ln k_x]; δ̄-only form: −FA(δ̄) − h(δ̄) − δ̄ ln(N−k_min) ≤ loss ≤ FA(δ̄) + δ̄ ln k_max (k over queries with δ(x) > 0), and FA(δ̄) + δ̄ ln k_max ≤ 2FA(δ̄).`,
    domain: 'N ≥ 1, δ̄ ∈ [0, 1 − 1/N]',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'mutual-information.loss-bound-union',
    title: 'MI-loss bound h(δ̄) + δ̄ ln|∪D(x)| for every δ̄ (no Fannes–Audenaert domain)',
    statement: `${setting}, L = {x : π_x δ(x) > 0}: −[h(δ̄) + δ̄ ln min(|∪_L S(x)|, |L|)] ≤ loss ≤ h(δ̄) + δ̄ ln min(|∪_L D(x)|, |L|). Hence |loss| ≤ h(δ̄) + δ̄ ln N, and with one kept set shared by all queries (|S| = k) loss ≤ h(δ̄) + δ̄ ln(N−k), the paper's form.`,
    domain: 'N ≥ 1, M ≥ 1, δ̄ ∈ [0, 1), any kept sets with positive kept mass',
    source: 'ours',
    expected: 'holds',
  },
  {
    id: 'mutual-information.delta-only-family',
    title: 'A family whose MI loss is δ ln(N−1): no δ-only bound exists',
    statement:
      'X uniform on {1, …, N−1}, A(x) = (1−δ)e₀ + δe_x, S(x) = {0} (k = 1): δ(x) = δ̄ = δ, I(X;Ĵ) = 0 and I(X;J) − I(X;Ĵ) = δ ln(N−1). For fixed δ the loss grows without bound in N, so no function of δ alone bounds it.',
    domain: 'δ ∈ (0, 1), N ≥ 2 (N ≤ 512 in the property: M·N = O(N²))',
    source: 'ours',
    expected: 'holds',
  },
  {
    id: 'mutual-information.delta-only-candidates',
    title: 'N-free candidate MI-loss bounds (expected to fail)',
    statement: `${setting}: I(X;J) − I(X;Ĵ) ≤ max{2h(δ̄), h(δ̄) + δ̄, −ln(1−δ̄)}, i.e. one of these N-free functions of δ̄ bounds the loss.`,
    domain: 'δ̄ ∈ (0, 1), N ≥ 2; tested on the δ-only family',
    source: 'ours',
    expected: 'fails',
    correctedBy: 'mutual-information.loss-bound-union',
  },
  {
    id: 'mutual-information.paper-candidate',
    title: 'Paper-style MI-loss bound h(δ̄) + δ̄ ln(N−k) with per-query kept sets (expected to fail)',
    statement: `${setting}: I(X;J) − I(X;Ĵ) ≤ h(δ̄) + δ̄ ln(N−k), read generously with k = min_x k_x over queries with δ(x) > 0 and only for δ̄ ≤ 1 − 1/N (where the Fannes–Audenaert form it comes from lives). Fails inside that domain: X uniform on N values, A(x) = δ on x and (1−δ)/(N−1) elsewhere, S(x) = all but x gives loss δ ln(N−1) − h(δ) > h(δ), e.g. N = 6, δ = 0.8: 0.787148 > 0.500402.`,
    domain: 'N ≥ 2, δ̄ ∈ [0, 1 − 1/N], per-query kept sets',
    source: 'paper',
    expected: 'fails',
    correctedBy: 'mutual-information.loss-bound-union',
  },
  {
    id: 'mutual-information.paper-candidate-oracle',
    title: 'Paper-style MI-loss bound under oracle top-k selection (proved in theory/mutual-information.md)',
    statement: `${setting}, with S(x) = top-k of A(x) for one budget k: I(X;J) − I(X;Ĵ) ≤ h(δ̄) + δ̄ ln(N−k), for every δ̄. Proof: the union argument gives loss ≤ h(δ̄) − Σ_x π_x h(δ_x) + δ̄ ln N; top-k keeps at least k/N of the mass, so δ_x ≤ 1 − k/N and h(δ_x) ≥ δ_x ln(N/(N−k)). It holds as well for any per-query kept sets with every δ_x ≤ (N − k_min)/N. The property is a regression check of the implementation against the theorem.`,
    domain: '1 ≤ k ≤ N − 1, any π and logits, δ̄ ∈ [0, 1)',
    source: 'ours',
    expected: 'holds',
  },
];
