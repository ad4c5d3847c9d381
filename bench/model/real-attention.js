#!/usr/bin/env node
/**
 * Real attention of the trained model (models/prhs-byte-12m): teacher-forced traces of held-out
 * standard-library files (bench/results/model-training-h100-2026-12-06/heldout-sample.tar.gz),
 * then every selector at budgets of 1/4, 1/8 and 1/16 of the context (`prhs compare --trace`),
 * and the small committed trace that `prhs verify` checks the real-attention claims on.
 *
 *   node bench/model/real-attention.js [--contexts 1024,2048] [--files 2] [--steps 64]
 *        [--out bench/results/real-attention-cpu-2026-12-06.json] [--claim-trace PATH]
 *   node bench/model/real-attention.js --bits-per-byte [--files 1] [--scored 128]
 *        (held-out bits per byte at context 1024, dense and with every selector in the decode loop
 *        at N/4, N/8, N/16, over the last --scored bytes; added to --out's existing JSON)
 *
 * Needs `npm run build` and `npm run build:native` (the CPU engine). Progress goes to stderr.
 * Each trace is context positions of one file (its first bytes after BOS); the last --steps of
 * them are decode steps (their queries recorded), the first 4 of which only warm the selectors.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const { loadTrace, saveTrace } = await import('../../dist/src/traces/traceFile.js');
const { selectorNames } = await import('../../dist/src/selectors/registry.js');
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const prhs = join(root, 'bin/prhs.js');
const sample = join(root, 'bench/results/model-training-h100-2026-12-06/heldout-sample.tar.gz');
const checkpoint = join(root, 'models/prhs-byte-12m');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
}
const contexts = option('contexts', '1024,2048').split(',').map(Number);
const fileCount = Number(option('files', '2'));
const steps = Number(option('steps', '64'));
const out = resolve(option('out', join(root, 'bench/results/real-attention-cpu-2026-12-06.json')));
const claimTrace = option('claim-trace', null);
const fractions = [4, 8, 16];
/** The fields of each `prhs compare` row the results keep, in this order. */
const comparedFields = [
  'selector',
  'budget',
  'meanDelta',
  'maxDelta',
  'meanDeltaStar',
  'meanGap',
  'meanRecall',
  'retrievalRate',
  'bytesRatio',
];

/** The checkpoint and one sample file's first `context` bytes, scored (or traced) from `scoreFrom` on. */
function modelInput(file, context, scoreFrom) {
  return [
    '--checkpoint',
    checkpoint,
    '--bytes',
    join(work, file.name),
    '--context',
    String(context),
    '--score-from',
    String(scoreFrom),
  ];
}

