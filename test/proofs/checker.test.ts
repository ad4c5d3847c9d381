import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { proofScripts } from '../../proofs/index.js';
import { certificatePath, registeredStatement } from '../../src/claims/certificates.js';
import { decodeCertificate, type Certificate, type SignObligation } from '../../src/proofs/certificate.js';
import { checkCertificate } from '../../src/proofs/checker.js';
import { checkCertificateFile } from '../../src/proofs/checkCertificateFile.js';
import type { RegisteredStatement } from '../../src/proofs/registeredStatement.js';
import { packageRoot } from '../../src/io/packageRoot.js';

function load(claim: string): Certificate {
  return decodeCertificate(readFileSync(join(packageRoot(), certificatePath(claim)), 'utf8'));
}

/** Checks a certificate against the registered statement of the claim it names. */
function check(certificate: Certificate) {
  return checkCertificate(certificate, registeredStatement(certificate.claim));
}

/** A registered statement made from the certificate itself, to test the box checks alone. */
function selfRegistered(certificate: Certificate): RegisteredStatement {
  const goals = certificate.obligations.map((o) => {
    if (o.kind === 'identity') return o;
    return { name: o.name, variables: o.variables, domain: o.domain, quantity: o.quantity, relation: o.relation, ...(o.derivative ? { derivative: o.derivative } : {}) };
  });
  const refuted = certificate.witness ? goals.pop() : undefined;
  return {
    claim: certificate.claim,
    statement: certificate.statement,
    domain: certificate.domain,
    formal: { obligations: goals, ...(refuted && !('kind' in refuted) ? { refuted } : {}) },
  };
}

/** A copy of the certificate with obligation `index` replaced. */
function withObligation(certificate: Certificate, index: number, change: (o: SignObligation) => SignObligation): Certificate {
  const obligations = certificate.obligations.map((o, i) => (i === index && o.kind === 'sign' ? change(o) : o));
  return { ...certificate, obligations };
}

describe('the checker accepts every committed certificate', () => {
  it('all of them, quickly', () => {
    const started = performance.now();
    for (const script of proofScripts) {
      const result = checkCertificateFile(join(packageRoot(), certificatePath(script.claim)), script.claim);
      expect(result.ok, `${script.claim}: ${result.message}`).toBe(true);
      expect(result.verdict).toBe(registeredStatement(script.claim)!.formal.refuted ? 'refuted' : 'proved');
    }
    expect(performance.now() - started).toBeLessThan(60_000);
  });
});

