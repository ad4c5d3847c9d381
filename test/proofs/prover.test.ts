import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { proofScripts } from '../../proofs/index.js';
import { certificatePath, certifiedClaimIds, registeredStatement } from '../../src/claims/certificates.js';
import { packageRoot } from '../../src/io/packageRoot.js';
import { encodeCertificate } from '../../src/proofs/certificate.js';
import { proveSign } from '../../src/proofs/prover.js';
import { runProofScript } from '../../src/proofs/runProofScript.js';

describe('the prover', () => {
  it('fails to prove a false statement and returns a box where it fails', () => {
    const outcome = proveSign({
      name: 'h(x) + x ln 3 non-decreasing on [0, 1]',
      variables: ['x'],
      domain: [{ lo: 0, hi: 1 }],
      quantity: 'h(x) + x*log(3)',
      derivative: { variable: 'x', order: 1 },
      relation: '>=0',
    });
    expect(outcome.proved).toBe(false);
    if (outcome.proved) return;
    expect(outcome.counterexample).toBeDefined();
    expect(outcome.counterexample!.box[0]!.lo).toBeGreaterThanOrEqual(0.75); // beyond M/(M+1) = 3/4
    expect(outcome.counterexample!.enclosure.hi).toBeLessThan(0);
  });

  it('fails on an inequality that is false only in a thin sliver', () => {
    const outcome = proveSign({
      name: 'γ ≤ 1.01 z on [0, 0.01]',
      variables: ['z'],
      domain: [{ lo: 0, hi: 0.01 }],
      quantity: '1.01*z - z/(1 - z)',
      relation: '>=0',
    });
    expect(outcome.proved).toBe(false);
  });

  it('proves a true one by branch and bound, using monotonicity near the touching point', () => {
    const outcome = proveSign({
      name: 'ln t ≤ t − 1 on [0.1, 1]',
      variables: ['t'],
      domain: [{ lo: 0.1, hi: 1 }],
      quantity: 't - 1 - log(t)',
      relation: '>=0',
    });
    expect(outcome.proved).toBe(true);
    if (!outcome.proved) return;
    expect(outcome.obligation.boxes.some((b) => b.rule !== 'enclosure')).toBe(true);
  });

  it('has exactly one proof script per machine-checked claim of the registry', () => {
    expect(proofScripts.map((s) => s.claim).sort()).toEqual([...certifiedClaimIds].sort());
  });

  it('refuses to run a script whose claim has no registered formal statement', () => {
    const run = runProofScript(
      { claim: 'no.such.claim', lemmas: [], reduction: '' },
      registeredStatement('no.such.claim'),
    );
    expect(run.ok).toBe(false);
    expect(run.message).toContain('no formal statement for no.such.claim');
  });

  it('reproduces every committed certificate byte for byte', () => {
    for (const script of proofScripts) {
      const run = runProofScript(script, registeredStatement(script.claim));
      expect(run.ok, `${script.claim}: ${run.message}`).toBe(true);
      const committed = readFileSync(join(packageRoot(), certificatePath(script.claim)), 'utf8');
      expect(encodeCertificate(run.certificate!), script.claim).toBe(committed);
    }
  });
});
