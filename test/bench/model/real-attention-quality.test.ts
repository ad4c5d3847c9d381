/**
 * bench/model/real-attention-quality.js end to end on a tiny context: the numbers do not depend on
 * how the branches are split over workers, a SIGTERM leaves a valid partial result that --resume
 * completes to the same numbers, and bad arguments exit 2 naming the argument. Runs the built
 * script (dist/) with the CPU addon; skipped when either is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBackend } from '../../../src/backends/registry.js';

const root = resolve(import.meta.dirname, '../../..');
const script = join(root, 'bench/model/real-attention-quality.js');
const built = existsSync(join(root, 'dist/src/model/evaluate/prefixState.js'));
const cpuLoaded = loadBackend('cpu').loaded;
const directory = mkdtempSync(join(tmpdir(), 'prhs-quality-test-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

// One bits-per-byte file and one retrieval file at context 256, three selectors at one budget.
const tiny = [
  ...['--context', '256', '--scored', '8', '--bpb-files', '1', '--retrieval-files', '1'],
  ...['--definitions', '1', '--min-distance', '15', '--fractions', '4', '--selectors', 'oracle,quest,h2o'],
];

function run(args: string[]) {
  return spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', cwd: root });
}

interface QualityResult {
  complete: boolean;
  settings: Record<string, unknown>;
  progress: { itemsDone: number; done: { branchesDone: number }[] };
  bitsPerByte: Record<string, unknown>[];
  retrieval: Record<string, unknown>[];
  unfinished: unknown[];
}

const read = (path: string): QualityResult => JSON.parse(readFileSync(path, 'utf8')) as QualityResult;

/** The numbers of a result: every item without its timings. */
function numbers(result: QualityResult) {
  const strip = ({ seconds: _s, cpuSeconds: _c, ...rest }: Record<string, unknown>) => rest;
  return { bitsPerByte: result.bitsPerByte.map(strip), retrieval: result.retrieval.map(strip) };
}

describe.skipIf(!built || !cpuLoaded)('real-attention-quality.js', () => {
  const whole = join(directory, 'whole.json');

  it('gives the same numbers bit for bit in one task per item and split over workers, cut and resumed', async () => {
    const single = run([...tiny, '--jobs', '1', '--branch-groups', '1', '--out', whole]);
    expect(single.status, single.stderr).toBe(0);
    const expected = read(whole);
    expect(expected.complete).toBe(true);
    expect(expected.bitsPerByte[0]!.rows).toHaveLength(4);

    // Split into four groups an item over two workers; SIGTERM after the first finished group.
    const cut = join(directory, 'cut.json');
    const child = spawn(process.execPath, [script, ...tiny, '--jobs', '2', '--branch-groups', '4', '--out', cut], {
      cwd: root,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    while (!existsSync(cut)) await new Promise((wait) => setTimeout(wait, 50));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    const partial = read(cut);
    expect(partial.complete).toBe(false);
    const branchesDone = partial.progress.done.reduce((a, d) => a + d.branchesDone, 0);
    expect(branchesDone).toBeGreaterThan(0);
    expect(branchesDone).toBeLessThan(8);

    const resumed = run(['--resume', cut, ...tiny, '--jobs', '2', '--branch-groups', '2']);
    expect(resumed.status, resumed.stderr).toBe(0);
    const result = read(cut);
    expect(result.complete).toBe(true);
    expect(result.unfinished).toEqual([]);
    expect(numbers(result)).toEqual(numbers(expected));
  }, 600_000);

  it('stops starting tasks past --time-limit and writes what it has', () => {
    const out = join(directory, 'limited.json');
    const limited = run([...tiny, '--time-limit', '0.001', '--out', out]);
    expect(limited.status, limited.stderr).toBe(0);
    expect(limited.stderr).toMatch(/not started \(time limit\)/);
    const result = read(out);
    expect(result.complete).toBe(false);
    expect(result.progress.itemsDone).toBe(0);
  });

  it('refuses bad arguments with exit 2, naming the argument', () => {
    const cases: [string[], RegExp][] = [
      [['--resume', join(directory, 'none.json')], /--resume: cannot read/],
      [['--checkpoint', join(directory, 'none')], /--checkpoint: cannot load/],
      [['--time-limit', '-3'], /--time-limit: expected seconds > 0/],
      [['--branch-groups', '0'], /--branch-groups: expected an integer ≥ 1/],
    ];
    for (const [args, message] of cases) {
      const child = run([...tiny, ...args]);
      expect(child.status).toBe(2);
      expect(child.stderr).toMatch(message);
    }
    // A result of other settings cannot be resumed.
    const other = run(['--resume', whole, ...tiny.map((a) => (a === '256' ? '320' : a))]);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/--resume: .* has context 256, these settings 320/);
  });
});
