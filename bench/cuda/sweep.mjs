// Dense decode sweep (run by bench/cuda/run-all.sh on the GPU machine, stage "sweep"): for every
// cell of SWEEP_JSON, the addon's benchmark in decodeOnly mode (copy bandwidth of the same call,
// the default decode kernel, the chunk kernel and the group kernel's variants, each with its
// output compared as bits to the chunk kernel's), joined with PyTorch SDPA timed on the same card
// just before (torch_baseline.py with "sdpaOnly"). Bandwidth = K + V bytes of the cache (each row
// once per KV head) / time, as a fraction of the copy bandwidth measured in the same cell.
// Usage: node bench/cuda/sweep.mjs SWEEP_JSON TORCH_JSON OUT_JSON
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeCell } from './timeCell.mjs';
import { sweepBudget } from './sweepBudget.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [sweepPath, torchPath, outPath] = process.argv.slice(2);
if (!sweepPath || !outPath) {
  console.error('usage: node bench/cuda/sweep.mjs SWEEP_JSON TORCH_JSON OUT_JSON');
  process.exit(2);
}
const setup = JSON.parse(readFileSync(sweepPath, 'utf8'));
const torch = torchPath && existsSync(torchPath) ? JSON.parse(readFileSync(torchPath, 'utf8')) : { results: [] };
const addon = createRequire(import.meta.url)(
  process.env.PRHS_CUDA_ADDON ?? join(root, 'build', 'cuda', 'Release', 'prhs_cuda.node'),
);
const info = addon.info();
const variants = ['dense', 'denseChunk', 'denseGroupL2', 'denseGroupL4', 'denseGroupSplitMerge', 'denseGroupDeep'];

const results = [];
for (const config of setup.configs) {
  const started = Date.now();
  let timings;
  try {
    timings = timeCell(addon, setup, config, { selected: sweepBudget(config), decodeOnly: true });
  } catch (error) {
    results.push({ config, error: String(error instanceof Error ? error.message : error) });
    console.log(`sweep ${config.label}: ERROR ${results.at(-1).error}`);
    continue;
  }
  const t = Object.fromEntries(timings.map((x) => [x.name, x]));
  const copy = t.copy.bytes / t.copy.medianMs / 1e6; // GB/s, read + written
  const bytes = t.dense.bytes;
  const sdpa = torch.results.find((r) => r.config.label === config.label)?.timings?.sdpa ?? null;
  const kernels = Object.fromEntries(
    variants
      .filter((n) => t[n])
      .map((n) => [n, { ms: t[n].medianMs, copyFraction: bytes / t[n].medianMs / 1e6 / copy }]),
  );
  const bitsDiffer = Object.fromEntries(
    timings.filter((x) => x.name.startsWith('bitsDiffer:')).map((x) => [x.name.slice(11), x.medianMs]),
  );
  results.push({
    config,
    seconds: (Date.now() - started) / 1000,
    copyBandwidthGBs: copy,
    bytes,
    kernels,
    sdpa: sdpa ? { ms: sdpa.medianMs, copyFraction: bytes / sdpa.medianMs / 1e6 / copy } : null,
    defaultVsSdpa: sdpa ? sdpa.medianMs / t.dense.medianMs : null,
    defaultVsChunk: t.denseChunk.medianMs / t.dense.medianMs,
    bitsDiffer,
    timings,
  });
  console.log(`sweep ${config.label}: ${timings.map((x) => `${x.name} ${x.medianMs.toFixed(4)}`).join(', ')}`);
}

const report = {
  benchmark: 'cuda-decode-sweep',
  createdAt: new Date().toISOString(),
  addon: info,
  torch: { version: torch.torch, device: torch.device },
  setup,
  results,
};
const temporary = `${outPath}.${process.pid}.tmp`;
writeFileSync(temporary, JSON.stringify(report, null, 1));
renameSync(temporary, outPath);

const f = (x, digits = 3) => (x === null || x === undefined ? '-' : x.toFixed(digits));
const pct = (x) => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(0)}%`);
const cell = (k) => (k ? `${f(k.ms, 4)} (${pct(k.copyFraction)})` : '-');
console.log(
  `\nDecode sweep on ${info.device} (cc ${info.computeCapability}); ms (% of the cell's copy bandwidth on K + V bytes); bits = words differing from the chunk kernel, all variants`,
);
console.log(
  'cell | copy GB/s | default | chunk (previous) | group L2 | group L4 | group split merge | group deep (MHA) | SDPA | default vs SDPA | bits',
);
for (const r of results) {
  if (r.error) {
    console.log(`${r.config.label} | ERROR ${r.error}`);
    continue;
  }
  const k = r.kernels;
  const bits = Object.values(r.bitsDiffer).reduce((x, y) => x + y, 0);
  console.log(
    [
      r.config.label,
      f(r.copyBandwidthGBs, 0),
      cell(k.dense),
      cell(k.denseChunk),
      cell(k.denseGroupL2),
      cell(k.denseGroupL4),
      cell(k.denseGroupSplitMerge),
      cell(k.denseGroupDeep),
      r.sdpa ? cell(r.sdpa) : '-',
      r.defaultVsSdpa === null ? '-' : `${f(r.defaultVsSdpa, 2)}x`,
      bits,
    ].join(' | '),
  );
}
