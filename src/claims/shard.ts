/**
 * Sharded property campaigns: `prhs verify|props --shard i/n` runs shard i of n (0 ≤ i < n) of a
 * campaign fixed by one seed S. Shard i draws its cases from its own seed, derived from S and i,
 * and runs its share of each claim's runs, so the n shards together run every claim's runs once,
 * on independent random streams, with no coordination between them (a Slurm array or a
 * Kubernetes indexed job starts them); `prhs merge` joins their reports (mergeReports.ts).
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { Claim } from './claim.js';
import { resolveRuns } from './seed.js';

export interface Shard {
  /** 0-based index, 0 ≤ index < count (Kubernetes' JOB_COMPLETION_INDEX; Slurm arrays from 0). */
  readonly index: number;
  readonly count: number;
}

/** What a sharded report records about its shard, so that the merge can check the set is complete. */
export interface ShardRecord extends Shard {
  /** The campaign's seed S (every shard of a campaign has the same one). */
  readonly campaignSeed: number;
  /** The seed this shard's claims ran with: shardSeed(S, index). */
  readonly seed: number;
}

/** Largest shard count accepted (a campaign of 10⁸ runs over 10⁶ shards is still 100 runs each). */
export const MAX_SHARDS = 1_000_000;

/** Parses `i/n` with integers 0 ≤ i < n ≤ MAX_SHARDS, naming `argument` when it is malformed. */
export function parseShard(text: string, argument = '--shard'): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const expected = `i/n with integers 0 ≤ i < n ≤ ${MAX_SHARDS} (e.g. 0/4 … 3/4)`;
  if (!match) throw new InvalidArgumentError(argument, expected, JSON.stringify(text), 'type');
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (!(count >= 1 && count <= MAX_SHARDS && index < count))
    throw new InvalidArgumentError(argument, expected, JSON.stringify(text), 'range');
  return { index, count };
}

/**
 * The seed of shard i: S + i·2654435761 modulo 2³², as a signed 32-bit integer. The multiplier is
 * odd, so the n seeds of a campaign are distinct for every n ≤ 2³²; shard 0 of any campaign runs
 * with S itself, so `--shard 0/1` is the unsharded run.
 */
export function shardSeed(campaignSeed: number, shard: Shard): number {
  return (campaignSeed + Math.imul(shard.index, 2654435761 | 0)) | 0;
}

/**
 * Shard i's share of a claim's total runs R: ⌊R/n⌋, plus one for the first R mod n shards, so the
 * shares add up to R exactly. At least 1 (a shard with R < n still replays the stored
 * counterexamples and runs one case), so the total is max(R, n).
 */
export function shardRuns(totalRuns: number, shard: Shard): number {
  const share = Math.floor(totalRuns / shard.count) + (shard.index < totalRuns % shard.count ? 1 : 0);
  return Math.max(1, share);
}

/** The record a sharded report carries. */
export function shardRecord(shard: Shard, campaignSeed: number): ShardRecord {
  return { index: shard.index, count: shard.count, campaignSeed, seed: shardSeed(campaignSeed, shard) };
}

/**
 * The seed and run count one claim runs with in a (possibly) sharded run: unchanged without a
 * shard; with one, the shard's seed and its share of the claim's runs (explicit, PRHS_RUNS, or the
 * claim's default). Certificate claims have no runs to split: every shard re-checks them.
 */
export function shardedRunOptions(input: {
  claim: Claim;
  seed: number;
  runs?: number | undefined;
  shard?: Shard | undefined;
}): {
  seed: number;
  runs?: number;
} {
  const { claim, seed, runs, shard } = input;
  if (shard === undefined) return { seed, ...(runs === undefined ? {} : { runs }) };
  if (claim.check.kind !== 'property') return { seed: shardSeed(seed, shard) };
  return { seed: shardSeed(seed, shard), runs: shardRuns(resolveRuns(claim.check.runs, runs), shard) };
}

/** `--shard i/n` when given (parsed), else undefined. */
export function optionalShard(text: string | undefined): Shard | undefined {
  return text === undefined ? undefined : parseShard(text);
}
