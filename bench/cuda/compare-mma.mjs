// Joins runs of sweep.mjs made in the same device call, one with the default dense decode, one with
// PRHS_CUDA_DECODE=mma (the tensor-core kernel) and optionally one with PRHS_CUDA_DECODE=mma-pipelined
// (the same kernel, several chunks per block) and optionally one with PRHS_CUDA_DECODE=mma and
// PRHS_CUDA_MERGE_LOADS=32 (the merge kernel with 32 chunks' loads in flight per warp), with SDPA
// from the same call, and prints per cell: ms and % of the cell's copy bandwidth on K + V bytes for
// each, and the ratios.
// In the mma run "dense" is the tensor-core kernel wherever it applies (fp16/bf16, d 64/96/128,
// group ≤ 16) and the default elsewhere; `applies` says which.
// Usage: node bench/cuda/compare-mma.mjs DEFAULT_SWEEP_JSON MMA_SWEEP_JSON OUT_JSON [PIPELINED_SWEEP_JSON] [MERGE32_SWEEP_JSON]
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const [defaultPath, mmaPath, outPath, pipelinedPath, merge32Path] = process.argv.slice(2);
if (!defaultPath || !mmaPath || !outPath) {
  console.error(
    'usage: node bench/cuda/compare-mma.mjs DEFAULT_SWEEP_JSON MMA_SWEEP_JSON OUT_JSON [PIPELINED_SWEEP_JSON] [MERGE32_SWEEP_JSON]',
  );
  process.exit(2);
}
const read = (path) => JSON.parse(readFileSync(path, 'utf8'));
const base = read(defaultPath);
const mma = read(mmaPath);
const optional = (path) => (path && existsSync(path) ? read(path) : { results: [] });
const pipelined = optional(pipelinedPath);
const merge32 = optional(merge32Path);
/** The dense kernel of one optional run at this cell, or null. */
const denseOf = (run, label) => {
  const x = run.results.find((y) => y.config.label === label);
  return x && !x.error ? x.kernels.dense : null;
};

const applies = (c) =>
  c.dtype !== 'fp32' &&
  [64, 96, 128].includes(c.headDim) &&
  c.queryHeads % c.kvHeads === 0 &&
  c.queryHeads / c.kvHeads <= 16;
const rows = base.results.map((r) => {
  const m = mma.results.find((x) => x.config.label === r.config.label);
  if (r.error || !m || m.error)
    return { label: r.config.label, error: r.error ?? m?.error ?? 'missing from the mma run' };
  const d = r.kernels.dense;
  const t = m.kernels.dense;
  const pl = denseOf(pipelined, r.config.label);
  const m32 = denseOf(merge32, r.config.label);
  return {
    label: r.config.label,
    config: r.config,
    applies: applies(r.config),
    copyBandwidthGBs: [r.copyBandwidthGBs, m.copyBandwidthGBs],
    default: d,
    mma: t,
    mmaPipelined: pl,
    mmaMerge32: m32,
    sdpa: r.sdpa,
    mmaVsDefault: d.ms / t.ms,
    mmaVsSdpa: r.sdpa ? r.sdpa.ms / t.ms : null,
    mmaPipelinedVsSdpa: r.sdpa && pl ? r.sdpa.ms / pl.ms : null,
    mmaMerge32VsMma: m32 ? t.ms / m32.ms : null,
    defaultVsSdpa: r.sdpa ? r.sdpa.ms / d.ms : null,
    // Words of the mma run's dense output differing from the chunk kernel's: > 0 where the
    // tensor-core kernel ran (another summation order), 0 elsewhere.
    mmaBitsDifferFromChunk: m.bitsDiffer?.dense ?? null,
    defaultBitsDifferFromChunk: Object.values(r.bitsDiffer ?? {}).reduce((x, y) => x + y, 0),
  };
});
const report = {
  benchmark: 'cuda-decode-mma-vs-default',
  createdAt: new Date().toISOString(),
  addon: base.addon,
  torch: base.torch,
  rows,
};
const temporary = `${outPath}.${process.pid}.tmp`;
writeFileSync(temporary, JSON.stringify(report, null, 1));
renameSync(temporary, outPath);

const f = (x, digits = 3) => (x === null || x === undefined ? '-' : x.toFixed(digits));
const cell = (k) => (k ? `${f(k.ms, 4)} (${(100 * k.copyFraction).toFixed(0)}%)` : '-');
console.log(
  `\nDense decode, tensor-core (PRHS_CUDA_DECODE=mma) vs default, on ${base.addon.device}; ms (% of copy bandwidth on K + V bytes)`,
);
console.log(
  'cell | mma applies | default | tensor-core | tensor-core pipelined | tensor-core, merge 32 loads | SDPA | mma vs default | mma vs SDPA | pipelined vs SDPA | merge 32 vs mma | default vs SDPA | mma bits ≠ chunk',
);
for (const r of rows) {
  if (r.error) {
    console.log(`${r.label} | ERROR ${r.error}`);
    continue;
  }
  const ratio = (x) => (x === null ? '-' : `${f(x, 2)}x`);
  console.log(
    [
      r.label,
      r.applies ? 'yes' : 'no',
      cell(r.default),
      cell(r.mma),
      cell(r.mmaPipelined),
      cell(r.mmaMerge32),
      cell(r.sdpa),
      `${f(r.mmaVsDefault, 2)}x`,
      ratio(r.mmaVsSdpa),
      ratio(r.mmaPipelinedVsSdpa),
      ratio(r.mmaMerge32VsMma),
      r.defaultVsSdpa === null ? '-' : `${f(r.defaultVsSdpa, 2)}x`,
      r.mmaBitsDifferFromChunk ?? '-',
    ].join(' | '),
  );
}
