/**
 * Reads a certificate file and re-verifies it against the registered statement of its claim
 * (what `prhs verify` and `prhs prove --check` run). Imports only the checker's trusted base and
 * the claims catalogue's statements, never the prover.
 */
import { readFileSync } from 'node:fs';
import { CertificateFormatError, decodeCertificate } from './certificate.js';
import { checkCertificate, type CheckResult } from './checker.js';
import { registeredStatement } from '../claims/certificates.js';

export interface FileCheckResult extends Omit<CheckResult, 'claim' | 'verdict'> {
  readonly file: string;
  readonly claim?: string;
  readonly verdict?: CheckResult['verdict'];
  readonly timeMs: number;
}

/**
 * Checks the certificate at `path` against the registered statement of `claim` (when given: the
 * claim the file must prove) or else of the claim the certificate names. Never throws.
 */
export function checkCertificateFile(path: string, claim?: string): FileCheckResult {
  const started = performance.now();
  const finish = (result: Omit<FileCheckResult, 'file' | 'timeMs'>): FileCheckResult => ({
    file: path,
    ...result,
    timeMs: performance.now() - started,
  });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return finish({ ok: false, boxes: 0, message: `cannot read the certificate: ${(error as Error).message}` });
  }
  try {
    const certificate = decodeCertificate(text);
    const registered = registeredStatement(claim ?? certificate.claim);
    if (claim !== undefined && registered === undefined) {
      return finish({
        claim: certificate.claim,
        verdict: certificate.verdict,
        ok: false,
        boxes: 0,
        message: `unknown claim id "${claim}": no machine-checked claim of the registry has that id`,
      });
    }
    return finish(checkCertificate(certificate, registered));
  } catch (error) {
    if (error instanceof CertificateFormatError)
      return finish({ ok: false, boxes: 0, message: `malformed certificate: ${error.message}` });
    throw error;
  }
}
