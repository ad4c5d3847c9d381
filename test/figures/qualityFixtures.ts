/**
 * Small quality results in the layout of bench/model/real-attention-quality.js (made-up numbers)
 * for the figure-9 tests: two models, the checkpoint as a string (older results) and as
 * {path, config, sha256}, a partial file, and retrieval probes of three kinds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QualityCheckpoint, QualityResults } from '../../src/figures/realResults.js';

const SELECTORS = ['oracle', 'cis', 'h2o'];
const FRACTIONS = [4, 8, 16];

/**
 * One bits-per-byte item: dense `base`, each selector base + slope·δ with δ = 0.02·fraction·(1+i).
 * Dyadic values keep every difference exact.
 */
export function bpbItem(file: string, base: number, slope: number) {
  return {
    file,
    scored: 64,
    rows: [
      {
        selector: 'dense',
        fraction: null,
        budget: null,
        bitsPerByte: base,
        meanDelta: 0,
        meanOutputBound: 0,
        meanKept: 0,
        rescoredShare: 0,
      },
      ...FRACTIONS.flatMap((fraction) =>
        SELECTORS.map((selector, i) => {
          const delta = 0.02 * fraction * (1 + i);
          return {
            selector,
            fraction,
            budget: 4096 / fraction,
            bitsPerByte: base + slope * 2 ** -7 * fraction * (1 + i),
            meanDelta: delta,
            meanOutputBound: 2 * delta,
            meanKept: 4096 / fraction,
            rescoredShare: 1,
          };
        }),
      ),
    ],
  };
}

/** A retrieval item: per kind one probe; `fails` lists the selectors that miss it (at every budget, δ 0.3; others 0.1). */
export function retrievalItem(file: string, kinds: readonly string[], fails: (kind: string) => readonly string[]) {
  return {
    file,
    probes: kinds.map((kind) => ({
      kind,
      distance: 3200,
      outcomes: ['dense', ...SELECTORS].flatMap((selector) =>
        (selector === 'dense' ? [null] : FRACTIONS).map((fraction) => ({
          selector,
          fraction,
          correct: !fails(kind).includes(selector),
          bytesRight: fails(kind).includes(selector) ? 2 : 6,
          meanDelta: selector === 'dense' ? 0 : fails(kind).includes(selector) ? 0.3 : 0.1,
        })),
      ),
    })),
  };
}

/** A whole result document around the given items. */
export function qualityResult(parts: {
  checkpoint?: QualityCheckpoint;
  context?: number;
  complete?: boolean;
  progress?: { items: number; itemsDone: number };
  bitsPerByte?: QualityResults['bitsPerByte'];
  retrieval?: QualityResults['retrieval'];
}) {
  return {
    schema: 'prhs-real-attention-quality/1',
    complete: parts.complete ?? true,
    ...(parts.checkpoint === undefined ? {} : { checkpoint: parts.checkpoint }),
    ...(parts.progress === undefined ? {} : { progress: parts.progress }),
    settings: { context: parts.context ?? 4096, fractions: FRACTIONS, selectors: SELECTORS },
    machine: { cpu: 'Test CPU', cores: 2, jobs: 2, wallSeconds: 10 },
    bitsPerByte: parts.bitsPerByte ?? [],
    retrieval: parts.retrieval ?? [],
    unfinished: [],
  };
}

export const copyCheckpoint = {
  path: 'models/copy-small',
  config: { hidden_size: 256 },
  sha256: { 'config.json': 'aa'.repeat(32), 'model.safetensors': 'cd'.repeat(32) },
};

/**
 * Two models: `models/big` (string checkpoint, bits per byte, slope 1) and `models/copy-small`
 * (object checkpoint; bits per byte, slope −1, in a partial file with 1 of 2 files done; retrieval
 * in its own file, three kinds: h2o misses the name probe of d.py with δ 0.3 where the others
 * have 0.1, dense misses the line probe of e.py).
 */
export function twoModelFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'prhs-quality-'));
  const write = (name: string, document: unknown) => writeFileSync(join(folder, name), JSON.stringify(document));
  write(
    'real-attention-quality-big.json',
    qualityResult({ checkpoint: 'models/big', bitsPerByte: [bpbItem('a.py', 0.5, 1), bpbItem('b.py', 1.5, 1)] }),
  );
  write(
    'real-attention-quality-copy-bpb.json',
    qualityResult({
      checkpoint: copyCheckpoint,
      complete: false,
      progress: { items: 2, itemsDone: 1 },
      bitsPerByte: [bpbItem('c.py', 1, -1)],
    }),
  );
  write(
    'real-attention-quality-copy-retrieval.json',
    qualityResult({
      checkpoint: copyCheckpoint,
      retrieval: [
        retrievalItem('d.py', ['value', 'name', 'line'], (kind) => (kind === 'name' ? ['h2o'] : [])),
        retrievalItem('e.py', ['value', 'name', 'line'], (kind) => (kind === 'line' ? ['dense'] : [])),
      ],
    }),
  );
  write('real-attention-quality-other-schema.json', { schema: 'something-else/1' });
  return folder;
}
