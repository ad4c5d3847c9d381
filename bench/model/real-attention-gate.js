#!/usr/bin/env node
/**
 * Why CIS re-scores so often on real attention: per layer, the cosine of each query with the
 * previous step's query (the gate's input when every step re-anchors), and CIS's re-scoring rate
 * and mean δ − δ* at budget N/8 for gates τ ∈ {0.8 (default), 0.5, 0} with and without dilation.
 *
 *   node bench/model/real-attention-gate.js [TRACE.safetensors …] [--out FILE]
 *
 * Default trace: the committed claim trace (properties/real-attention/). Needs `npm run build`.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { loadTrace } = await import(join(root, 'dist/src/traces/traceFile.js'));
const { createSelector } = await import(join(root, 'dist/src/selectors/registry.js'));
const { simulate } = await import(join(root, 'dist/src/sim/simulate.js'));
const { writeFileAtomic } = await import(join(root, 'dist/src/io/atomicWrite.js'));

const argv = process.argv.slice(2);
const outAt = argv.indexOf('--out');
const out = outAt < 0 ? null : resolve(argv[outAt + 1]);
const files = argv.filter((a, i) => a !== '--out' && i !== outAt + 1);
if (files.length === 0) files.push(join(root, 'properties/real-attention/prhs-byte-12m-1k-layers-0-7.safetensors'));
const fraction = 8;
const observeSteps = 4;

function cosineWithPrevious(trace, layer) {
  const { queryHeads: Hq, headDim: d, steps } = trace;
  const values = [];
  for (let t = observeSteps + 1; t < steps; t++) {
    for (let h = 0; h < Hq; h++) {
      const a = ((layer * steps + t - 1) * Hq + h) * d;
      const b = ((layer * steps + t) * Hq + h) * d;
      let dot = 0,
        na = 0,
        nb = 0;
      for (let i = 0; i < d; i++) {
        dot += trace.queries[a + i] * trace.queries[b + i];
        na += trace.queries[a + i] ** 2;
        nb += trace.queries[b + i] ** 2;
      }
      values.push(dot / Math.sqrt(na * nb));
    }
  }
  values.sort((x, y) => x - y);
  return {
    median: values[Math.floor(values.length / 2)],
    fractionAbove08: values.filter((c) => c > 0.8).length / values.length,
    min: values[0],
  };
}

function perLayer(record, trace) {
  const { layers: L, queryHeads: Hq } = trace;
  return Array.from({ length: L }, (_, layer) => {
    let gap = 0,
      retrieved = 0,
      n = 0;
    for (let i = 0; i < record.delta.length; i++) {
      if (Math.floor(i / Hq) % L !== layer) continue;
      gap += record.delta[i] - record.deltaStar[i];
      retrieved += record.retrieved[i];
      n++;
    }
    return { meanGap: gap / n, retrievalRate: retrieved / n };
  });
}

const results = { schema: 'prhs-real-attention-gate/1', fraction, observeSteps, traces: [] };
for (const file of files) {
  const trace = loadTrace(file);
  const budget = trace.positions / fraction;
  const entry = {
    trace: file.startsWith(root) ? file.slice(root.length + 1) : file,
    positions: trace.positions,
    layers: trace.layers,
    budget,
    cosine: [],
    cis: [],
  };
  for (let layer = 0; layer < trace.layers; layer++) entry.cosine.push(cosineWithPrevious(trace, layer));
  for (const gate of [0.8, 0.5, 0]) {
    for (const dilated of [undefined, 0]) {
      const record = simulate(
        trace,
        createSelector('cis', budget, { cis: { gate, ...(dilated === undefined ? {} : { dilated }) } }),
        { observeSteps, certify: false, outputError: false },
      );
      const layers = perLayer(record, trace);
      const mean = (key) => layers.reduce((a, l) => a + l[key], 0) / layers.length;
      entry.cis.push({
        gate,
        dilated: dilated ?? 'default',
        meanGap: mean('meanGap'),
        retrievalRate: mean('retrievalRate'),
        layers,
      });
      process.stderr.write(
        `[gate] ${entry.trace} τ = ${gate} dilated ${dilated ?? 'default'}: gap ${mean('meanGap').toFixed(4)}, re-scoring ${mean('retrievalRate').toFixed(3)}\n`,
      );
    }
  }
  results.traces.push(entry);
}
if (out) writeFileAtomic(out, JSON.stringify(results, null, 1) + '\n');
else process.stdout.write(JSON.stringify(results, null, 1) + '\n');
