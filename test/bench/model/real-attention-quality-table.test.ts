/**
 * bench/model/real-attention-quality-table.js on a partial result (made-up numbers): finished
 * branches of unfinished items count, and a cell covering fewer files or probes says how many.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const built = existsSync(join(root, 'dist/src/figures/rankCorrelation.js'));
const directory = mkdtempSync(join(tmpdir(), 'prhs-quality-table-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const row = (selector: string, fraction: number | null, bitsPerByte: number) => ({
  selector,
  fraction,
  budget: fraction === null ? null : 64 / fraction,
  bitsPerByte,
  headSteps: 10,
  meanDelta: 0.1,
  meanOutputBound: 0.2,
  meanKept: fraction === null ? 0 : 64 / fraction,
  rescoredShare: 1,
});
const bpb = (file: string, rows: unknown[]) => ({
  kind: 'bpb',
  file,
  context: 64,
  decodeFrom: 56,
  scored: 8,
  seconds: 1,
  cpuSeconds: 1,
  rows,
});
const outcome = (selector: string, fraction: number | null, correct: boolean) => ({
  selector,
  fraction,
  budget: fraction === null ? null : 64 / fraction,
  correct,
  bytesRight: correct ? 6 : 3,
  meanDelta: 0.1,
});
const probe = (outcomes: unknown[]) => ({
  kind: 'value',
  definition: 'x = 1',
  answer: '123456',
  distance: 40,
  outcomes,
});

const partial = {
  schema: 'prhs-real-attention-quality/1',
  complete: false,
  checkpoint: { path: 'models/prhs-byte-12m', config: {}, sha256: {} },
  backend: 'cpu',
  settings: { context: 64, fractions: [4], selectors: ['oracle'], scored: 8 },
  machine: { jobs: 2, cores: 2, cpu: 'test', wallSeconds: 10, calls: 1 },
  progress: { items: 3, itemsDone: 1, branchesPerItem: 2, done: [] },
  bitsPerByte: [bpb('a.py', [row('dense', null, 1), row('oracle', 4, 1.5)])],
  retrieval: [],
  unfinished: [
    bpb('b.py', [row('dense', null, 2)]),
    {
      kind: 'retrieval',
      file: 'c.py',
      context: 64,
      shared: 40,
      definitionsAt: 3,
      seconds: 1,
      cpuSeconds: 1,
      probes: [probe([outcome('dense', null, true)]), probe([outcome('dense', null, false)])],
    },
  ],
};

describe.skipIf(!built)('real-attention-quality-table.js', () => {
  it('tabulates a partial result over what is done and marks the thinner cells', () => {
    const path = join(directory, 'partial.json');
    writeFileSync(path, JSON.stringify(partial));
    const child = spawnSync(process.execPath, [join(root, 'bench/model/real-attention-quality-table.js'), path], {
      encoding: 'utf8',
    });
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toMatch(/\*\*Partial result\*\* \(a run cut short\): 1 of 3 files complete/);
    // dense over both files; oracle over the one that has it.
    expect(child.stdout).toMatch(/\| dense \| 1\.500 \|/);
    expect(child.stdout).toMatch(/\| oracle \| 1\.500 \(δ 0\.100\) \[1 of 2\] \|/);
    expect(child.stdout).toMatch(/\| dense \| 1\/2 \(bytes 75%\) \|/);
    expect(child.stdout).toMatch(/\| oracle \| — \|/);
  });
});
