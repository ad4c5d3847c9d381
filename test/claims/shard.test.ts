/**
 * Sharded campaigns: shard seeds and run shares are deterministic, the shares add up to the
 * campaign's runs, and `prhs merge` joins the shards' reports into the campaign's verdicts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findClaim } from '../../src/claims/registry.js';
import { mergeReports, requireShardReport, type ShardReport } from '../../src/claims/mergeReports.js';
import { parseShard, shardedRunOptions, shardRuns, shardSeed } from '../../src/claims/shard.js';
import { main } from '../../src/cli/main.js';
import { InvalidArgumentError } from '../../src/core/errors.js';

const folder = mkdtempSync(join(tmpdir(), 'prhs-shards-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function capture() {
  let out = '';
  let err = '';
  return {
    io: { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t), interactive: false },
    out: () => out,
    err: () => err,
  };
}

describe('shards', () => {
  it('parses i/n with 0 ≤ i < n and names --shard otherwise', () => {
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    for (const bad of ['4/4', '1/0', '-1/4', '1/4/2', 'a/b', '', '1.5/4', '0/1000001'])
      expect(() => parseShard(bad)).toThrow(/^--shard: expected i\/n/);
    expect(() => parseShard('x')).toThrow(InvalidArgumentError);
  });

  it('gives shard 0 the campaign seed and every shard its own seed', () => {
    expect(shardSeed(12345, { index: 0, count: 8 })).toBe(12345);
    const seeds = Array.from({ length: 1000 }, (_, index) => shardSeed(-7, { index, count: 1000 }));
    expect(new Set(seeds).size).toBe(1000);
    for (const s of seeds) expect(Number.isInteger(s) && s >= -(2 ** 31) && s < 2 ** 31).toBe(true);
  });

  it('splits R runs into shares that add up to R (each at least 1)', () => {
    for (const [total, count] of [
      [100, 7],
      [10 ** 8, 1000],
      [5, 5],
      [120, 1],
    ] as const) {
      const shares = Array.from({ length: count }, (_, index) => shardRuns(total, { index, count }));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
    expect(shardRuns(3, { index: 9, count: 10 })).toBe(1);
  });

  it('runs a claim with the shard seed and its share of the claim runs (certificates unsplit)', () => {
    const claim = findClaim('mutual-information.loss-bound')!;
    expect(shardedRunOptions({ claim, seed: 5 })).toEqual({ seed: 5 });
    expect(shardedRunOptions({ claim, seed: 5, runs: 1000, shard: { index: 2, count: 3 } })).toEqual({
      seed: shardSeed(5, { index: 2, count: 3 }),
      runs: 333,
    });
    expect(shardedRunOptions({ claim, seed: 5, shard: { index: 0, count: 3 } }).runs).toBe(40); // the claim's 120 runs
    const certified = findClaim('scalar.tanh-below-linear')!;
    expect(shardedRunOptions({ claim: certified, seed: 5, shard: { index: 1, count: 3 } })).toEqual({
      seed: shardSeed(5, { index: 1, count: 3 }),
    });
  });
});

describe('prhs props --shard and prhs merge', () => {
  async function shardReports(claim: string, count: number, seed: number): Promise<string[]> {
    const files: string[] = [];
    for (let index = 0; index < count; index++) {
      const c = capture();
      await main(
        ['props', '--claim', claim, '--seed', String(seed), '--runs', '90', '--shard', `${index}/${count}`, '--json'],
        c.io,
      );
      const file = join(folder, `${claim}-${seed}-${index}.json`);
      writeFileSync(file, c.out());
      files.push(file);
    }
    return files;
  }

  it('merges the shards of a claim expected to hold: runs add up to the campaign runs', async () => {
    const files = await shardReports('cis.corrected-bound', 3, 11);
    const shards = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as ShardReport);
    expect(shards.map((s) => s.claims[0]!.runs)).toEqual([30, 30, 30]);
    expect(new Set(shards.map((s) => s.shard.seed)).size).toBe(3);
    const c = capture();
    const report = join(folder, 'merged-holds.json');
    expect(await main(['merge', ...files.reverse(), '--report', report], c.io)).toBe(0);
    const merged = JSON.parse(readFileSync(report, 'utf8'));
    expect(merged.claims[0]).toMatchObject({
      id: 'cis.corrected-bound',
      status: 'holds',
      asExpected: true,
      runs: 90,
      seed: 11,
    });
    expect(merged.claims[0].evidence).toMatch(/no counterexample in 90 runs over 3 shards/);
    expect(c.out()).toMatch(/1\/1 claims as expected/);
  });

  it('merges a claim expected to fail into fails, with the first failing shard counterexample', async () => {
    const files = await shardReports('recency.power-tail-as-stated', 2, 3);
    const c = capture();
    expect(await main(['merge', ...files, '--json', '--report', join(folder, 'merged-fails.json')], c.io)).toBe(0);
    const merged = JSON.parse(c.out());
    expect(merged.claims[0]).toMatchObject({ status: 'fails', asExpected: true });
    expect(merged.claims[0].evidence).toMatch(/^shard 0\/2: counterexample/);
    expect(merged.claims[0].counterexample).toBeDefined();
  });

  it('refuses an incomplete or mixed set of shards, and unreadable reports, with exit 2', async () => {
    const files = await shardReports('cis.corrected-bound', 3, 12);
    const other = await shardReports('cis.corrected-bound', 3, 13);
    const run = async (args: string[]) => {
      const c = capture();
      return { code: await main(['merge', ...args, '--report', join(folder, 'refused.json')], c.io), err: c.err() };
    };
    expect(await run(files.slice(0, 2))).toMatchObject({
      code: 2,
      err: expect.stringMatching(/no report for shard\(s\) 2/),
    });
    expect(await run([files[0]!, files[1]!, files[1]!])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/each shard once/),
    });
    expect(await run([files[0]!, files[1]!, other[2]!])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/campaign seed 13/),
    });
    expect(await run([join(folder, 'missing.json')])).toMatchObject({ code: 2, err: expect.stringMatching(/ENOENT/) });
    writeFileSync(join(folder, 'plain.json'), JSON.stringify({ seed: 1, claims: [] }));
    expect(await run([join(folder, 'plain.json')])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/without a "shard" record/),
    });
    expect(await run([])).toMatchObject({ code: 2 });
  });

  it('prhs verify --shard writes a sharded report that merges', async () => {
    const files: string[] = [];
    for (const index of [0, 1]) {
      const file = join(folder, `verify-${index}.json`);
      expect(
        await main(
          [
            'verify',
            '--claim',
            'cis.',
            '--seed',
            '21',
            '--shard',
            `${index}/2`,
            '--no-store',
            '--json',
            '--report',
            file,
          ],
          capture().io,
        ),
      ).toBe(0);
      files.push(file);
    }
    const shard1 = JSON.parse(readFileSync(files[1]!, 'utf8'));
    expect(shard1.shard).toEqual({ index: 1, count: 2, campaignSeed: 21, seed: shardSeed(21, { index: 1, count: 2 }) });
    const c = capture();
    expect(await main(['merge', ...files, '--json', '--report', join(folder, 'merged-verify.json')], c.io)).toBe(0);
    expect(JSON.parse(c.out()).claims.map((x: { id: string; runs: number }) => [x.id, x.runs])).toEqual([
      ['cis.theorem-as-stated', 2],
      ['cis.corrected-bound', 300],
    ]);
  });

  it('merge checks report shapes', () => {
    expect(() =>
      requireShardReport({ shard: { index: 0, count: 1, campaignSeed: 1, seed: 1 }, claims: [{ id: 'x' }] }, 'r.json'),
    ).toThrow(/^r\.json: expected claims\[0\]/);
    expect(() => mergeReports([])).toThrow(/REPORTS/);
  });
});
