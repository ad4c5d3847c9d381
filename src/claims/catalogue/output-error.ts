/** Output error of sparse attention (theory/output-error.md). */
import type { ClaimStatement } from '../claim.js';

export const outputErrorClaims: readonly ClaimStatement[] = [
  {
    id: 'output-error.decomposition',
    title: 'o − ô = δ·(μ_D − μ_S)',
    statement:
      'With μ_S, μ_D the A-weighted means of the value rows over S and D: o − ô = δ·(μ_D − μ_S) (and o = ô when δ = 0).',
    domain: 'N ≥ 1, non-empty S, 0 ≤ δ < 1',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'output-error.bound',
    title: '‖o − ô‖ ≤ δ·max‖v_i − v_j‖ ≤ 2δ·max‖v‖',
    statement: '‖o − ô‖₂ ≤ δ·max_{i∈D, j∈S} ‖v_i − v_j‖₂ ≤ 2δ·max_i ‖v_i‖₂.',
    domain: 'N ≥ 1, non-empty S',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'output-error.bound-attained',
    title: 'Both output-error bounds are attained',
    statement:
      'For every δ ∈ [0, 1) and v ∈ R^dv there is a head (N = 2, S = {0}) with ‖o − ô‖ = δ·‖v_1 − v_0‖, and with v_1 = −v_0 it equals 2δ·max‖v‖: neither constant can be lowered.',
    domain: 'δ ∈ [0, 1), any v',
    source: 'derived',
    expected: 'holds',
  },
];
