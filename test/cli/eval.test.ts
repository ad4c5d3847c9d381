/**
 * prhs eval: single-head and joint-law quantities, standard input, batches, bounds outside their
 * domain, linear time in N, and bad input refused in one line (no stack trace from the real binary).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/packageRoot.js';
import { runCli } from './runCli.js';

const head = {
  q: [1, 0],
  K: [
    [0, 0],
    [0, 0],
  ],
  V: [[1], [3]],
  keep: [0],
  scale: 1,
};
// X uniform on two queries, each attending to its own index; keeping only index 0 destroys the information.
const ownIndexLaw = {
  pi: [0.5, 0.5],
  attention: [
    [0.9, 0.1, 0],
    [0, 0.1, 0.9],
  ],
  keep: [
    [0, 1],
    [0, 1],
  ],
};
// δ̄ = 0.95 > 1 − 1/N = 2/3: a valid joint law outside the Fannes–Audenaert domain.
const wideLaw = {
  pi: [0.5, 0.5],
  attention: [
    [0.05, 0.05, 0.9],
    [0.05, 0.9, 0.05],
  ],
  keep: [[0], [0]],
};

const folder = mkdtempSync(join(tmpdir(), 'prhs-eval-'));
function file(name: string, contents: string): string {
  const path = join(folder, name);
  writeFileSync(path, contents);
  return path;
}

describe('prhs eval', () => {
  it('prints the joint-law quantities', async () => {
    const { code, stdout } = await runCli(['eval', file('law.json', JSON.stringify(ownIndexLaw))]);
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
    const { code, stderr } = await runCli(['eval', file('bad.json', contents)]);
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

  it('prints the single-head quantities of a head read from a file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'prhs-eval-')), 'head.json');
    writeFileSync(path, JSON.stringify(head));
    const { code, stdout } = await runCli(['eval', path]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.delta).toBeCloseTo(0.5, 15);
    expect(out.dense[0]).toBeCloseTo(2, 15);
    expect(out.sparse[0]).toBeCloseTo(1, 15);
    expect(out.errorNorm).toBeCloseTo(1, 15);
    expect(out.errorBound).toBeCloseTo(1, 15);
    expect(out.tv).toBeCloseTo(0.5, 15);
    expect(out.klSparseToDense).toBeCloseTo(Math.LN2, 15);
    expect(out.entropy).toBeCloseTo(Math.LN2, 15);
    expect(out.entropySparse).toBe(0);
  });

  it('reads - as standard input', async () => {
    const run = await runCli(['eval', '-'], JSON.stringify(head));
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.schema).toBe('prhs-eval/1');
    expect(out.delta).toBeCloseTo(0.5, 15);
  });

  it('reads standard input in the real binary', () => {
    const child = spawnSync(process.execPath, [join(packageRoot(), 'bin/prhs.js'), 'eval', '-'], {
      input: JSON.stringify(head),
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout).delta).toBeCloseTo(0.5, 15);
  });

  it('evaluates a batch of heads in one file, each as it would alone', async () => {
    const alone = [
      JSON.parse((await runCli(['eval', '-'], JSON.stringify(head))).stdout),
      JSON.parse((await runCli(['eval', '-'], JSON.stringify(wideLaw))).stdout),
    ];
    const run = await runCli(['eval', '-'], JSON.stringify({ schema: 'prhs-eval-input/1', heads: [head, wideLaw] }));
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.heads).toHaveLength(2);
    expect(out.heads[0]).toEqual({ kind: 'single-head', ...alone[0], schema: undefined });
    expect(out.heads[1]).toEqual({ kind: 'joint-law', ...alone[1], schema: undefined });
  });

  it('names the head and field of a bad entry in a batch', async () => {
    const run = await runCli(['eval', '-'], JSON.stringify({ heads: [head, { ...head, keep: [0, 9] }] }));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/heads\[1\]\.keep\[1\]: expected an index in \[0, 2\)/);
  });

  it('refuses an input that names another schema', async () => {
    const run = await runCli(['eval', '-'], JSON.stringify({ schema: 'prhs-eval-input/9', ...head }));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/schema: expected "prhs-eval-input\/1"/);
  });

  it('gives a valid joint law its quantities and marks the bounds whose domain it leaves as not applicable', async () => {
    const run = await runCli(['eval', '-'], JSON.stringify(wideLaw));
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.deltaBar).toBeCloseTo(0.95, 14);
    expect(out.miLoss).toBeCloseTo(out.mi - out.miSparse, 14);
    expect(out.bounds.miLossBound).toBeNull();
    expect(out.bounds.sharp).toBeNull();
    expect(out.bounds.fannesAudenaert).toBeNull();
    expect(Object.keys(out.notApplicable).sort()).toEqual(['fannesAudenaert', 'miLossBound', 'sharp']);
    for (const reason of Object.values(out.notApplicable)) expect(reason).toMatch(/\[0, 1 − 1\/N\]/);
    // The union bound holds for every δ̄: it is given, and it contains the loss.
    expect(out.bounds.union.lower).toBeLessThanOrEqual(out.miLoss);
    expect(out.bounds.union.upper).toBeGreaterThanOrEqual(out.miLoss);
  });

  it('gives every bound inside its domain, with nothing marked not applicable', async () => {
    const out = JSON.parse((await runCli(['eval', '-'], JSON.stringify(ownIndexLaw))).stdout);
    expect(out.notApplicable).toEqual({});
    expect(out.bounds.miLossBound).toBeGreaterThanOrEqual(Math.abs(out.miLoss));
  });

  it('handles N = 200,000 with every second token kept (it was quadratic in kept × dropped)', async () => {
    const n = 200_000;
    let state = 7;
    const random = () => ((state = (state * 48271) % 2147483647) / 2147483647) * 2 - 1;
    const input = {
      q: [random(), random(), random(), random()],
      K: Array.from({ length: n }, () => [random(), random(), random(), random()]),
      V: Array.from({ length: n }, () => [random(), random()]),
      keep: Array.from({ length: n / 2 }, (_, i) => 2 * i),
    };
    const path = join(mkdtempSync(join(tmpdir(), 'prhs-eval-')), 'large.json');
    writeFileSync(path, JSON.stringify(input));
    const run = await runCli(['eval', path]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.attention).toHaveLength(n);
    expect(out.delta).toBeGreaterThan(0.3);
    expect(out.delta).toBeLessThan(0.7);
    expect(out.errorNorm).toBeLessThanOrEqual(out.errorBound);
    expect(out.errorBound).toBeLessThanOrEqual(out.errorBoundMaxNorm);
  });
});
