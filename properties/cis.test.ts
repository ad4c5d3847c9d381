/**
 * cis.corrected-bound is stated for any scale s and any 0 ≤ k ≤ N: its property must reach scales
 * other than 1/√d (negative, zero, large) and k = 0, not only the paper's setting. The cases are
 * observed through the implementation the property calls.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import * as core from '../src/core/index.js';
import { withOverrides } from '../src/claims/implementation.js';
import { cisProperties } from './cis.js';

it('cis.corrected-bound reaches any scale and k = 0', () => {
  const scales: { scale: number; d: number }[] = [];
  const budgets: number[] = [];
  const observed = withOverrides({
    core: {
      attentionLogits: (q, K, scale) => {
        scales.push({ scale: scale ?? Number.NaN, d: q.length });
        return core.attentionLogits(q, K, scale);
      },
      topK: (scores, k) => {
        budgets.push(k);
        return core.topK(scores, k);
      },
    },
  });
  const details = fc.check(cisProperties['cis.corrected-bound']!.property(observed), { seed: 42, numRuns: 300 });
  expect(details.failed, String(details.errorInstance)).toBe(false);
  const nonDefault = scales.filter(({ scale, d }) => Math.abs(scale - 1 / Math.sqrt(d)) > 1e-12);
  expect(nonDefault.some(({ scale }) => scale < 0)).toBe(true);
  expect(nonDefault.some(({ scale }) => scale === 0)).toBe(true);
  expect(nonDefault.some(({ scale }) => Math.abs(scale) >= 10)).toBe(true);
  expect(budgets).toContain(0);
});
