/**
 * Stored counterexamples of a claim expected to fail are standing evidence: each must lie inside
 * the claim's domain (not be skipped by the property's fc.pre) and violate it, and the refutations
 * the theory cites must be robust (not a rounding tie). Those of a claim expected to hold are
 * regression cases of a fixed bug: inside the domain, and passing.
 */
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClaimViolation } from '../../src/claims/claim.js';
import { counterexampleFolder, loadCounterexamples } from '../../src/claims/counterexampleStore.js';
import { reference } from '../../src/claims/implementation.js';
import { findClaim } from '../../src/claims/registry.js';
import { softmax } from '../../src/core/index.js';
import { binaryEntropy, inMonotoneRange, sparseJointLaw } from '../../src/info/index.js';
import type { JointLawCase } from '../../properties/mutual-information.js';

const files = readdirSync(counterexampleFolder()).filter((name) => name.endsWith('.json'));

describe('stored counterexamples', () => {
  it.each(files.map((name) => [name.slice(0, -'.json'.length)]))(
    '%s: each one is in the domain, and violates the claim if it is expected to fail (else passes)',
    (id) => {
      const claim = findClaim(id);
      expect(claim, `a stored counterexample names ${id}, which is not in the registry`).toBeDefined();
      if (claim!.check.kind !== 'property') return;
      const property = claim!.check.property(reference);
      const stored = loadCounterexamples(id);
      expect(stored.length).toBeGreaterThan(0);
      for (const { counterexample } of stored) {
        const outcome = property.run(counterexample as never);
        expect(
          fc.PreconditionFailure.isFailure(outcome),
          `${id}: the stored case is outside the domain (fc.pre rejects it)`,
        ).toBe(false);
        const error = (outcome as { error?: unknown } | null)?.error;
        if (claim!.expected === 'fails')
          expect(error, `${id}: the stored case does not violate the claim`).toBeInstanceOf(ClaimViolation);
        else expect(error, `${id}: the regression case fails again`).toBeUndefined();
      }
    },
  );

  it('mutual-information.paper-candidate: the stored refutation has δ̄ ≤ 1 − 1/N (the catalogued domain) and beats the bound clearly', () => {
    const [first] = loadCounterexamples('mutual-information.paper-candidate');
    const law = first!.counterexample[0] as JointLawCase;
    const m = law.logits.length;
    const n = law.logits[0]!.length;
    const pi = law.piLogits === null ? new Array<number>(m).fill(1 / m) : Array.from(softmax(law.piLogits));
    const result = sparseJointLaw({ pi, attention: law.logits.map((z) => softmax(z)), keep: law.keep });
    expect(inMonotoneRange(result.deltaBar, n)).toBe(true);
    const k = Math.min(...Array.from(result.keptSizes));
    const candidate = binaryEntropy(result.deltaBar) + result.deltaBar * Math.log(n - k);
    expect(result.miLoss - candidate).toBeGreaterThan(0.2); // N = 6, δ = 0.8: 0.787148 > 0.500402
  });

  it('recency.power-tail-as-stated: the stored witness beats C·w^{1−β}/(β − 1) by far more than rounding', () => {
    const [first] = loadCounterexamples('recency.power-tail-as-stated');
    const [weights, extreme, beta, rawW] = first!.counterexample as [number[], boolean, number, number];
    const raw = weights.map((u, j) => (extreme ? 1 : u) * (j < 1 ? 1 : j ** -beta));
    const total = raw.reduce((a, b) => a + b, 0);
    const A = raw.map((x) => x / total);
    const C = Math.max(...A.slice(1).map((a, i) => a / (i + 1) ** -beta));
    const w = 1 + (rawW % (A.length - 1));
    const tail = A.slice(w).reduce((a, b) => a + b, 0);
    const bound = (C * w ** (1 - beta)) / (beta - 1);
    expect(tail / bound).toBeGreaterThan(1.5); // A = (0, 1), β = 3, w = 1, C = 1: 1 > 0.5
  });
});
