/**
 * The CLI end to end through main() with captured output, plus one real process to check that bad
 * input never prints a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../../src/backends/registry.js';
import { runCli } from './runCli.js';
import { packageRoot } from '../../src/io/packageRoot.js';

const run = runCli;

const folder = mkdtempSync(join(tmpdir(), 'prhs-cli-'));
function file(name: string, contents: string): string {
  const path = join(folder, name);
  writeFileSync(path, contents);
  return path;
}

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

describe('prhs eval', () => {
  it('prints the joint-law quantities', async () => {
    // X uniform on two queries, each attending to its own index; keeping only index 0 destroys the information.
    const path = file(
      'law.json',
      JSON.stringify({
        pi: [0.5, 0.5],
        attention: [
          [0.9, 0.1, 0],
          [0, 0.1, 0.9],
        ],
        keep: [
          [0, 1],
          [0, 1],
        ],
      }),
    );
    const { code, stdout } = await run(['eval', path]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.deltaBar).toBeCloseTo(0.45, 14);
    expect(out.miLoss).toBeCloseTo(out.mi - out.miSparse, 14);
    expect(out.bounds).toBeTypeOf('object');
  });

  it.each([
    ['not json', '{"q": [1,', /FILE: expected valid JSON/],
    [
      'a bad field',
      JSON.stringify({ q: [1], K: [[1], [2]], V: [[1], [2]], keep: [0, 5] }),
      /keep\[1\]: expected an index in \[0, 2\)/,
    ],
    [
      'a ragged matrix',
      JSON.stringify({ q: [1], K: [[1], [2, 3]], V: [[1], [2]], keep: [0] }),
      /K\[1\]: expected a row of length 1/,
    ],
    [
      'duplicates',
      JSON.stringify({ q: [1], K: [[1], [2]], V: [[1], [2]], keep: [1, 1] }),
      /keep\[1\]: expected distinct indices/,
    ],
    ['neither form', JSON.stringify({ x: 1 }), /FILE: expected either a single-head object/],
  ])('rejects %s with exit code 2 and one line', async (_label, contents, message) => {
    const { code, stderr } = await run(['eval', file('bad.json', contents)]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints no stack trace from the real binary', () => {
    const child = spawnSync(process.execPath, [join(packageRoot(), 'bin/prhs.js'), 'eval', file('bad2.json', '[1,2')], {
      encoding: 'utf8',
    });
    if (child.stderr.includes('Cannot find module')) return; // dist/ not built in this checkout
    expect(child.status).toBe(2);
    expect(child.stderr).not.toMatch(/\n\s+at /);
    expect(child.stderr.trim().split('\n')).toHaveLength(1);
  });
});
