// Benchmark: simulate a selector over 32 layers × 32 query heads (8 KV heads, GQA) × 256 decode
// steps at context 4K (3840 cached + 256 decoded positions). Run after `npm run build`:
//   node bench/simulate.js [--head-dim D] [--selector NAME] [--precision fp64|fp32|auto]
//                          [--threads N] [--layers L] [--steps T] [--certify] [--output-error]
// --precision auto (the default) scores with the native CPU backend (fp32) when it is built and
// with the float64 reference otherwise; the result records which. Writes
// bench/results/simulate-d<D>-<selector>[-fp64][-threadsN].json atomically (only at the full shape) and
// prints a table. Wall time on a shared machine depends on its load: the result records the
// process CPU time and the load average too.
import { hostname, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
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
const headDim = Number(option('head-dim', '128'));
const selectorName = option('selector', 'cis');
const precision = option('precision', 'auto');
const threads = option('threads', undefined);
const certify = argv.includes('--certify');
const outputError = argv.includes('--output-error');
const layers = Number(option('layers', '32'));
const steps = Number(option('steps', '256'));
const shape = { layers, queryHeads: 32, kvHeads: 8, prefix: 4096 - steps, steps, headDim, valueDim: headDim };
const fullShape = layers === 32 && steps === 256;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const generated = performance.now();
const trace = syntheticTrace(shape);
const generationMs = performance.now() - generated;
const loadBefore = loadavg();
const started = performance.now();
const cpuStarted = cpuMs();
const record = simulate(trace, createSelector(selectorName, 512), {
  certify,
  outputError,
  trusted: true,
  observeSteps: 0,
  precision,
  ...(threads === undefined ? {} : { threads: Number(threads) }),
});
const simulationMs = performance.now() - started;
const simulationCpuMs = cpuMs() - cpuStarted;
const loadAfter = loadavg();
const summary = summarize(record);
const headSteps = shape.layers * shape.queryHeads * shape.steps;
const result = {
  benchmark: 'simulate',
  createdAt: new Date().toISOString(),
  host: hostname(),
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  shape: { ...shape, context: shape.prefix + shape.steps },
  selector: selectorName,
  budget: 512,
  certify,
  outputError,
  logitPrecision: record.logitPrecision,
  logitSource: record.logitSource,
  logitThreads: record.logitThreads,
  headSteps,
  generationMs: Math.round(generationMs),
  simulationMs: Math.round(simulationMs),
  simulationCpuMs: Math.round(simulationCpuMs),
  microsecondsPerHeadStep: (1000 * simulationMs) / headSteps,
  loadAverage1m: { before: loadBefore[0], after: loadAfter[0] },
  under60s: simulationMs < 60_000,
  summary: {
    meanDelta: summary.meanDelta,
    p99Delta: summary.p99Delta,
    maxDelta: summary.maxDelta,
    meanDeltaStar: summary.meanDeltaStar,
    meanGap: summary.meanGap,
    meanRecall: summary.meanRecall,
    retrievalRate: summary.retrievalRate,
    bytesRatio: summary.bytesRatio,
  },
};
if (fullShape) {
  const folder = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
  const suffix = `${certify ? '-certify' : ''}${outputError ? '-error' : ''}${record.logitPrecision === 'fp64' ? '-fp64' : ''}${record.logitThreads > 1 ? `-threads${record.logitThreads}` : ''}`;
  writeFileAtomic(
    join(folder, `simulate-d${headDim}-${selectorName}${suffix}.json`),
    JSON.stringify(result, null, 2) + '\n',
  );
}
if (argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
else {
  const f = (x) => x.toFixed(4);
  console.log(
    `simulate ${selectorName} B=512: ${layers} layers × 32 heads (8 KV) × ${steps} steps, context 4096, d=${headDim}, logits ${record.logitPrecision} (${record.logitSource}), ${record.logitThreads} thread(s)`,
  );
  console.log(
    '| d | logits | threads | wall s | cpu s | µs/head-step | load 1m | mean δ | mean δ* | mean δ−δ* | recall | retrieval |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  console.log(
    `| ${headDim} | ${record.logitPrecision} | ${record.logitThreads} | ${(simulationMs / 1000).toFixed(1)} | ${(simulationCpuMs / 1000).toFixed(1)} | ${result.microsecondsPerHeadStep.toFixed(1)} | ${loadBefore[0].toFixed(1)}→${loadAfter[0].toFixed(1)} | ${f(summary.meanDelta)} | ${f(summary.meanDeltaStar)} | ${f(summary.meanGap)} | ${f(summary.meanRecall)} | ${f(summary.retrievalRate)} |`,
  );
}
