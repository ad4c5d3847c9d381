/** Posterior bias of the baseline selectors (theory/posterior-bias.md). */
import type { ClaimStatement } from '../claim.js';

const baseline = (name: string, title: string, family: string): ClaimStatement => ({
  id: `posterior-bias.${name}`,
  title,
  statement: `On every trace of the family (${family}), ${name} at budget B keeps a set with δ ≥ 0.5 at the decisive step while the oracle at the same actual budget |S| has δ* ≤ 0.05.`,
  domain: 'the generated family: one layer, one head, N up to a few hundred, budgets B < N',
  source: 'ours',
  expected: 'holds',
});

export const posteriorBiasClaims: readonly ClaimStatement[] = [
  baseline(
    'streamingllm',
    'StreamingLLM misses a dominant token outside sinks and window',
    'a needle in the middle of the cache carries almost all attention',
  ),
  baseline(
    'h2o',
    'H2O evicts a token ignored early and needed late',
    'early queries attend to decoys, the late query to a needle H2O already evicted',
  ),
  baseline(
    'snapkv',
    'SnapKV compresses away a token its observation window ignored',
    'the observation window votes for a decoy block, the late query wants a needle far from it',
  ),
  baseline(
    'quest',
    'Quest at a fixed page budget prefers decoy pages with loose min/max bounds',
    'decoy pages whose per-dimension box bound beats the needle page while their logits are 0',
  ),
  baseline(
    'hshare',
    'HShare proxy channels miss a needle living in a small-|q_c| channel',
    'decoys dominate the r largest-|q_c| channels, the needle is in another channel',
  ),
  baseline(
    'doublesparsity',
    'DoubleSparsity calibrated channels miss a needle in an uncalibrated channel',
    "calibration picks the decoys' channels; the needle is in another channel",
  ),
];
