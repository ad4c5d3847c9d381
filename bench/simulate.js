// Benchmark: simulate CIS over 32 layers × 32 query heads (8 KV heads, GQA) × 256 decode steps at
// context 4K (3840 cached + 256 decoded positions). Run after `npm run build`:
//   node bench/simulate.js [--head-dim D] [--selector NAME] [--certify] [--output-error]
// Writes bench/results/simulate-<host>-<date>.json atomically and prints it.
import { hostname, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticTrace } from '../dist/src/traces/synthetic.js';
import { createSelector } from '../dist/src/selectors/registry.js';
import { simulate } from '../dist/src/sim/simulate.js';
import { summarize } from '../dist/src/sim/summary.js';
import { writeFileAtomic } from '../dist/src/io/atomicWrite.js';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? fallback : argv[i + 1];
};
const headDim = Number(option('head-dim', '32'));
const selectorName = option('selector', 'cis');
const certify = argv.includes('--certify');
const outputError = argv.includes('--output-error');
const shape = { layers: 32, queryHeads: 32, kvHeads: 8, prefix: 4096 - 256, steps: 256, headDim, valueDim: headDim };

const generated = performance.now();
const trace = syntheticTrace(shape);
const generationMs = performance.now() - generated;
const started = performance.now();
const record = simulate(trace, createSelector(selectorName, 512), { certify, outputError, trusted: true, observeSteps: 0 });
const simulationMs = performance.now() - started;
const summary = summarize(record);
const headSteps = shape.layers * shape.queryHeads * shape.steps;
const result = {
  benchmark: 'simulate',
  createdAt: new Date().toISOString(),
  host: hostname(),
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  shape: { ...shape, context: shape.prefix + shape.steps },
  selector: selectorName,
  budget: 512,
  certify,
  outputError,
  headSteps,
  generationMs: Math.round(generationMs),
  simulationMs: Math.round(simulationMs),
  microsecondsPerHeadStep: (1000 * simulationMs) / headSteps,
  under60s: simulationMs < 60_000,
  summary: { meanDelta: summary.meanDelta, meanGap: summary.meanGap, retrievalRate: summary.retrievalRate, bytesRatio: summary.bytesRatio },
};
const folder = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
const name = `simulate-d${headDim}-${selectorName}${certify ? '-certify' : ''}${outputError ? '-error' : ''}.json`;
writeFileAtomic(join(folder, name), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
