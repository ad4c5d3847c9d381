/**
 * Logit worker threads need the compiled worker (dist/src/sim/logitWorker.js: vitest runs the
 * TypeScript sources, where the simulator falls back to one thread). This test runs the built
 * simulator in a child process and requires bitwise-equal records for 1, 2 and 3 threads, with
 * blocks small enough that the two shared slots are reused many times. Skipped without a build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/packageRoot.js';

const dist = join(packageRoot(), 'dist', 'src');
const built = existsSync(join(dist, 'sim', 'logitWorker.js'));

const script = `
const { syntheticTrace } = await import(${JSON.stringify(join(dist, 'traces', 'synthetic.js'))});
const { createSelector } = await import(${JSON.stringify(join(dist, 'selectors', 'registry.js'))});
const { simulate } = await import(${JSON.stringify(join(dist, 'sim', 'simulate.js'))});
const trace = syntheticTrace({ layers: 3, queryHeads: 8, kvHeads: 2, prefix: 200, steps: 17, headDim: 16, seed: 9 });
const fields = ['delta', 'deltaStar', 'recall', 'outputError', 'certified', 'size', 'retrieved'];
const out = {};
for (const precision of ['fp64', 'auto']) {
  const runs = [1, 2, 3].map((threads) => simulate(trace, createSelector('h2o', 24), { precision, threads, stepsPerBlock: 2 }));
  out[precision] = {
    threads: runs.map((r) => r.logitThreads),
    same: runs.every((r) => fields.every((f) => r[f].every((x, i) => Object.is(x, runs[0][f][i])))),
  };
}
console.log(JSON.stringify(out));
`;

describe.skipIf(!built)('simulate: logit worker threads (built simulator)', () => {
  it('records the same numbers, bit for bit, for 1, 2 and 3 threads', () => {
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const result = JSON.parse(output.trim().split('\n').pop()!);
    for (const precision of ['fp64', 'auto']) {
      expect(result[precision].threads).toEqual([1, 2, 3]);
      expect(result[precision].same).toBe(true);
    }
  });
});
