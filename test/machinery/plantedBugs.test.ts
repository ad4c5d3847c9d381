/**
 * Tests of the test machinery: plant a classic bug in a copy of the reference and require that at
 * least one property of the registry fails against it. A suite that stays green under these
 * mutations would be asserting nothing.
 */
import { describe, expect, it } from 'vitest';
import { claims } from '../../src/claims/registry.js';
import { runClaim } from '../../src/claims/runClaim.js';
import { withOverrides, type Implementation } from '../../src/claims/implementation.js';
import { topKUnchecked } from '../../src/core/topK.js';
import { finiteVector } from '../../src/core/validate.js';
import * as info from '../../src/info/index.js';

/** Runs every property claim against the implementation; returns the ids that did not hold. */
function failingClaims(implementation: Implementation): string[] {
  return claims
    .filter((claim) => claim.check.kind === 'property' && claim.expected === 'holds')
    .filter((claim) => runClaim(claim, { implementation, replayStored: false }).status !== 'holds')
    .map((claim) => claim.id);
}

/** softmax without subtracting the maximum: exp overflows to ∞ beyond 709, giving NaN. */
function naiveSoftmax(logits: ArrayLike<number>): Float64Array {
  const z = finiteVector('logits', logits);
  const e = z.map((x) => Math.exp(x));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

describe('planted bugs are caught', () => {
  // The control (the unmodified reference passes every claim expected to hold) is
  // properties/suites.test.ts, run in the same `npm test`.

  it('softmax without max-subtraction', () => {
    const failing = failingClaims(withOverrides({ core: { softmax: naiveSoftmax } }));
    expect(failing).toContain('reference.softmax-stable');
  });

  it('top-k off by one (returns k − 1 entries)', () => {
    const offByOne = (scores: ArrayLike<number>, k: number) =>
      topKUnchecked(finiteVector('scores', scores, { allowEmpty: true }), Math.max(0, k - 1));
    const failing = failingClaims(withOverrides({ core: { topK: offByOne } }));
    expect(failing).toEqual(expect.arrayContaining(['reference.topk-order']));
  });

  it('top-k off by one (skips the best entry)', () => {
    const skipsBest = (scores: ArrayLike<number>, k: number) => {
      const s = finiteVector('scores', scores, { allowEmpty: true });
      return k < s.length ? topKUnchecked(s, k + 1).slice(1) : topKUnchecked(s, k);
    };
    const failing = failingClaims(withOverrides({ core: { topK: skipsBest } }));
    expect(failing.length).toBeGreaterThan(0);
    expect(failing).toContain('reference.topk-order');
  });

  it('a grouping bound missing its h(δ) term', () => {
    const missingH = (delta: number, n: number, k: number) =>
      info.entropyGroupingUpperBound(delta, n, k) - info.binaryEntropy(delta);
    const failing = failingClaims(withOverrides({ info: { entropyGroupingUpperBound: missingH } }));
    expect(failing).toContain('entropy.grouping-bounds');
  });
});
