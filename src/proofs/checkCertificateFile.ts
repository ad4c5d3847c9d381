/**
 * Reads a certificate file and re-verifies it (what `prhs verify` and `prhs prove --check` run).
 * Imports only the checker's trusted base, never the prover.
 */
import { readFileSync } from 'node:fs';
import { CertificateFormatError, decodeCertificate } from './certificate.js';
import { checkCertificate, type CheckResult } from './checker.js';

export interface FileCheckResult extends Omit<CheckResult, 'claim' | 'verdict'> {
  readonly file: string;
  readonly claim?: string;
  readonly verdict?: CheckResult['verdict'];
  readonly timeMs: number;
}

/** Checks the certificate at `path`; `claim`, when given, must be the claim it is for. Never throws. */
export function checkCertificateFile(path: string, claim?: string): FileCheckResult {
  const started = performance.now();
  const finish = (result: Omit<FileCheckResult, 'file' | 'timeMs'>): FileCheckResult => ({ file: path, ...result, timeMs: performance.now() - started });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return finish({ ok: false, boxes: 0, message: `cannot read the certificate: ${(error as Error).message}` });
  }
  try {
    return finish(checkCertificate(decodeCertificate(text), claim));
  } catch (error) {
    if (error instanceof CertificateFormatError) return finish({ ok: false, boxes: 0, message: `malformed certificate: ${error.message}` });
    throw error;
  }
}
