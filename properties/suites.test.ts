/**
 * Runs every claim's property suite at its default depth (PRHS_RUNS deepens it) and requires the
 * status the mathematics says it should have: claims expected to hold find no counterexample,
 * claims expected to fail find one (stored counterexamples are replayed first).
 */
import { describe, expect, it } from 'vitest';
import { claims, topicOf } from '../src/claims/registry.js';
import { runClaim } from '../src/claims/runClaim.js';

// Claims checked by proof certificates are run in test/proofs/; here, every property claim.
const propertyClaims = claims.filter((claim) => claim.check.kind === 'property');
const topics = [...new Set(propertyClaims.map((claim) => topicOf(claim.id)))];

for (const topic of topics) {
  describe(topic, () => {
    for (const claim of propertyClaims.filter((c) => topicOf(c.id) === topic)) {
      it(`${claim.id} ${claim.expected}`, () => {
        const result = runClaim(claim);
        expect(result.status, result.evidence).toBe(claim.expected);
      });
    }
  });
}
