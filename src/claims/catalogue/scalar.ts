/**
 * Scalar lemmas the theory rests on (theory/scalar.md). Each is machine-checked: its evidence is a
 * certificate in proofs/ that the checker re-verifies (a proof, or for a claim false as stated, a
 * refutation with a witness box).
 */
import type { ClaimStatement } from '../claim.js';

export const scalarClaims: readonly ClaimStatement[] = [
  {
    id: 'scalar.h-plus-xlnm-increasing',
    title: 'h(x) + x·ln M is increasing on [0, M/(M+1)]',
    statement: 'For every integer M ≥ 1, F_M(x) = h(x) + x·ln M is strictly increasing on [0, M/(M+1)] (F_M′(x) = ln(M(1−x)/x) > 0 on (0, M/(M+1))).',
    domain: 'M ≥ 1 integer, x ∈ [0, M/(M+1)]',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'scalar.h-plus-xlnm-not-increasing-beyond',
    title: 'h(x) + x·ln M is not increasing on all of [0, 1]',
    statement: 'As stated (false): for every integer M ≥ 1, h(x) + x·ln M is non-decreasing on all of [0, 1]. For M = 2 the derivative is < 0 on [0.75, 1].',
    domain: 'M ≥ 1 integer, x ∈ [0, 1]',
    source: 'derived',
    expected: 'fails',
    correctedBy: 'scalar.h-plus-xlnm-increasing',
  },
  {
    id: 'scalar.h-concave',
    title: 'Binary entropy is strictly concave',
    statement: 'h(x) = −x ln x − (1−x) ln(1−x) is continuous on [0, 1] and h″(x) = −1/(x(1−x)) < 0 on (0, 1).',
    domain: 'x ∈ [0, 1]',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'scalar.mi-jensen-step',
    title: 'Scalar steps of the MI-loss bound: φ_N = h + x·ln(N−1) is concave, monotone up to 1 − 1/N, and ≤ ln N',
    statement:
      'For every integer N ≥ 2, φ_N(x) = h(x) + x·ln(N−1) is concave on [0, 1], non-decreasing on [0, 1 − 1/N], and φ_N(x) ≤ ln N on [0, 1] with equality only at x = 1 − 1/N.',
    domain: 'N ≥ 2 integer, x ∈ [0, 1]',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'scalar.tanh-below-linear',
    title: '2·tanh(r/4) ≤ r/2 (softmax sensitivity)',
    statement: 'For every r ≥ 0: 2·tanh(r/4) ≤ r/2.',
    domain: 'r ∈ [0, ∞)',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'scalar.softmax-two-point-max',
    title: 'Two-point softmax change is at most tanh(r/4)',
    statement: 'For every r ≥ 0 and x ∈ [0, 1]: x(1−x)(eʳ − 1)/(1 + x(eʳ − 1)) ≤ tanh(r/4), with equality exactly at r = 0 or x = 1/(1 + e^{r/2}).',
    domain: 'r ∈ [0, ∞), x ∈ [0, 1]',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'scalar.geometric-tail',
    title: 'Geometric tail sum',
    statement: 'For C ≥ 0, 0 ≤ ρ < 1, integer w ≥ 0: Σ_{j ≥ w} C·ρʲ = C·ρʷ/(1 − ρ); every partial sum is C·ρʷ(1 − ρⁿ)/(1 − ρ) ≤ C·ρʷ/(1 − ρ).',
    domain: 'ρ ∈ [0, 1), w ≥ 0 integer',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'scalar.power-law-tail',
    title: 'Power-law tail sum bound',
    statement: 'For β > 1 and integer w ≥ 1: Σ_{j > w} j^{−β} ≤ w^{1−β}/(β − 1).',
    domain: 'β ∈ (1, ∞), w ≥ 1 integer',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'scalar.gamma-n',
    title: 'γ_n ≤ 1.01·n·u whenever n·u ≤ 0.01 (as commonly quoted)',
    statement:
      'As stated (false): γ_n = n·u/(1 − n·u) ≤ 1.01·n·u whenever n·u ≤ 0.01. It holds only for n·u ≤ 1/101; fp32 (u = 2⁻²⁴) breaks it for 166112 ≤ n ≤ 167772, e.g. n = 167772.',
    domain: 'n·u ∈ [0, 0.01]; u ∈ {2⁻²⁴, 2⁻¹¹, 2⁻⁸}',
    source: 'derived',
    expected: 'fails',
    correctedBy: 'scalar.gamma-n-corrected',
  },
  {
    id: 'scalar.gamma-n-corrected',
    title: 'γ_n constants that hold: 1.01 for n·u ≤ 0.0099, 1.0102 for n·u ≤ 0.01, 1.07 for fp32 n ≤ 2²⁰',
    statement:
      'γ_n = n·u/(1 − n·u) ≤ 1.01·n·u for n·u ≤ 0.0099 (fp16 n ≤ 20, bf16 n ≤ 2, fp32 n ≤ 166094); ≤ 1.0102·n·u for n·u ≤ 0.01; ≤ 1.07·n·u for fp32 (u = 2⁻²⁴) with n ≤ 2²⁰.',
    domain: 'n·u ∈ [0, 0.0099], [0, 0.01], [0, 2⁻⁴]',
    source: 'ours',
    expected: 'holds',
  },
];
