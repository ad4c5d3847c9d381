/**
 * Scalar lemmas the theory rests on (theory/scalar.md). Each is machine-checked: its evidence is a
 * certificate in proofs/ that the checker re-verifies (a proof, or for a claim false as stated, a
 * refutation with a witness box). `formal` is the one place each formal statement lives: the
 * proof scripts prove these obligations, and the checker accepts a certificate only if it states
 * exactly them (theory/scalar.md, "Certificates are bound to the registry").
 */
import type { ClaimStatement } from '../claim.js';
import type { FormalSignGoal } from '../../proofs/registeredStatement.js';
import { nextUp } from '../../proofs/interval.js';

/** h″ < 0 on [0, 1] (used by three claims). */
const hConcaveGoal = (name: string): FormalSignGoal => ({
  name,
  variables: ['x'],
  domain: [{ lo: 0, hi: 1 }],
  quantity: 'h(x)',
  derivative: { variable: 'x', order: 2 },
  relation: '<0',
});

/** γ = z/(1 − z) ≤ constant·z on [0, zMax] (zMax rounded up where the real end is not a double). */
const gammaGoal = (constant: string, zMax: number, label: string): FormalSignGoal => ({
  name: `γ = z/(1 − z) ≤ ${constant}·z for z ∈ [0, ${label}]`,
  variables: ['z'],
  domain: [{ lo: 0, hi: zMax }],
  quantity: `${constant}*z - z/(1 - z)`,
  relation: '>=0',
});

