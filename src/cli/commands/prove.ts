/**
 * `prhs prove`: re-runs the proof scripts (proofs/<claim-id>.proof.ts) and writes their
 * certificates atomically, or with --check re-verifies certificate files without the prover.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { InvalidArgumentError } from '../../core/errors.js';
import { writeFileAtomic } from '../../io/atomicWrite.js';
import { packageRoot } from '../../io/packageRoot.js';
import { encodeCertificate } from '../../proofs/certificate.js';
import { checkCertificateFile } from '../../proofs/checkCertificateFile.js';
import { certificatePath, certificateSuffix, registeredStatement } from '../../claims/certificates.js';
import { nonEmptyOption, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { displayWidth, padEndDisplay } from '../displayWidth.js';
import { fileArgumentError, isFileSystemError } from '../fileErrors.js';

interface Row {
  readonly id: string;
  readonly ok: boolean;
  readonly verdict?: string;
  readonly message: string;
  readonly boxes: number;
  readonly timeMs: number;
  readonly certificate?: string;
  readonly bytes?: number;
}

function certificateFiles(path: string): string[] {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new InvalidArgumentError('--check', 'an existing certificate file or folder', JSON.stringify(path), 'domain');
  }
  if (!stats.isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith(certificateSuffix))
    .sort()
    .map((name) => join(path, name));
}

async function prove(claim: string | undefined): Promise<Row[]> {
  // Loaded on demand so other commands (and `prhs verify`) never load the prover.
  const { proofScripts } = await import('../../../proofs/index.js');
  const { runProofScript } = await import('../../proofs/runProofScript.js');
  const scripts = claim === undefined ? proofScripts : proofScripts.filter((s) => s.claim === claim);
  if (scripts.length === 0) {
    throw new InvalidArgumentError(
      '--claim',
      `a claim with a proof script (${proofScripts.map((s) => s.claim).join(', ')})`,
      JSON.stringify(claim),
      'domain',
    );
  }
  return scripts.map((script) => {
    const started = performance.now();
    const run = runProofScript(script, registeredStatement(script.claim));
    const timeMs = performance.now() - started;
    if (!run.ok || !run.certificate) return { id: script.claim, ok: false, message: run.message, boxes: 0, timeMs };
    const text = encodeCertificate(run.certificate);
    const path = certificatePath(script.claim);
    writeFileAtomic(join(packageRoot(), path), text);
    const boxes = run.certificate.obligations.reduce((n, o) => n + (o.kind === 'sign' ? o.boxes.length : 0), 0);
    return {
      id: script.claim,
      ok: true,
      verdict: run.certificate.verdict,
      message: run.message,
      boxes,
      timeMs,
      certificate: path,
      bytes: Buffer.byteLength(text),
    };
  });
}

/**
 * Refuses a file that is not a JSON object at all (empty, truncated, `null`): that is bad input
 * (exit 2), not a certificate the checker rejects (exit 1).
 */
function requireJsonObject(file: string): void {
  const expected = 'a certificate file (a JSON object)';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isFileSystemError(error)) throw fileArgumentError('--check', expected, file, error);
    throw error;
  }
  if (text.trim() === '')
    throw new InvalidArgumentError('--check', expected, `${JSON.stringify(file)}: an empty file`, 'type');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(
      '--check',
      expected,
      `${JSON.stringify(file)}: invalid JSON (${(error as Error).message})`,
      'type',
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidArgumentError(
      '--check',
      expected,
      `${JSON.stringify(file)}: ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}`,
      'type',
    );
  }
}

function check(path: string): Row[] {
  const files = certificateFiles(resolve(path));
  files.forEach(requireJsonObject);
  return files.map((file) => {
    const result = checkCertificateFile(file);
    return {
      id: result.claim ?? relative(process.cwd(), file),
      ok: result.ok,
      ...(result.verdict ? { verdict: result.verdict } : {}),
      message: result.message,
      boxes: result.boxes,
      timeMs: result.timeMs,
      certificate: relative(process.cwd(), file),
    };
  });
}

export const proveCommand: Command = {
  name: 'prove',
  summary:
    'Machine-check the scalar inequalities: re-run the prover and write certificates, or re-verify certificates (--check)',
  usage: 'prhs prove [--claim ID] [--check FILE|FOLDER] [--json]',
  options: {
    claim: { type: 'string', placeholder: 'ID', description: 'prove only this claim' },
    check: {
      type: 'string',
      placeholder: 'FILE|FOLDER',
      description: 're-verify a certificate file (or every *.cert.json in a folder) without the prover',
    },
    json: {
      type: 'boolean',
      description: 'print {"claims":[{"id","ok","verdict","message","boxes","timeMs","certificate"}...]}',
    },
  },
  positionals: [],
  run: async (args, io) => {
    const checkPath = nonEmptyOption(args, 'check', 'a certificate file or folder');
    const rows = checkPath === undefined ? await prove(stringOption(args, 'claim')) : check(checkPath);
    if (args.options.json) {
      io.stdout(`${JSON.stringify({ schema: 'prhs-prove/1', claims: rows })}\n`);
    } else {
      const width = Math.max(...rows.map((r) => displayWidth(r.id)));
      for (const row of rows) {
        const status =
          checkPath === undefined
            ? row.ok
              ? row.verdict === 'refuted'
                ? 'refuted'
                : 'proved'
              : 'FAILED'
            : row.ok
              ? 'verified'
              : 'REJECTED';
        const size = row.bytes === undefined ? '' : `, ${(row.bytes / 1024).toFixed(1)} KiB`;
        io.stdout(
          `${padEndDisplay(row.id, width)}  ${status.padEnd(8)}  ${row.timeMs.toFixed(0).padStart(5)} ms${size}  ${row.message}\n`,
        );
      }
      const failed = rows.filter((r) => !r.ok).length;
      io.stdout(
        `\n${rows.length - failed}/${rows.length} ${checkPath === undefined ? 'certificates written' : 'certificates verified'}\n`,
      );
    }
    return rows.every((r) => r.ok) ? 0 : 1;
  },
};
