/**
 * A certificate proves its claim only if it states exactly the registered statement. Each test is
 * one tampering found by an outside audit, every one of which `prhs prove --check` and
 * `prhs verify` used to accept: checked here through the same entry points (checkCertificateFile
 * with and without the claim `verify` expects, and the CLI).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificatePath } from '../../src/claims/certificates.js';
import { main } from '../../src/cli/main.js';
import { packageRoot } from '../../src/io/packageRoot.js';
import { checkCertificateFile } from '../../src/proofs/checkCertificateFile.js';

type Json = Record<string, unknown> & { obligations: Array<Record<string, unknown>> };

function committed(claim: string): Json {
  return JSON.parse(readFileSync(join(packageRoot(), certificatePath(claim)), 'utf8')) as Json;
}

function write(certificate: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'prhs-binding-')), 'tampered.cert.json');
  writeFileSync(file, JSON.stringify(certificate));
  return file;
}

async function proveCheck(file: string): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = (t: string): void => void (out += t);
  const code = await main(['prove', '--check', file], { stdout: sink, stderr: sink, interactive: false });
  return { code, out };
}

describe('a certificate not bound to its registered statement is rejected', () => {
  it('an unknown claim id', async () => {
    const file = write({ ...committed('scalar.tanh-below-linear'), claim: 'no.such.claim' });
    const result = checkCertificateFile(file);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('unknown claim id "no.such.claim"');
    const cli = await proveCheck(file);
    expect(cli.code).toBe(1);
    expect(cli.out).toContain('unknown claim id');
  });

  it('the certificate of scalar.gamma-n-corrected relabelled scalar.tanh-below-linear (as verify reads it)', () => {
    const file = write({ ...committed('scalar.gamma-n-corrected'), claim: 'scalar.tanh-below-linear' });
    for (const result of [checkCertificateFile(file, 'scalar.tanh-below-linear'), checkCertificateFile(file)]) {
      expect(result.ok).toBe(false);
      expect(result.message).toContain('not the registered statement of scalar.tanh-below-linear');
    }
  });

  it('the same, with the statement text copied too: the obligations differ', () => {
    const tanh = committed('scalar.tanh-below-linear');
    const file = write({ ...committed('scalar.gamma-n-corrected'), claim: tanh.claim, statement: tanh.statement, domain: tanh.domain });
    const result = checkCertificateFile(file, 'scalar.tanh-below-linear');
    expect(result.ok).toBe(false);
    expect(result.message).toContain('3 obligation(s), but scalar.tanh-below-linear registers 1');
  });

  it('the tanh certificate with its quantity changed to r/2 + 2*tanh(r/4) and its slope to [0, 1.1]', async () => {
    const tanh = committed('scalar.tanh-below-linear');
    const obligation = tanh.obligations[0]!;
    const boxes = (obligation.boxes as Array<Record<string, unknown>>).map((b) => ({ ...b, slope: [0, 1.1] }));
    const file = write({ ...tanh, obligations: [{ ...obligation, quantity: 'r/2 + 2*tanh(r/4)', boxes }] });
    const result = checkCertificateFile(file, 'scalar.tanh-below-linear');
    expect(result.ok).toBe(false);
    expect(result.message).toContain('quantity "r/2 + 2*tanh(r/4)" is not the registered "r/2 - 2*tanh(r/4)"');
    const cli = await proveCheck(file);
    expect(cli.code).toBe(1);
    expect(cli.out).toContain('is not the registered');
  });

  it('the h-concave certificate with its domain and box shrunk to [0.5, 1]', () => {
    const concave = committed('scalar.h-concave');
    const obligation = concave.obligations[0]!;
    const boxes = (obligation.boxes as Array<Record<string, unknown>>).map((b) => ({ ...b, box: [[0.5, 1]] }));
    const file = write({ ...concave, obligations: [{ ...obligation, domain: [[0.5, 1]], boxes }] });
    for (const result of [checkCertificateFile(file, 'scalar.h-concave'), checkCertificateFile(file)]) {
      expect(result.ok).toBe(false);
      expect(result.message).toContain('domain x ∈ [0.5, 1] is not the registered domain x ∈ [0, 1]');
    }
  });

  it('a refutation presented as a proof of its claim', () => {
    const refutation = committed('scalar.gamma-n');
    const file = write({ ...refutation, verdict: 'proved', witness: undefined });
    const result = checkCertificateFile(file, 'scalar.gamma-n');
    expect(result.ok).toBe(false);
    expect(result.message).toContain('verdict "proved" is not the registered "refuted"');
  });

  it('but not a certificate whose expressions differ only in spacing and brackets', () => {
    const tanh = committed('scalar.tanh-below-linear');
    const file = write({ ...tanh, obligations: [{ ...tanh.obligations[0]!, quantity: '(r / 2) - (2 * tanh((r / 4)))' }] });
    const result = checkCertificateFile(file, 'scalar.tanh-below-linear');
    expect(result.message).toContain('proof verified');
    expect(result.ok).toBe(true);
  });
});