function log(message) {
  process.stderr.write(`[real-attention ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function runPrhs(args) {
  return execFileSync(process.execPath, [prhs, ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
}

const bitsPerByteOnly = process.argv.includes('--bits-per-byte');
const scored = Number(option('scored', '128'));
const work = mkdtempSync(join(tmpdir(), 'prhs-real-attention-'));
execFileSync('tar', ['xzf', sample, '-C', work]);
const manifest = JSON.parse(readFileSync(join(work, 'sample.json'), 'utf8'));
const results = {
  schema: 'prhs-real-attention/1',
  checkpoint: 'models/prhs-byte-12m',
  backend: 'cpu',
  steps,
  warmSteps: 4,
  fractions,
  traces: [],
};

for (const context of bitsPerByteOnly ? [] : contexts) {
  // The first files of the sample (its fixed seeded order) long enough for this context.
  const files = manifest.files.filter((f) => f.bytes + 1 >= context).slice(0, fileCount);
  for (const file of files) {
    const trace = join(work, `${file.name.replaceAll('/', '_')}-${context}.safetensors`);
    log(`trace ${file.name} at context ${context} (${steps} decode steps)`);
    const started = Date.now();
    runPrhs(['model', 'trace', ...modelInput(file, context, context - steps), '--out', trace, '--json']);
    const traceSeconds = (Date.now() - started) / 1000;
    const budgets = [];
    for (const fraction of fractions) {
      const budget = context / fraction;
      log(`compare ${file.name} context ${context} budget ${budget} (1/${fraction})`);
      const compared = JSON.parse(
        runPrhs([
          'compare',
          '--trace',
          trace,
          '--budget',
          String(budget),
          '--no-certify',
          '--no-output-error',
          '--json',
        ]),
      );
      budgets.push({
        fraction,
        budget,
        rows: compared.rows.map((row) => Object.fromEntries(comparedFields.map((field) => [field, row[field]]))),
      });
    }
    results.traces.push({
      file: file.name,
      sha256: file.sha256,
      context,
      scoreFrom: context - steps,
      traceSeconds,
      budgets,
    });
    if (claimTrace && context === 1024 && results.traces.length === 1) sliceForClaims(trace, claimTrace);
  }
}

if (bitsPerByteOnly) {
  const existing = JSON.parse(readFileSync(out, 'utf8'));
  existing.bitsPerByte = bitsPerByte();
  const { writeFileAtomic } = await import('../../dist/src/io/atomicWrite.js');
  writeFileAtomic(out, JSON.stringify(existing, null, 1) + '\n');
  log(`added bits per byte to ${out}`);
  process.exit(0);
}

/** Dense and every selector at N/4, N/8, N/16 in the decode loop, context 1024, the last `scored` bytes scored. */
function bitsPerByte() {
  const context = 1024;
  const files = manifest.files.filter((f) => f.bytes + 1 >= context).slice(0, fileCount);
  const rows = [];
  for (const file of files) {
    const base = ['model', 'evaluate', ...modelInput(file, context, context - scored), '--json'];
    const run = (selector, budget) => {
      log(`bits per byte ${file.name} ${selector}${budget ? ` at ${budget}` : ''}`);
      const r = JSON.parse(
        runPrhs(selector === 'dense' ? base : [...base, '--selector', selector, '--budget', String(budget)]),
      );
      rows.push({
        file: file.name,
        context,
        scoreFrom: r.scoreFrom,
        scored: r.scored,
        selector,
        budget: budget ?? null,
        fraction: budget ? context / budget : null,
        bitsPerByte: r.bitsPerToken,
        meanDelta: r.meanDelta,
      });
    };
    run('dense', undefined);
    for (const fraction of fractions) for (const selector of selectorNames) run(selector, context / fraction);
  }
  return rows;
}

/** Mean over traces of each selector's row, per (context, fraction). */
results.summary = [];
for (const context of contexts) {
  for (const fraction of fractions) {
    const rows = results.traces
      .filter((t) => t.context === context)
      .flatMap((t) => t.budgets.find((b) => b.fraction === fraction).rows);
    for (const selector of [...new Set(rows.map((r) => r.selector))]) {
      const mine = rows.filter((r) => r.selector === selector);
      const mean = (key) => mine.reduce((a, r) => a + r[key], 0) / mine.length;
      results.summary.push({
        context,
        fraction,
        selector,
        traces: mine.length,
        budget: mean('budget'),
        meanDelta: mean('meanDelta'),
        meanGap: mean('meanGap'),
        meanRecall: mean('meanRecall'),
        retrievalRate: mean('retrievalRate'),
        bytesRatio: mean('bytesRatio'),
        maxDelta: Math.max(...mine.map((r) => r.maxDelta)),
      });
    }
  }
}

/** Layers 0 and 7 (first and last, fixed before looking at the data), the last 32 decode steps. */
function sliceForClaims(source, target) {
  log(`claim trace: layers 0 and 7, last 32 steps of ${source} → ${target}`);
  const full = loadTrace(source);
  const layers = [0, full.layers - 1];
  const steps = 32;
  const { queryHeads: Hq, kvHeads, positions, headDim: d, valueDim } = full;
  const queries = new Float32Array(layers.length * steps * Hq * d);
  const keys = new Float32Array(layers.length * kvHeads * positions * d);
  const values = new Float32Array(layers.length * kvHeads * positions * valueDim);
  layers.forEach((layer, i) => {
    const from = (layer * full.steps + full.steps - steps) * Hq * d;
    queries.set(full.queries.subarray(from, from + steps * Hq * d), i * steps * Hq * d);
    const kv = kvHeads * positions;
    keys.set(full.keys.subarray(layer * kv * d, (layer + 1) * kv * d), i * kv * d);
    values.set(full.values.subarray(layer * kv * valueDim, (layer + 1) * kv * valueDim), i * kv * valueDim);
  });
  saveTrace({ ...full, layers: layers.length, steps, queries, keys, values }, target);
}

const { writeFileAtomic } = await import('../../dist/src/io/atomicWrite.js');
writeFileAtomic(out, JSON.stringify(results, null, 1) + '\n');
log(`wrote ${out}`);
