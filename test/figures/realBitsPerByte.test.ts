/**
 * Figure 9 on two models (test/figures/qualityFixtures.ts): one row of panels per model, each
 * model's Spearman ρ over its own points only, retrieval per model and probe kind, the partial
 * file's finished items only, and a caption that names each model and its files.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/figures/figure.js';
import { realBitsPerByteFigure } from '../../src/figures/realBitsPerByte.js';
import { renderFigures } from '../../src/figures/renderFigures.js';
import { twoModelFolder } from './qualityFixtures.js';

const folder = twoModelFolder();
const built = realBitsPerByteFigure.build({ seed: 1, benchDirectory: folder });
const pick = (rows: readonly Row[], match: Partial<Row>) =>
  rows.filter((r) => Object.entries(match).every(([k, v]) => r[k] === v));

describe('figure 9 (real-bits-per-byte)', () => {
  it('keeps the models apart: every row names its model, and the loss points are each model’s own', () => {
    expect(new Set(built.rows.map((r) => r.model))).toEqual(new Set(['big', 'copy-small']));
    expect(pick(built.rows, { panel: 'loss', model: 'big' })).toHaveLength(18);
    // The partial file's one finished item only (9 points), not its unfinished one.
    expect(pick(built.rows, { panel: 'loss', model: 'copy-small' })).toHaveLength(9);
    expect(pick(built.rows, { panel: 'retrieval', model: 'big' })).toEqual([]);
  });

  it('averages bits per byte over one model’s files, dense drawn at every budget', () => {
    const dense = pick(built.rows, { panel: 'mean', model: 'big', selector: 'dense' });
    expect(dense.map((r) => [r.fraction, r.budget, r.bitsPerByte])).toEqual([
      [4, 1024, 1],
      [8, 512, 1],
      [16, 256, 1],
    ]);
    // cis is selector index 1: dense + 2^-7 · 8 · 2 at N/8 in both files.
    expect(pick(built.rows, { panel: 'mean', model: 'big', selector: 'cis', fraction: 8 })[0]!.bitsPerByte).toBe(1.125);
    expect(pick(built.rows, { panel: 'mean', model: 'copy-small', selector: 'cis', fraction: 8 })[0]!.bitsPerByte).toBe(
      0.875,
    );
  });

  it('computes ρ per model: +1 and −1 here, where the pooled points would give neither', () => {
    expect(built.caption).toContain('ρ(mean δ, bits-per-byte increase) = 1.00 over 18 (file, selector, budget) points');
    expect(built.caption).toContain('ρ(mean δ, bits-per-byte increase) = -1.00 over 9 (file, selector, budget) points');
  });

  it('gives retrieval accuracy per model, probe kind, selector and budget', () => {
    const at = (kind: string, selector: string) =>
      pick(built.rows, { panel: 'retrieval', model: 'copy-small', kind, selector, fraction: 8 })[0]!;
    expect([at('name', 'h2o').accuracy, at('name', 'h2o').probes]).toEqual([0.5, 2]);
    expect([at('value', 'h2o').accuracy, at('line', 'cis').accuracy, at('name', 'dense').accuracy]).toEqual([1, 1, 1]);
    expect(pick(built.rows, { panel: 'retrieval', model: 'copy-small' })).toHaveLength(3 * 3 * 4);
  });

  it('gives ρ per file and over the (selector, budget) means of each model', () => {
    expect(built.caption).toContain(
      'over 18 (file, selector, budget) points; per file 1.00–1.00, median 1.00; over the 9 (selector, budget) means 1.00',
    );
    // One finished file of the copy model: no per-file spread to give.
    expect(built.caption).toContain(
      'over 9 (file, selector, budget) points; over the 9 (selector, budget) means -1.00',
    );
  });

  it('asks whether δ predicts retrieval failure on the probes dense answers only', () => {
    // 5 probes dense answers × 9 selector branches; h2o fails d.py's name probe at 3 budgets, with the larger δ.
    expect(built.caption).toContain(
      'on the probes dense answers, 3 of 45 selector branches fail, P(δ of a failing branch > δ of an answering one) = 1.00',
    );
  });

  it('names each model, its checkpoint and files, the partial file and the skipped one in the caption', () => {
    expect(built.caption).toContain(
      'big (models/big, context 4096; real-attention-quality-big.json; 2 × Test CPU): 2 held-out files, dense 1.000 bits per byte',
    );
    expect(built.caption).toContain(
      'copy-small (models/copy-small, context 4096; real-attention-quality-copy-bpb.json, real-attention-quality-copy-retrieval.json;',
    );
    expect(built.caption).toContain(
      'retrieval in 2 files, answers 3200–3200 bytes back: dense value 2/2, name 2/2, line 1/2 exact',
    );
    expect(built.caption).toContain('real-attention-quality-copy-bpb.json is partial: its 1 finished of 2 files drawn');
    expect(built.caption).toContain(
      'Skipped: real-attention-quality-other-schema.json (not prhs-real-attention-quality/1)',
    );
  });

  it('draws one row of panels per model, each panel filtered to its model', () => {
    const spec = built.spec as unknown as { vconcat: { hconcat: { title: string; transform: unknown[] }[] }[] };
    expect(spec.vconcat.map((row) => row.hconcat.map((p) => p.title))).toEqual([
      ['big: bits per byte', 'big: loss against δ'],
      [
        'copy-small: bits per byte',
        'copy-small: loss against δ',
        'copy-small: retrieval, value probes',
        'copy-small: retrieval, name probes',
        'copy-small: retrieval, line probes',
      ],
    ]);
    const filter = spec.vconcat[1]!.hconcat[3]!.transform[0];
    expect(filter).toEqual({
      filter: {
        and: [
          { field: 'panel', equal: 'retrieval' },
          { field: 'model', equal: 'copy-small' },
          { field: 'kind', equal: 'name' },
        ],
      },
    });
  });

  it('renders without Vega warnings, with data marks', async () => {
    const out = mkdtempSync(join(tmpdir(), 'prhs-fig9-'));
    const [r] = await renderFigures({ out, only: ['real-bits-per-byte'], benchDirectory: folder });
    expect(r!.warnings).toEqual([]);
    expect(r!.points).toBe(built.rows.length);
    expect(r!.markItems).toBeGreaterThanOrEqual(built.rows.length / 2);
  }, 60_000);

  it('says so when no file has results', () => {
    const empty = realBitsPerByteFigure.build({ seed: 1, benchDirectory: mkdtempSync(join(tmpdir(), 'prhs-fig9-')) });
    expect(empty.rows).toEqual([]);
    expect(empty.caption).toMatch(/^No bits-per-byte or retrieval results in /);
  });
});