describe('the checker rejects', () => {
  const corrected = load('scalar.gamma-n-corrected');
  const first = corrected.obligations[0] as SignObligation;

  it('a certificate with a box removed, naming the gap', () => {
    const removed = first.boxes[1]!;
    const result = check(withObligation(corrected, 0, (o) => ({ ...o, boxes: o.boxes.filter((_, i) => i !== 1) })));
    expect(result.ok).toBe(false);
    expect(result.message).toContain('gap');
    expect(result.message).toContain(`z ∈ [${removed.box[0]!.lo}, ${removed.box[0]!.hi}]`);
  });

  it('a tampered enclosure (recomputed one no longer inside), naming the box', () => {
    const result = check(
      withObligation(corrected, 0, (o) => ({ ...o, boxes: o.boxes.map((b, i) => (i === 2 ? { ...b, enclosure: { lo: 1, hi: 2 } } : b)) })),
    );
    expect(result.ok).toBe(false);
    expect(result.message).toContain('box #2');
    expect(result.message).toContain('not inside the certified');
  });

  it('an enclosure widened until it no longer decides, naming the box', () => {
    const result = check(
      withObligation(corrected, 0, (o) => ({ ...o, boxes: o.boxes.map((b, i) => (i === 2 ? { ...b, enclosure: { lo: -1, hi: 1 } } : b)) })),
    );
    expect(result.ok).toBe(false);
    expect(result.message).toContain('box #2');
    expect(result.message).toContain('does not decide');
  });

  it('a box stretched so that its recomputed enclosure no longer decides', () => {
    const result = check(
      withObligation(corrected, 0, (o) => ({
        ...o,
        boxes: o.boxes.map((b, i) => (i === 1 ? { ...b, box: [{ lo: 0, hi: b.box[0]!.hi }] } : b)),
      })),
    );
    expect(result.ok).toBe(false);
    expect(result.message).toContain('box #1');
  });

  it('a certificate claiming a false inequality: h(x) + x·ln 2 increasing on all of [0, 1]', () => {
    const refutation = load('scalar.h-plus-xlnm-not-increasing-beyond');
    const goal = refutation.obligations[0] as SignObligation;
    const forged: Certificate = {
      ...refutation,
      claim: 'scalar.h-plus-xlnm-increasing',
      verdict: 'proved',
      witness: undefined,
      obligations: [{ ...goal, boxes: [{ box: [{ lo: 0, hi: 1 }], rule: 'enclosure', enclosure: { lo: 0, hi: Infinity } }] }],
    };
    const result = checkCertificate(forged, selfRegistered(forged));
    expect(result.ok).toBe(false);
    expect(result.message).toContain('box #0 (x ∈ [0, 1])');
    // Splitting finer does not help: the box beyond 2/3 fails on its own.
    const split: Certificate = {
      ...forged,
      obligations: [
        {
          ...goal,
          boxes: [
            { box: [{ lo: 0, hi: 0.5 }], rule: 'enclosure', enclosure: { lo: 0, hi: Infinity } },
            { box: [{ lo: 0.5, hi: 1 }], rule: 'enclosure', enclosure: { lo: 0, hi: Infinity } },
          ],
        },
      ],
    };
    const second = checkCertificate(split, selfRegistered(split));
    expect(second.ok).toBe(false);
    expect(second.message).toContain('box #1 (x ∈ [0.5, 1])');
  });

  it('a changed quantity', () => {
    const tanh = load('scalar.tanh-below-linear');
    const result = check(withObligation(tanh, 0, (o) => ({ ...o, quantity: 'r/3 - 2*tanh(r/4)' })));
    expect(result.ok).toBe(false);
  });

  it('a false identity', () => {
    const softmax = load('scalar.softmax-two-point-max');
    const obligations = softmax.obligations.map((o) => (o.kind === 'identity' ? { ...o, polynomial: `${o.polynomial} + x*E` } : o));
    const tampered = { ...softmax, obligations };
    expect(check(tampered).message).toContain('polynomial');
    const result = checkCertificate(tampered, selfRegistered(tampered));
    expect(result.ok).toBe(false);
    expect(result.message).toContain('not 0');
  });

  it('a witness moved to where the claim holds', () => {
    const refutation = load('scalar.h-plus-xlnm-not-increasing-beyond');
    const result = check({ ...refutation, witness: { ...refutation.witness!, box: [{ lo: 0.1, hi: 0.2 }] } });
    expect(result.ok).toBe(false);
    expect(result.message).toContain('x ∈ [0.1, 0.2]');
  });

  it('a certificate presented for another claim', () => {
    expect(checkCertificate(load('scalar.h-concave'), registeredStatement('scalar.tanh-below-linear')).ok).toBe(false);
  });
});

describe('the box checks alone accept the audit tamperings, so the binding to the registry is what rejects them', () => {
  it('tanh with quantity r/2 + 2*tanh(r/4) and slope [0, 1.1]; h-concave on [0.5, 1]', () => {
    const tanh = withObligation(load('scalar.tanh-below-linear'), 0, (o) => ({
      ...o,
      quantity: 'r/2 + 2*tanh(r/4)',
      boxes: o.boxes.map((b) => ({ ...b, slope: { lo: 0, hi: 1.1 } })),
    }));
    const concave = withObligation(load('scalar.h-concave'), 0, (o) => ({
      ...o,
      domain: [{ lo: 0.5, hi: 1 }],
      boxes: o.boxes.map((b) => ({ ...b, box: [{ lo: 0.5, hi: 1 }] })),
    }));
    for (const tampered of [tanh, concave]) {
      expect(checkCertificate(tampered, selfRegistered(tampered)).ok).toBe(true);
      expect(check(tampered).ok).toBe(false);
    }
  });
});

describe('runClaim on certificate claims', () => {
  it('reports machine-checked for proofs and fails for verified refutations', async () => {
    const { claims } = await import('../../src/claims/registry.js');
    const { runClaim } = await import('../../src/claims/runClaim.js');
    const scalar = claims.filter((c) => c.id.startsWith('scalar.'));
    expect(scalar.length).toBe(proofScripts.length);
    for (const claim of scalar) {
      const result = runClaim(claim);
      expect(result.status, `${claim.id}: ${result.evidence}`).toBe(claim.expected === 'holds' ? 'machine-checked' : 'fails');
      expect(result.asExpected).toBe(true);
    }
  });
});
