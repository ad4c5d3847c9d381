/**
 * `prhs figures` end to end: all eleven figures through the real command into a temporary folder
 * (SVG well-formed with data marks, CSV with header and rows, PNG signature and size, captions),
 * then a second render compared byte for byte (determinism), and the edge cases.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { figureNames } from '../../src/figures/catalogue.js';
import { renderFigures, type RenderedFigureFiles } from '../../src/figures/renderFigures.js';
import { checkWellFormedXml, countDataMarkElements } from './xmlWellFormed.js';
import { runCli as run } from '../cli/runCli.js';

/** A benchmark folder with files in the CPU, CUDA and reference layouts, a simulator result and one broken file. */
function benchFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'prhs-bench-'));
  const rows = [1024, 4096, 16384].flatMap((tokens) =>
    ['fp32', 'fp16'].map((dtype) => ({
      dtype,
      tokens,
      headDim: 128,
      selected: tokens / 8,
      copyGBs: 50,
      dense: { ms: tokens * 4e-5, GBs: 25, ofCopy: 0.5 },
      sparseRandom: { ms: tokens * 1e-5, GBs: 12, ofCopy: 0.24 },
      sparsePaged: { ms: tokens * 0.8e-5, GBs: 15, ofCopy: 0.3 },
    })),
  );
  writeFileSync(join(folder, 'cpu-test.json'), JSON.stringify({ machine: { cpu: 'Test CPU', cores: 2 }, rows }));
  const cudaResult = (tokens: number) => ({
    config: { label: 'x', dtype: 'fp16', batch: 1, queryHeads: 32, kvHeads: 32, tokens, headDim: 128, selected: 2048 },
    copyBandwidthGBs: 3000,
    timings: [
      { name: 'dense', medianMs: tokens * 1e-5, bytes: 8.6e7 },
      { name: 'sparse', medianMs: 0.031, bytes: 8.6e7 },
    ],
  });
  writeFileSync(
    join(folder, 'cuda-bench-test.json'),
    JSON.stringify({ addon: { device: 'NVIDIA H100 80GB HBM3' }, results: [cudaResult(32768), cudaResult(131072)] }),
  );
  writeFileSync(
    join(folder, 'reference-test.json'),
    JSON.stringify({ referenceAttentionStep: { n: 65536, d: 128, medianMs: 22.7 } }),
  );
  writeFileSync(join(folder, 'simulate-test.json'), JSON.stringify({ wallSeconds: 37 }));
  writeFileSync(join(folder, 'cpu-broken.json'), '{"rows": [');
  writeRealAttentionResults(folder);
  return folder;
}

/** A real-trace comparison and a quality run in the layouts of bench/model/real-attention*.js (made-up numbers). */
function writeRealAttentionResults(folder: string): void {
  const selectors = ['oracle', 'cis', 'h2o'];
  const summary = [1024, 4096].flatMap((context) =>
    [4, 8, 16].flatMap((fraction) =>
      selectors.map((selector, i) => ({
        context,
        fraction,
        selector,
        traces: 1,
        budget: context / fraction,
        meanDelta: 0.05 * fraction ** 0.5 * (1 + i),
        meanGap: 0.01 * i,
        retrievalRate: i === 1 ? 0.5 : 1,
      })),
    ),
  );
  writeFileSync(
    join(folder, 'real-attention-cpu-test.json'),
    JSON.stringify({ schema: 'prhs-real-attention/1', summary }),
  );
  const rows = (file: number) => [
    {
      selector: 'dense',
      fraction: null,
      budget: null,
      bitsPerByte: 0.5 + file,
      meanDelta: 0,
      meanOutputBound: 0,
      meanKept: 0,
      rescoredShare: 0,
    },
    ...[4, 8, 16].flatMap((fraction) =>
      selectors.map((selector, i) => ({
        selector,
        fraction,
        budget: 4096 / fraction,
        bitsPerByte: 0.5 + file + 2 ** -7 * fraction * (1 + i),
        meanDelta: 0.02 * fraction * (1 + i),
        meanOutputBound: 0.1 * fraction,
        meanKept: 4096 / fraction,
        rescoredShare: 1,
      })),
    ),
  ];
  const outcomes = ['dense', ...selectors].flatMap((selector) =>
    (selector === 'dense' ? [null] : [4, 8, 16]).map((fraction) => ({
      selector,
      fraction,
      correct: selector !== 'h2o',
      bytesRight: 6,
      meanDelta: 0.1,
    })),
  );
  writeFileSync(
    join(folder, 'real-attention-quality-test.json'),
    JSON.stringify({
      schema: 'prhs-real-attention-quality/1',
      checkpoint: 'models/test-model',
      settings: { context: 4096, fractions: [4, 8, 16], selectors },
      machine: { cpu: 'Test CPU', cores: 2, jobs: 2, wallSeconds: 10 },
      bitsPerByte: [0, 1].map((file) => ({ file: `f${file}.py`, scored: 64, rows: rows(file) })),
      retrieval: [{ file: 'g.py', probes: [{ kind: 'line', distance: 3500, outcomes }] }],
    }),
  );
}

