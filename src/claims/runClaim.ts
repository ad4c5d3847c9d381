/**
 * Runs one claim's check and turns fast-check's verdict into a status with evidence.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { packageRoot } from '../io/packageRoot.js';
import { checkCertificateFile } from '../proofs/checkCertificateFile.js';
import { ClaimViolation, type Claim, type ClaimStatus } from './claim.js';
import { counterexampleDisplayPath, loadCounterexamples, storeCounterexample } from './counterexampleStore.js';
import { reference, type Implementation } from './implementation.js';
import { resolveRuns, resolveSeed } from './seed.js';

export interface ClaimRunOptions {
  readonly seed?: number;
  readonly runs?: number;
  /** Replay exactly one generated case (from a failure report) instead of a random run. */
  readonly path?: string;
  readonly implementation?: Implementation;
  /** Write a newly found counterexample to counterexamplePath() (the CLI does; tests do not). */
  readonly store?: boolean;
  /** Replay stored counterexamples first (default true). */
  readonly replayStored?: boolean;
}

export interface ClaimResult {
  readonly id: string;
  readonly title: string;
  readonly expected: Claim['expected'];
  readonly status: ClaimStatus;
  /** True when the status is what the mathematics says it should be. */
  readonly asExpected: boolean;
  readonly runs: number;
  readonly seed: number;
  readonly timeMs: number;
  /** One line saying what was found. */
  readonly evidence: string;
  readonly counterexample?: unknown[];
  readonly path?: string;
  readonly storedAt?: string;
}

/**
 * Properties reject inputs outside their claim's domain with fc.pre: such a case is skipped, not
 * counted as a passing run, and fast-check draws another. More than this many skips per requested
 * run means the generator misses the domain, and the run is reported as an error.
 */
export const MAX_SKIPS_PER_RUN = 10;

function safeJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
  );
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Runs a claim with the given options; never throws for a failing property. */
export function runClaim(claim: Claim, options: ClaimRunOptions = {}): ClaimResult {
  const started = performance.now();
  const seed = resolveSeed(options.seed);
  const base = { id: claim.id, title: claim.title, expected: claim.expected, seed };
  const finish = (
    status: ClaimStatus,
    runs: number,
    evidence: string,
    extra: Partial<ClaimResult> = {},
  ): ClaimResult => {
    // A verified proof is what a claim expected to hold should get; for a claim expected to fail it is a surprise.
    const asExpected = status === claim.expected || (status === 'machine-checked' && claim.expected === 'holds');
    return { ...base, status, asExpected, runs, timeMs: performance.now() - started, evidence, ...extra };
  };

  if (claim.check.kind === 'certificate') {
    // A verified proof is 'machine-checked'; a verified refutation (witness box) means the claim fails.
    const { certificate } = claim.check;
    const checked = checkCertificateFile(join(packageRoot(), certificate), claim.id);
    if (!checked.ok) return finish('error', 0, `certificate ${certificate} rejected: ${checked.message}`);
    return finish(
      checked.verdict === 'refuted' ? 'fails' : 'machine-checked',
      checked.boxes,
      `certificate ${certificate}: ${checked.message}`,
    );
  }

  const runs = resolveRuns(claim.check.runs, options.runs);
  let property;
  try {
    property = claim.check.property(options.implementation ?? reference);
  } catch (error) {
    return finish('error', 0, `could not build the property: ${(error as Error).message}`);
  }
  const stored = options.replayStored === false ? [] : loadCounterexamples(claim.id);
  const details = fc.check(property, {
    seed,
    numRuns: runs,
    maxSkipsPerRun: MAX_SKIPS_PER_RUN,
    examples: stored.map((s) => s.counterexample),
    ...(options.path === undefined ? {} : { path: options.path }),
  });

  const skipped = details.numSkips > 0 ? ` (${details.numSkips} out-of-domain case(s) skipped)` : '';
  if (details.failed && details.counterexample === null && details.numSkips > 0) {
    return finish(
      'error',
      details.numRuns,
      `too many out-of-domain cases: ${details.numSkips} skipped for ${details.numRuns} runs in the domain (at most ${MAX_SKIPS_PER_RUN} per run; seed ${seed}): the generator misses the claim's domain`,
    );
  }
  if (!details.failed) {
    const replayed = stored.length > 0 ? `; ${stored.length} stored counterexample(s) replayed` : '';
    return finish('holds', details.numRuns, `no counterexample in ${details.numRuns} runs${skipped}${replayed}`);
  }
  const error = details.errorInstance;
  const counterexample = details.counterexample ?? undefined;
  const path = details.counterexamplePath ?? undefined;
  const message = error instanceof Error ? error.message : 'the property returned false';
  const isViolation = error === undefined || error === null || error instanceof ClaimViolation;
  if (!isViolation) {
    const name = error instanceof Error ? error.name : 'error';
    return finish(
      'error',
      details.numRuns,
      `${name}: ${message} on ${safeJson(counterexample)} (seed ${seed}, path ${path})`,
      {
        ...(counterexample ? { counterexample } : {}),
        ...(path ? { path } : {}),
      },
    );
  }
  let storedAt: string | undefined;
  if (options.store && counterexample) {
    const fromStore = stored.find((s) => JSON.stringify(s.counterexample) === JSON.stringify(counterexample));
    if (!fromStore) {
      storeCounterexample({
        claimId: claim.id,
        counterexample,
        explanation: message,
        seed,
        path: path ?? '',
        foundAt: new Date().toISOString(),
      });
      storedAt = counterexampleDisplayPath(claim.id);
    }
  }
  return finish(
    'fails',
    details.numRuns,
    `counterexample ${safeJson(counterexample)}: ${message} (seed ${seed}, path ${path})`,
    {
      ...(counterexample ? { counterexample } : {}),
      ...(path ? { path } : {}),
      ...(storedAt ? { storedAt } : {}),
    },
  );
}
