// Native CPU kernels vs the float64 reference, and achieved memory bandwidth of dense and sparse
// decode attention against a plain memcpy measured in the same run (single thread).
// Run: npm run bench:native  (writes bench/results/cpu-<date>.json and prints a table).
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBackend } from '../dist/src/backends/registry.js';
import { loadNativeAddon } from '../dist/src/backends/nativeAddon.js';
import { randomAttentionInputs, randomIndexLists } from '../dist/src/verify/randomInputs.js';

const here = dirname(fileURLToPath(import.meta.url));
const cpu = loadBackend('cpu');
if (!cpu.loaded) {
  console.error(`bench: the cpu backend is not available: ${cpu.reason}`);
  process.exit(1);
}
const addon = loadNativeAddon('native', 'prhs_native.node', 'PRHS_NATIVE_ADDON').addon;
const reference = loadBackend('reference').backend;
const quick = process.argv.includes('--quick');

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median seconds of `run` over enough repeats to pass ~0.3 s (at least 3). */
function time(run, minSeconds = quick ? 0.05 : 0.3) {
  run();
  const samples = [];
  const started = performance.now();
  while (samples.length < 3 || (performance.now() - started) / 1000 < minSeconds) {
    const t = performance.now();
    run();
    samples.push((performance.now() - t) / 1000);
    if (samples.length >= 200) break;
  }
  return median(samples);
}

const bytesOf = { fp32: 4, fp16: 2, bf16: 2 };
const rows = [];
const tokenCounts = quick ? [1024, 65536] : [1024, 4096, 16384, 65536, 262144, 1048576];
const headDim = 128;
for (const dtype of ['fp32', 'fp16', 'bf16']) {
  for (const tokens of tokenCounts) {
    // One query head on one KV head (single thread): the cache is 2·N·d elements.
    const shape = { batch: 1, queryHeads: 1, kvHeads: 1, tokens, headDim, valueDim: headDim };
    const inputs = randomAttentionInputs(dtype, shape, tokens);
    const selected = Math.max(1, tokens >> 3);
    const lists = randomIndexLists(shape, selected, tokens + 1);
    const out = new Float32Array(headDim);
    const options = { dtype, query: inputs.query, keys: inputs.keys, values: inputs.values, batch: 1, queryHeads: 1, kvHeads: 1, tokens, headDim, valueDim: headDim, scale: inputs.scale, out };
    const cacheBytes = 2 * tokens * headDim * bytesOf[dtype];
    const sparseBytes = 2 * selected * headDim * bytesOf[dtype] + selected * 4;
    const copySeconds = addon.memcpySeconds({ bytes: cacheBytes, repeats: 9 });
    const dense = time(() => addon.decodeAttention(options));
    const sparse = time(() => addon.sparseAttention({ ...options, indices: lists.indices, selected }));
    const referenceSeconds = tokens <= 65536 ? time(() => reference.decodeAttention(inputs), 0.05) : null;
    const copyBandwidth = (2 * cacheBytes) / copySeconds; // memcpy reads and writes every byte
    rows.push({
      dtype, tokens, headDim, selected,
      copyGBs: copyBandwidth / 1e9,
      denseMs: dense * 1e3, denseGBs: cacheBytes / dense / 1e9, denseOfCopy: cacheBytes / dense / copyBandwidth,
      sparseMs: sparse * 1e3, sparseGBs: sparseBytes / sparse / 1e9, sparseOfCopy: sparseBytes / sparse / copyBandwidth,
      referenceMs: referenceSeconds === null ? null : referenceSeconds * 1e3,
      speedupVsReference: referenceSeconds === null ? null : referenceSeconds / dense,
    });
    const r = rows[rows.length - 1];
    console.error(`${dtype} N=${tokens}: dense ${r.denseGBs.toFixed(1)} GB/s (${(100 * r.denseOfCopy).toFixed(0)}% of copy), sparse ${r.sparseGBs.toFixed(1)} GB/s (${(100 * r.sparseOfCopy).toFixed(0)}%)`);
  }
}

const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, isa: addon.info().isa, threads: 1 };
const date = new Date().toISOString().slice(0, 10);
const result = { date, machine, note: 'bandwidth = bytes of K and V actually read / time; copy = memcpy of the dense cache size, counting read + write', rows };
const path = join(here, 'results', `cpu-${date}.json`);
mkdirSync(dirname(path), { recursive: true });
writeFileSync(`${path}.tmp`, JSON.stringify(result, null, 2) + '\n');
renameSync(`${path}.tmp`, path);

const header = ['dtype', 'N', 'copy GB/s', 'dense ms', 'dense GB/s', '% copy', 'sparse(N/8) ms', 'sparse GB/s', '% copy', 'ref ms', 'x ref'];
const table = rows.map((r) => [r.dtype, String(r.tokens), r.copyGBs.toFixed(1), r.denseMs.toFixed(3), r.denseGBs.toFixed(1), (100 * r.denseOfCopy).toFixed(0) + '%', r.sparseMs.toFixed(3), r.sparseGBs.toFixed(1), (100 * r.sparseOfCopy).toFixed(0) + '%', r.referenceMs === null ? '-' : r.referenceMs.toFixed(2), r.speedupVsReference === null ? '-' : r.speedupVsReference.toFixed(0) + 'x']);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, one thread, ${machine.isa} kernels, node ${machine.node}`);
for (const line of [header, ...table]) console.log(line.map((c, i) => c.padStart(widths[i])).join('  '));
console.log(`written to ${path}`);
