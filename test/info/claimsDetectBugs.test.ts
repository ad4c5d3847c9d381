/**
 * The information-theory properties can fail: planted bugs in the bound functions make their
 * claims fail, and the searches for claims expected to fail find counterexamples without the
 * stored ones.
 */
import { describe, expect, it } from 'vitest';
import { findClaim } from '../../src/claims/registry.js';
import { runClaim } from '../../src/claims/runClaim.js';
import { withOverrides } from '../../src/claims/implementation.js';
import * as info from '../../src/info/index.js';

function status(id: string, implementation = withOverrides({}), runs = 400): string {
  return runClaim(findClaim(id)!, { implementation, runs, replayStored: false, seed: 12345 }).status;
}

describe('planted bugs make information-theory claims fail', () => {
  // The grouping bound without h(δ) is one of the planted bugs of test/machinery/plantedBugs.test.ts.
  it('Fannes–Audenaert without its h(T) term', () => {
    const bug = withOverrides({
      info: { fannesAudenaertBound: (t: number, n: number) => t * Math.log(Math.max(1, n - 1)) },
    });
    expect(status('entropy.fannes-audenaert', bug, 2000)).toBe('fails');
  });
  it('entropy in bits instead of nats', () => {
    const bug = withOverrides({ info: { entropy: (p: ArrayLike<number>) => info.entropy(p) / Math.LN2 } });
    expect(status('entropy.grouping-identity', bug)).toBe('fails');
  });
  it('the union bound without its h(δ̄) term', () => {
    const bug = withOverrides({
      info: {
        miLossUnionBounds: (input: info.MiLossUnionInput) => ({
          lower: -Infinity,
          upper: info.miLossUnionBounds(input).upper - info.binaryEntropy(input.deltaBar),
        }),
      },
    });
    expect(status('mutual-information.loss-bound-union', bug, 1000)).toBe('fails');
  });
  it('a tanh bound with the wrong scale, 2·tanh(r/5)', () => {
    const bug = withOverrides({ info: { softmaxSensitivityTanh: (r: number) => 2 * Math.tanh(r / 5) } });
    expect(status('softmax-sensitivity.tanh-attained', bug)).toBe('fails');
  });
});

describe('the searches refute the failing candidates on their own', () => {
  it.each([1, 2, 3])('seed %i', (seed) => {
    for (const id of ['mutual-information.paper-candidate', 'mutual-information.delta-only-candidates']) {
      const claim = findClaim(id)!;
      const result = runClaim(claim, { seed, replayStored: false });
      expect(result.status, `${id}: ${result.evidence}`).toBe('fails');
    }
  });
});
