/**
 * Runs every claim's property suite at its default depth (PRHS_RUNS deepens it) and requires the
 * status the mathematics says it should have: claims expected to hold find no counterexample,
 * claims expected to fail find one (stored counterexamples are replayed first).
 */
import { describe, expect, it } from 'vitest';
import { claims, topicOf } from '../src/claims/registry.js';
import { runClaim } from '../src/claims/runClaim.js';

const topics = [...new Set(claims.map((claim) => topicOf(claim.id)))];

for (const topic of topics) {
  describe(topic, () => {
    for (const claim of claims.filter((c) => topicOf(c.id) === topic && c.check.kind === 'property')) {
      it(`${claim.id} ${claim.expected}`, () => {
        const result = runClaim(claim);
        expect(result.status, result.evidence).toBe(claim.expected);
      });
    }
  });
}
