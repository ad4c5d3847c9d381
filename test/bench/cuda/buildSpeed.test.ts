/**
 * bench/cuda/build-speed.mjs, the speed of two builds of the CUDA addon alternated in one call: its
 * summary (medians over rounds, spreads, new/old) on known rounds, and the script end to end on the
 * stand-in addon (gpuAddonStandIn.cjs, whose benchmark returns fixed timings) where there is no GPU.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBuildSpeed, summariseBuildSpeed } from '../../../bench/cuda/buildSpeedSummary.mjs';
import { packageRoot } from '../../../src/io/packageRoot.js';

const root = packageRoot();
const script = join(root, 'bench', 'cuda', 'build-speed.mjs');
const standIn = join(root, 'test', 'bench', 'cuda', 'gpuAddonStandIn.cjs');
const cpuAddon = process.env.PRHS_NATIVE_ADDON || join(root, 'build', 'native', 'Release', 'prhs_native.node');

const round = (label: string, times: Record<string, number>) => ({
  device: 'card',
  runs: [{ label, timings: Object.entries(times).map(([name, medianMs]) => ({ name, medianMs })) }],
});

describe('buildSpeed summary', () => {
  it('takes each build’s median over the rounds, its spread, and new / old', () => {
    const oldRounds = [
      round('c', { dense: 1.0, copy: 5 }),
      round('c', { dense: 1.2, copy: 5 }),
      round('c', { dense: 1.1, copy: 5 }),
    ];
    const newRounds = [
      round('c', { dense: 2.2, copy: 5 }),
      round('c', { dense: 2.0, copy: 5 }),
      round('c', { dense: 2.4, copy: 5 }),
    ];
    const rows = summariseBuildSpeed({ oldRounds, newRounds, keep: /dense/ });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ label: 'c', timing: 'dense' });
    expect(rows[0].oldMs).toBeCloseTo(1.1, 12);
    expect(rows[0].newMs).toBeCloseTo(2.2, 12);
    expect(rows[0].ratio).toBeCloseTo(2, 12);
    expect(rows[0].oldSpread).toBeCloseTo(0.2 / 1.1, 12);
    expect(rows[0].newSpread).toBeCloseTo(0.4 / 2.2, 12);
    expect(formatBuildSpeed({ device: 'card', rounds: 3, rows })).toContain(
      'c | dense | 1.1000 (18.2%) | 2.2000 (18.2%) | 2.000',
    );
  });

  it('averages the middle two of an even number of rounds and skips timings one build lacks', () => {
    const oldRounds = [round('c', { dense: 1, only: 1 }), round('c', { dense: 3, only: 1 })];
    const newRounds = [round('c', { dense: 2 }), round('c', { dense: 4 })];
    const rows = summariseBuildSpeed({ oldRounds, newRounds, keep: /.*/ });
    expect(rows.map((r) => r.timing)).toEqual(['dense']);
    expect(rows[0].oldMs).toBe(2);
    expect(rows[0].newMs).toBe(3);
  });
});

describe('buildSpeed script', () => {
  const run = (args: string[]) => {
    const result = spawnSync('node', [script, ...args], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, PRHS_STAND_IN_CPU_ADDON: cpuAddon },
    });
    return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  };
  const folder = mkdtempSync(join(tmpdir(), 'prhs-build-speed-'));
  const configs = join(folder, 'configs.json');
  writeFileSync(
    configs,
    JSON.stringify({ repeats: 3, copyBytes: 1024, configs: [{ label: 'tiny', tokens: 8, selected: 2 }] }),
  );

  it('rejects bad arguments with exit 2, naming the argument', () => {
    expect(run([configs, standIn]).status).toBe(2);
    const rounds = run([configs, standIn, standIn, join(folder, 'x.json'), '--rounds', '0']);
    expect(rounds.status).toBe(2);
    expect(rounds.stderr).toContain('--rounds');
    const missing = run([join(folder, 'none.json'), standIn, standIn, join(folder, 'x.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('CONFIGS_JSON');
  });

  it.skipIf(!existsSync(cpuAddon))('times both builds round by round and writes the table and its JSON', () => {
    const out = join(folder, 'speed.json');
    const withBad = join(folder, 'with-bad.json');
    const setup = JSON.parse(readFileSync(configs, 'utf8'));
    setup.configs.push({ label: 'bad', tokens: 2, selected: 5 });
    writeFileSync(withBad, JSON.stringify(setup));
    const result = run([withBad, standIn, standIn, out, '--rounds', '2']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('round 2/2 done');
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.rounds).toBe(2);
    expect(report.rows).toEqual([
      { label: 'tiny', timing: 'dense', oldMs: 1, newMs: 1, oldSpread: 0, newSpread: 0, ratio: 1 },
    ]);
    expect(result.stdout).toContain('tiny | dense | 1.0000 (0.0%) | 1.0000 (0.0%) | 1.000');
    // The cell the addon rejects is reported, not fatal.
    expect(report.errors).toEqual(['bad: selected: expected an integer in [1, 2]']);
    expect(result.stdout).toContain('ERROR bad: selected');
  });
});
