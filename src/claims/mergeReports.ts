/**
 * Joins the reports of a sharded campaign (`prhs verify|props --shard i/n`, shard.ts) into one
 * report of the same shape as an unsharded `prhs verify` report. The set must be complete and of
 * one campaign: the same shard count and campaign seed, every index 0 … n−1 exactly once, the
 * same claims in the same order. Per claim: an error in any shard is an error; else a
 * counterexample in any shard is a failure (the first such shard, in index order, gives the
 * counterexample, its seed and path); else all shards machine-checked is machine-checked; else
 * holds. Runs and times add up.
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { ClaimStatus } from './claim.js';
import type { ClaimResult } from './runClaim.js';
import type { ShardRecord } from './shard.js';

/** A claim as a report records it (verify's claimRecord). */
/** One claim's row of a report: a run's result without where a new counterexample was stored. */
export type ClaimRecord = Omit<ClaimResult, 'storedAt'>;

/** The parts of a shard's report the merge reads (a verify report or `props --json` output). */
export interface ShardReport {
  readonly shard: ShardRecord;
  readonly claims: readonly ClaimRecord[];
  readonly kernels?: readonly { readonly pass: boolean }[];
}

export interface MergedReport {
  readonly tool: 'prhs merge';
  readonly createdAt: string;
  readonly seed: number;
  readonly shards: number;
  readonly ok: boolean;
  readonly claims: ClaimRecord[];
  readonly kernels: unknown[];
}