/** Least data rows each figure must have (no empty plots). */
const MINIMUM_ROWS: Readonly<Record<string, number>> = {
  'mi-loss': 300,
  'entropy-bounds': 300,
  'output-error': 200,
  'selector-budget': 40,
  'real-selector-budget': 18,
  'cis-gate': 20,
  'certified-tightness': 100,
  'real-certified-tightness': 100,
  'depth-schedules': 100,
  'kernel-speed': 10,
  'real-bits-per-byte': 30,
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('prhs figures', () => {
  const out = mkdtempSync(join(tmpdir(), 'prhs-figures-'));
  const bench = benchFolder();
  let listed: { name: string; svg: string; png: string; csv: string; caption: string; points: number }[] = [];

  beforeAll(async () => {
    // How long the figures take is a benchmark (README, "Figures"), not an assertion: the run only has the hook's time limit.
    const { code, stdout, stderr } = await run(['figures', '--out', out, '--bench', bench, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    listed = (JSON.parse(stdout) as { figures: typeof listed }).figures;
  }, 180_000);

  it('--json lists all eleven figures in order, with the documented fields', () => {
    expect(listed.map((f) => f.name)).toEqual([...figureNames]);
    expect(figureNames).toHaveLength(11);
    for (const f of listed) expect(Object.keys(f).sort()).toEqual(['caption', 'csv', 'name', 'png', 'points', 'svg']);
  });

  it('each SVG is well-formed XML with data marks, each CSV has a header and rows, each PNG is a real image', () => {
    for (const f of listed) {
      const svg = readFileSync(f.svg, 'utf8');
      expect(() => checkWellFormedXml(svg), f.name).not.toThrow();
      expect(svg.startsWith('<svg'), f.name).toBe(true);
      // A line is one <path> per series, a point one per datum: at least a few drawn data elements.
      expect(countDataMarkElements(svg), `${f.name}: data marks`).toBeGreaterThanOrEqual(5);
      expect(svg, f.name).toContain('DejaVu Sans');
      const lines = readFileSync(f.csv, 'utf8').trimEnd().split('\n');
      expect(lines[0]!.split(',').length, `${f.name}: CSV header`).toBeGreaterThanOrEqual(4);
      expect(lines.length - 1, `${f.name}: CSV rows`).toBe(f.points);
      expect(f.points, `${f.name}: CSV rows`).toBeGreaterThanOrEqual(MINIMUM_ROWS[f.name]!);
      const png = readFileSync(f.png);
      expect([...png.subarray(0, 8)], f.name).toEqual(PNG_SIGNATURE);
      expect(png.length, `${f.name}: PNG size`).toBeGreaterThan(20_000);
      expect(f.caption.length, f.name).toBeGreaterThan(40);
      expect(f.caption, f.name).not.toMatch(/NaN|undefined|Infinity/);
    }
  });

  it('writes captions.json with one caption per figure', () => {
    const captions = JSON.parse(readFileSync(join(out, 'captions.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(captions)).toEqual([...figureNames]);
    for (const f of listed) expect(captions[f.name]).toBe(f.caption);
  });

  it('reads the benchmark files it understands and reports the ones it skips', () => {
    const kernel = listed.find((f) => f.name === 'kernel-speed')!;
    expect(kernel.caption).toContain('cpu-test.json');
    expect(kernel.caption).toContain('cuda-bench-test.json');
    expect(kernel.caption).toContain('reference-test.json');
    expect(kernel.caption).toMatch(/cpu-broken\.json \(not JSON\)/);
    expect(kernel.caption).not.toContain('simulate-test.json');
    const csv = readFileSync(kernel.csv, 'utf8');
    // Series are named by the machine the file names (the reference file names none).
    expect(csv).toContain('Test CPU, 1 thread: sparse decode (N/8 in pages of 16)');
    expect(csv).toContain('CPU: float64 reference step (d = 128)');
    // bytes / time: 8.6e7 B in 31 µs = 2774 GB/s, 92.5% of the 3000 GB/s copy.
    expect(csv).toMatch(/H100: sparse decode \(k selected\), B1, k = 2048"?,fp16,32768,0\.031,2774\.19[0-9]*,92\.5/);
  });

  it('draws the real-attention results it finds: the comparison, bits per byte, δ against the loss, retrieval', () => {
    const budget = listed.find((f) => f.name === 'real-selector-budget')!;
    expect(budget.caption).toContain('real-attention-cpu-test.json');
    expect(budget.points).toBe(18);
    const quality = listed.find((f) => f.name === 'real-bits-per-byte')!;
    expect(quality.caption).toContain('real-attention-quality-test.json');
    // The fixture's bits-per-byte increase grows with its mean δ at every point, and its values are
    // dyadic so the increases (bpb − dense bpb) are exact and tie exactly where the mean δ ties: ρ = 1.
    expect(quality.caption).toContain('ρ(mean δ, bits-per-byte increase) = 1.00 over 18');
    expect(quality.caption).toContain('test-model (models/test-model');
    expect(quality.caption).toContain('dense line 1/1 exact');
    const csv = readFileSync(quality.csv, 'utf8');
    // Retrieval: h2o fails every probe in the fixture, the others answer it.
    expect(csv).toMatch(/\nretrieval,test-model,,h2o,line,8,512,,,,,0,1\n/);
    expect(csv).toMatch(/\nretrieval,test-model,,cis,line,8,512,,,,,1,1\n/);
    expect(listed.find((f) => f.name === 'real-certified-tightness')!.caption).toMatch(
      /δ ≤ δ̂ at all \d+ points \(0 violations\)/,
    );
  });

  it('with no real-attention results those figures say so instead of failing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'prhs-bench-empty-'));
    const rendered = await renderFigures({
      out: empty,
      only: ['real-selector-budget', 'real-bits-per-byte'],
      benchDirectory: empty,
    });
    expect(rendered.map((r) => r.points)).toEqual([0, 0]);
    expect(rendered[0]!.caption).toMatch(/^No real-trace comparison in /);
    expect(rendered[1]!.caption).toMatch(/^No bits-per-byte or retrieval results in /);
  });

  describe('a second render', () => {
    let again: RenderedFigureFiles[] = [];
    const second = mkdtempSync(join(tmpdir(), 'prhs-figures-again-'));
    beforeAll(async () => {
      again = await renderFigures({ out: second, benchDirectory: bench });
    }, 180_000);

    it('gives the same SVG, PNG and CSV bytes (seeded and deterministic)', () => {
      for (const f of listed) {
        const g = again.find((r) => r.name === f.name)!;
        expect(readFileSync(g.svg, 'utf8'), `${f.name}.svg`).toBe(readFileSync(f.svg, 'utf8'));
        expect(readFileSync(g.csv, 'utf8'), `${f.name}.csv`).toBe(readFileSync(f.csv, 'utf8'));
        expect(readFileSync(g.png).equals(readFileSync(f.png)), `${f.name}.png`).toBe(true);
      }
    });

    it('draws data in every chart (scenegraph items of data marks) without Vega warnings', () => {
      for (const r of again) {
        expect(r.markItems, `${r.name}: scenegraph items`).toBeGreaterThanOrEqual(Math.min(20, MINIMUM_ROWS[r.name]!));
        expect(r.warnings, r.name).toEqual([]);
      }
    });
  });

  it('a different seed changes the random figures', async () => {
    const other = mkdtempSync(join(tmpdir(), 'prhs-figures-seed-'));
    const [r] = await renderFigures({ out: other, only: ['output-error'], seed: 2 });
    expect(readFileSync(r!.csv, 'utf8')).not.toBe(readFileSync(join(out, 'output-error.csv'), 'utf8'));
  });

  it('with no benchmark results the kernel figure says so instead of failing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'prhs-bench-empty-'));
    const [r] = await renderFigures({ out: empty, only: ['kernel-speed'], benchDirectory: empty });
    expect(r!.caption).toMatch(/^No kernel timings in /);
    expect(r!.points).toBe(0);
    expect(() => checkWellFormedXml(readFileSync(r!.svg, 'utf8'))).not.toThrow();
    expect(readFileSync(r!.svg, 'utf8')).toContain('no kernel benchmark results found');
  });

  it('--only keeps the other captions and rejects unknown names with exit code 2', async () => {
    const { code } = await run(['figures', '--out', out, '--only', 'depth-schedules', '--json']);
    expect(code).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(join(out, 'captions.json'), 'utf8')))).toHaveLength(11);
    const bad = await run(['figures', '--out', out, '--only', 'no-such-figure']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--only: expected figure names from mi-loss, /);
  });
});
