/** `prhs verify` and `prhs props` end to end through main() with captured output (`prhs eval`: eval.test.ts). */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../../src/backends/registry.js';
import { runCli } from './runCli.js';

const run = runCli;

const folder = mkdtempSync(join(tmpdir(), 'prhs-cli-'));

describe('prhs verify', () => {
  it('prints the table, writes the report atomically and exits 0 when all is as expected', async () => {
    const report = join(folder, 'verify.json');
    const { code, stdout } = await run([
      'verify',
      '--claim',
      'reference.',
      '--seed',
      '5',
      '--report',
      report,
      '--no-store',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/claim\s+expected\s+status\s+runs\s+seed\s+time/);
    expect(stdout).toMatch(/reference\.topk-order\s+holds\s+holds\s+300\s+5/);
    const parsed = JSON.parse(readFileSync(report, 'utf8'));
    expect(parsed.claims.map((c: { id: string }) => c.id)).toContain('reference.softmax-stable');
  });

  it('--json prints the documented shape', async () => {
    const { code, stdout } = await run([
      'verify',
      '--claim',
      'reference.topk',
      '--runs',
      '10',
      '--json',
      '--report',
      join(folder, 'v2.json'),
      '--no-store',
    ]);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout);
    expect(parsed.claims[0]).toMatchObject({
      id: 'reference.topk-order',
      expected: 'holds',
      status: 'holds',
      runs: 10,
    });
    for (const key of ['id', 'title', 'expected', 'status', 'runs', 'seed', 'evidence'])
      expect(parsed.claims[0]).toHaveProperty(key);
  });

  it('adds the kernel cross-checks of every native backend present', async () => {
    const { code, stdout } = await run([
      'verify',
      '--runs',
      '1',
      '--json',
      '--no-store',
      '--report',
      join(folder, 'v3.json'),
    ]);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout);
    const native = availableBackends().filter((b) => b.name !== 'reference');
    expect(parsed.kernels).toHaveLength(native.length * 3);
    for (const row of parsed.kernels) expect(row).toMatchObject({ pass: true, failed: 0 });
    expect(parsed.claims.length).toBeGreaterThan(40);
  });

  it('rejects unknown options and prefixes with exit code 2', async () => {
    expect((await run(['verify', '--bogus'])).code).toBe(2);
    expect((await run(['verify', '--claim', 'no-such-topic'])).code).toBe(2);
    expect((await run(['verify', '--runs', 'many'])).stderr).toMatch(/--runs: expected an integer/);
  });
});

describe('prhs props', () => {
  it('runs one claim with a given seed and run count', async () => {
    const { code, stdout } = await run(['props', '--claim', 'reference.softmax-stable', '--runs', '20', '--seed', '9']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/seed 9/);
    expect(stdout).toMatch(/reference\.softmax-stable\s+holds\s+holds\s+20/);
  });

  it('names an unknown claim', async () => {
    const { code, stderr } = await run(['props', '--claim', 'nope']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--claim: expected a claim id/);
  });
});