const statuses: readonly ClaimStatus[] = ['holds', 'fails', 'machine-checked', 'error'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** Checks one parsed report's shape; `name` says which input it is in the error. */
export function requireShardReport(value: unknown, name: string): ShardReport {
  const bad = (expected: string, received: string): never => {
    throw new InvalidArgumentError(name, expected, received, 'type');
  };
  if (!isObject(value))
    return bad('a report of `prhs verify --shard i/n` or `prhs props --shard i/n --json`', 'no JSON object');
  const shard = value.shard;
  if (!isObject(shard)) return bad('a sharded report (run with --shard i/n)', 'a report without a "shard" record');
  if (
    ![shard.index, shard.count, shard.campaignSeed, shard.seed].every(isInteger) ||
    !((shard.count as number) >= 1 && (shard.index as number) >= 0 && (shard.index as number) < (shard.count as number))
  ) {
    return bad(
      'a "shard" record {index, count, campaignSeed, seed} with integers 0 ≤ index < count',
      JSON.stringify(shard),
    );
  }
  if (!Array.isArray(value.claims)) return bad('a "claims" array', typeof value.claims);
  value.claims.forEach((claim: unknown, i: number) => {
    const ok =
      isObject(claim) &&
      typeof claim.id === 'string' &&
      typeof claim.title === 'string' &&
      (claim.expected === 'holds' || claim.expected === 'fails') &&
      statuses.includes(claim.status as ClaimStatus) &&
      isInteger(claim.runs) &&
      isInteger(claim.seed) &&
      typeof claim.timeMs === 'number' &&
      typeof claim.evidence === 'string';
    if (!ok)
      bad(
        `claims[${i}] with id, title, expected, status, runs, seed, timeMs and evidence`,
        JSON.stringify(claim).slice(0, 200),
      );
  });
  if (
    value.kernels !== undefined &&
    !(Array.isArray(value.kernels) && value.kernels.every((k) => isObject(k) && typeof k.pass === 'boolean'))
  ) {
    return bad('a "kernels" array of results with a boolean "pass"', JSON.stringify(value.kernels).slice(0, 200));
  }
  return value as unknown as ShardReport;
}

/** Checks that the reports are exactly the shards 0 … n−1 of one campaign, over the same claims. */
function requireCompleteCampaign(reports: readonly ShardReport[], names: readonly string[]): ShardReport[] {
  if (reports.length === 0)
    throw new InvalidArgumentError('REPORTS', 'the reports of every shard of a campaign', 'none', 'length');
  const { count, campaignSeed } = reports[0]!.shard;
  const byIndex: (ShardReport | undefined)[] = Array.from({ length: count }, () => undefined);
  reports.forEach((report, i) => {
    const { shard } = report;
    if (shard.count !== count || shard.campaignSeed !== campaignSeed) {
      throw new InvalidArgumentError(
        names[i]!,
        `shard of the campaign of ${names[0]} (${count} shards, seed ${campaignSeed})`,
        `a shard of ${shard.count} with campaign seed ${shard.campaignSeed}`,
        'domain',
      );
    }
    if (byIndex[shard.index] !== undefined)
      throw new InvalidArgumentError(
        names[i]!,
        `each shard once`,
        `shard ${shard.index}/${count} a second time`,
        'duplicate',
      );
    byIndex[shard.index] = report;
  });
  const missing = byIndex.flatMap((r, i) => (r === undefined ? [i] : []));
  if (missing.length > 0)
    throw new InvalidArgumentError(
      'REPORTS',
      `all ${count} shards of the campaign`,
      `no report for shard(s) ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
      'length',
    );
  const ids = reports[0]!.claims.map((c) => c.id).join('\n');
  reports.forEach((report, i) => {
    if (report.claims.map((c) => c.id).join('\n') !== ids)
      throw new InvalidArgumentError(
        names[i]!,
        `the same claims as ${names[0]}`,
        'a different list of claims (run every shard with the same --claim)',
        'domain',
      );
  });
  return byIndex as ShardReport[];
}

/** One claim over every shard (given in index order). */
function mergeClaim(records: readonly ClaimRecord[], shards: readonly ShardRecord[]): ClaimRecord {
  const first = records[0]!;
  const runs = records.reduce((sum, r) => sum + r.runs, 0);
  const timeMs = records.reduce((sum, r) => sum + r.timeMs, 0);
  const at = (status: ClaimStatus) => records.findIndex((r) => r.status === status);
  const decisive = at('error') >= 0 ? at('error') : at('fails');
  let status: ClaimStatus;
  let evidence: string;
  let extra: Partial<ClaimRecord> = {};
  if (decisive >= 0) {
    const record = records[decisive]!;
    status = record.status;
    evidence = `shard ${shards[decisive]!.index}/${shards.length}: ${record.evidence}`;
    extra = {
      seed: record.seed,
      ...(record.counterexample ? { counterexample: record.counterexample, path: record.path } : {}),
    };
  } else if (records.every((r) => r.status === 'machine-checked')) {
    status = 'machine-checked';
    evidence = first.evidence;
  } else {
    status = 'holds';
    evidence = `no counterexample in ${runs} runs over ${shards.length} shards (seeds ${shards[0]!.seed} … ${shards[shards.length - 1]!.seed})`;
  }
  const asExpected = status === first.expected || (status === 'machine-checked' && first.expected === 'holds');
  return {
    id: first.id,
    title: first.title,
    expected: first.expected,
    status,
    asExpected,
    runs,
    seed: shards[0]!.campaignSeed,
    timeMs,
    evidence,
    ...extra,
  };
}

/** Merges the parsed reports of a campaign; `names` (file names) label errors. */
export function mergeReports(
  reports: readonly ShardReport[],
  names: readonly string[] = reports.map((_, i) => `REPORTS[${i}]`),
): MergedReport {
  const ordered = requireCompleteCampaign(reports, names);
  const shards = ordered.map((r) => r.shard);
  const claims = ordered[0]!.claims.map((_, c) =>
    mergeClaim(
      ordered.map((r) => r.claims[c]!),
      shards,
    ),
  );
  const kernels = ordered.flatMap((r) => r.kernels ?? []);
  return {
    tool: 'prhs merge',
    createdAt: new Date().toISOString(),
    seed: shards[0]!.campaignSeed,
    shards: shards.length,
    ok: claims.every((c) => c.asExpected) && kernels.every((k) => k.pass),
    claims,
    kernels,
  };
}