export const scalarClaims: readonly ClaimStatement[] = [
  {
    id: 'scalar.h-plus-xlnm-increasing',
    title: 'h(x) + x·ln M is increasing on [0, M/(M+1)]',
    statement:
      'For every integer M ≥ 1, F_M(x) = h(x) + x·ln M is strictly increasing on [0, M/(M+1)] (F_M′(x) = ln(M(1−x)/x) > 0 on (0, M/(M+1))).',
    domain: 'M ≥ 1 integer, x ∈ [0, M/(M+1)]',
    source: 'derived',
    expected: 'holds',
    formal: {
      obligations: [
        hConcaveGoal('h″ < 0 on [0, 1], so h′ = F_M′ − ln M is strictly decreasing'),
        {
          kind: 'identity',
          name: 'at x = M/(M+1): (M+1)·(M(1−x) − x) = M·((M+1) − M) − M = 0, so F_M′(M/(M+1)) = ln 1 = 0',
          variables: ['M'],
          polynomial: 'M*((M + 1) - M) - M',
        },
      ],
    },
  },
  {
    id: 'scalar.h-plus-xlnm-not-increasing-beyond',
    title: 'h(x) + x·ln M is not increasing on all of [0, 1]',
    statement:
      'As stated (false): for every integer M ≥ 1, h(x) + x·ln M is non-decreasing on all of [0, 1]. For M = 2 the derivative is < 0 on [0.75, 1].',
    domain: 'M ≥ 1 integer, x ∈ [0, 1]',
    source: 'derived',
    expected: 'fails',
    correctedBy: 'scalar.h-plus-xlnm-increasing',
    formal: {
      obligations: [],
      refuted: {
        name: 'd/dx [h(x) + x ln 2] ≥ 0 on [0, 1]',
        variables: ['x'],
        domain: [{ lo: 0, hi: 1 }],
        quantity: 'h(x) + x*log(2)',
        derivative: { variable: 'x', order: 1 },
        relation: '>=0',
      },
    },
  },
  {
    id: 'scalar.h-concave',
    title: 'Binary entropy is strictly concave',
    statement: 'h(x) = −x ln x − (1−x) ln(1−x) is continuous on [0, 1] and h″(x) = −1/(x(1−x)) < 0 on (0, 1).',
    domain: 'x ∈ [0, 1]',
    source: 'derived',
    expected: 'holds',
    formal: { obligations: [hConcaveGoal('h″ < 0 on [0, 1]')] },
  },
  {
    id: 'scalar.mi-jensen-step',
    title: 'Scalar steps of the MI-loss bound: φ_N = h + x·ln(N−1) is concave, monotone up to 1 − 1/N, and ≤ ln N',
    statement:
      'For every integer N ≥ 2, φ_N(x) = h(x) + x·ln(N−1) is concave on [0, 1], non-decreasing on [0, 1 − 1/N], and φ_N(x) ≤ ln N on [0, 1] with equality only at x = 1 − 1/N.',
    domain: 'N ≥ 2 integer, x ∈ [0, 1]',
    source: 'derived',
    expected: 'holds',
    formal: {
      obligations: [
        hConcaveGoal('φ_N″ = h″ < 0 on [0, 1]'),
        {
          name: 'ln t ≤ t − 1 for t ∈ [1, ∞]',
          variables: ['t'],
          domain: [{ lo: 1, hi: Infinity }],
          quantity: 't - 1 - log(t)',
          relation: '>=0',
        },
        {
          name: 'ln t ≤ t − 1 for t = e^{−u} ∈ (0, 1], u ∈ [0, ∞]: e^{−u} − 1 + u ≥ 0',
          variables: ['u'],
          domain: [{ lo: 0, hi: Infinity }],
          quantity: 'exp(-u) - 1 + u',
          relation: '>=0',
        },
        {
          kind: 'identity',
          name: 'N·[(1−x)(1 − 1/(N(1−x))) + x(1 − (N−1)/(N x))] = N(1−x) − 1 + N x − (N − 1) = 0',
          variables: ['N', 'x'],
          polynomial: 'N*(1 - x) - 1 + N*x - (N - 1)',
        },
      ],
    },
  },
  {
    id: 'scalar.tanh-below-linear',
    title: '2·tanh(r/4) ≤ r/2 (softmax sensitivity)',
    statement: 'For every r ≥ 0: 2·tanh(r/4) ≤ r/2.',
    domain: 'r ∈ [0, ∞)',
    source: 'derived',
    expected: 'holds',
    formal: {
      obligations: [
        {
          name: 'r/2 − 2 tanh(r/4) ≥ 0 on [0, ∞]',
          variables: ['r'],
          domain: [{ lo: 0, hi: Infinity }],
          quantity: 'r/2 - 2*tanh(r/4)',
          relation: '>=0',
        },
      ],
    },
  },
  {
    id: 'scalar.softmax-two-point-max',
    title: 'Two-point softmax change is at most tanh(r/4)',
    statement:
      'For every r ≥ 0 and x ∈ [0, 1]: x(1−x)(eʳ − 1)/(1 + x(eʳ − 1)) ≤ tanh(r/4), with equality exactly at r = 0 or x = 1/(1 + e^{r/2}).',
    domain: 'r ∈ [0, ∞), x ∈ [0, 1]',
    source: 'derived',
    expected: 'holds',
    formal: {
      obligations: [
        {
          kind: 'identity',
          name: '(E+1)(1 + x(E²−1))·[(E−1)/(E+1) − x(1−x)(E²−1)/(1 + x(E²−1))] = (E−1)(1 − x(1+E))²',
          variables: ['x', 'E'],
          polynomial: '(E - 1)*(1 + x*(E^2 - 1)) - x*(1 - x)*(E^2 - 1)*(E + 1) - (E - 1)*(1 - x*(1 + E))^2',
        },
        {
          name: '(E−1)(1 − x(1+E))² / ((E+1)(1 + x(E²−1))) ≥ 0 on x ∈ [0, 1], E ∈ [1, ∞]',
          variables: ['x', 'E'],
          domain: [
            { lo: 0, hi: 1 },
            { lo: 1, hi: Infinity },
          ],
          quantity: '(E - 1)*(1 - x*(1 + E))^2/((E + 1)*(1 + x*(E^2 - 1)))',
          relation: '>=0',
        },
      ],
    },
  },
  {
    id: 'scalar.geometric-tail',
    title: 'Geometric tail sum',
    statement:
      'For C ≥ 0, 0 ≤ ρ < 1, integer w ≥ 0: Σ_{j ≥ w} C·ρʲ = C·ρʷ/(1 − ρ); every partial sum is C·ρʷ(1 − ρⁿ)/(1 − ρ) ≤ C·ρʷ/(1 − ρ).',
    domain: 'ρ ∈ [0, 1), w ≥ 0 integer',
    source: 'derived',
    expected: 'holds',
    formal: {
      obligations: [
        {
          kind: 'identity',
          name: 'induction step: (1−ρ)(S_n + c) = (a − c) + (1−ρ)c = a − cρ, with a = ρʷ, c = ρ^{w+n}',
          variables: ['a', 'c', 'p'],
          polynomial: '(a - c) + (1 - p)*c - (a - c*p)',
        },
        {
          kind: 'identity',
          name: 'base case n = 0: (1−ρ)·0 = a − a',
          variables: ['a', 'p'],
          polynomial: '(1 - p)*0 - (a - a)',
        },
      ],
    },
  },
  {
    id: 'scalar.power-law-tail',
    title: 'Power-law tail sum bound',
    statement: 'For β > 1 and integer w ≥ 1: Σ_{j > w} j^{−β} ≤ w^{1−β}/(β − 1).',
    domain: 'β ∈ (1, ∞), w ≥ 1 integer',
    source: 'derived',
    expected: 'holds',
    formal: {
      obligations: [
        {
          name: '∂/∂t exp(−β ln t) ≤ 0 on t ∈ [1, ∞], β ∈ [1, ∞]',
          variables: ['t', 'b'],
          domain: [
            { lo: 1, hi: Infinity },
            { lo: 1, hi: Infinity },
          ],
          quantity: 'exp(-b*log(t))',
          derivative: { variable: 't', order: 1 },
          relation: '<=0',
        },
      ],
    },
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
    formal: {
      obligations: [],
      refuted: {
        name: '1.01·z − z/(1 − z) ≥ 0 on z ∈ [0, 0.01]',
        variables: ['z'],
        domain: [{ lo: 0, hi: 0.01 }],
        quantity: '1.01*z - z/(1 - z)',
        relation: '>=0',
      },
    },
  },
  {
    id: 'scalar.gamma-n-corrected',
    title: 'γ_n constants that hold: 1.01 for n·u ≤ 0.0099, 1.0102 for n·u ≤ 0.01, 1.07 for fp32 n ≤ 2²⁰',
    statement:
      'γ_n = n·u/(1 − n·u) ≤ 1.01·n·u for n·u ≤ 0.0099 (fp16 n ≤ 20, bf16 n ≤ 2, fp32 n ≤ 166094); ≤ 1.0102·n·u for n·u ≤ 0.01; ≤ 1.07·n·u for fp32 (u = 2⁻²⁴) with n ≤ 2²⁰.',
    domain: 'n·u ∈ [0, 0.0099], [0, 0.01], [0, 2⁻⁴]',
    source: 'ours',
    expected: 'holds',
    formal: {
      obligations: [
        gammaGoal('1.01', nextUp(0.0099), '0.0099'),
        gammaGoal('1.0102', nextUp(0.01), '0.01'),
        gammaGoal('1.07', 2 ** -4, '2⁻⁴'),
      ],
    },
  },
];
