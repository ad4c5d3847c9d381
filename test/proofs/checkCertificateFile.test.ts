/**
 * checkCertificateFile, what `prhs verify` and `prhs prove --check` run on a file: it never throws,
 * and says why a file is not a proof of its claim (unreadable, malformed, an unknown claim id asked
 * for), with the file, the claim and verdict it names, and the time it took.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificatePath } from '../../src/claims/certificates.js';
import { packageRoot } from '../../src/io/packageRoot.js';
import { checkCertificateFile } from '../../src/proofs/checkCertificateFile.js';

const folder = mkdtempSync(join(tmpdir(), 'prhs-check-file-'));
const committed = join(packageRoot(), certificatePath('scalar.tanh-below-linear'));

function file(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

function timed(path: string, claim?: string) {
  const before = performance.now();
  const result = checkCertificateFile(path, claim);
  return { result, wall: performance.now() - before };
}

describe('checkCertificateFile', () => {
  it('a committed certificate checks, with its file, claim, verdict and time', () => {
    const { result, wall } = timed(committed);
    expect(result).toMatchObject({ file: committed, claim: 'scalar.tanh-below-linear', verdict: 'proved', ok: true });
    expect(result.boxes).toBeGreaterThan(0);
    expect(result.timeMs).toBeGreaterThanOrEqual(0);
    expect(result.timeMs).toBeLessThanOrEqual(wall);
  });
  it('a file that cannot be read: the reason, no boxes', () => {
    const missing = join(folder, 'missing.cert.json');
    const { result, wall } = timed(missing);
    expect(result).toMatchObject({ file: missing, ok: false, boxes: 0 });
    expect(result.message).toMatch(/^cannot read the certificate: ENOENT/);
    expect(result.timeMs).toBeLessThanOrEqual(wall);
    expect(checkCertificateFile(folder).message).toMatch(/^cannot read the certificate: EISDIR/);
  });
  it('a malformed file: the codec’s reason', () => {
    const { result, wall } = timed(file('null.cert.json', 'null'));
    expect(result).toMatchObject({
      ok: false,
      boxes: 0,
      message: 'malformed certificate: certificate: expected an object',
    });
    expect(result.timeMs).toBeLessThanOrEqual(wall);
    expect(checkCertificateFile(file('empty.cert.json', '')).message).toMatch(/^malformed certificate: not JSON: /);
  });
  it('a claim asked for that the registry does not have: refused, naming it and what the file holds', () => {
    const { result, wall } = timed(committed, 'no.such.claim');
    expect(result).toMatchObject({
      claim: 'scalar.tanh-below-linear',
      verdict: 'proved',
      ok: false,
      boxes: 0,
      message: 'unknown claim id "no.such.claim": no machine-checked claim of the registry has that id',
    });
    expect(result.timeMs).toBeLessThanOrEqual(wall);
    // The claim the file names is checked when none is asked for; asking for it gives the same.
    expect(checkCertificateFile(committed, 'scalar.tanh-below-linear').ok).toBe(true);
    const relabelled = file(
      'relabelled.cert.json',
      JSON.stringify({ ...(JSON.parse(readFileSync(committed, 'utf8')) as object), claim: 'no.such.claim' }),
    );
    expect(checkCertificateFile(relabelled).ok).toBe(false);
  });
});
