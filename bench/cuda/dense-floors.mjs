// What limits the tensor-core dense decode (issue 14's dense target): reads a sweep result
// (bench/cuda/sweep.mjs, whose timings carry the floors of native/cuda/denseFloor.hpp) and prints,
// per cell where the tensor-core kernel ran, the kernel (dense), its floors and SDPA, each in ms
// and as % of the cell's copy bandwidth on the K + V bytes, and the split of the kernel's time:
//   loads      = its grid and staging with no arithmetic (denseMmaLoadOnly)
//   + stores   = the partials it writes (denseMmaLoadStore − denseMmaLoadOnly)
//   + merge    = the split-KV merge kernel alone (denseMmaMergeOnly)
//   + the rest = dense − (load/store walk + merge): arithmetic and barriers the loads do not hide
// and the plain read of the same bytes (denseStreamOnly), against which SDPA and the walk compare.
// With the fused merge (the addon's info().mmaMerge, PRHS_CUDA_MMA_MERGE) the merge runs inside the
// kernel, where the separate kernel's time is no part of it: the split then has one term for the
// merge and the rest together (dense − load/store walk), and "merge only" stays the separate merge
// kernel on the same partials, for reference. Addons without the switch merge separately.
// Usage: node bench/cuda/dense-floors.mjs SWEEP_RESULT_JSON [OUT_JSON]
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const [sweepPath, outPath] = process.argv.slice(2);
if (!sweepPath) {
  console.error('usage: node bench/cuda/dense-floors.mjs SWEEP_RESULT_JSON [OUT_JSON]');
  process.exit(2);
}
let sweep;
try {
  sweep = JSON.parse(readFileSync(sweepPath, 'utf8'));
} catch (error) {
  console.error(`denseFloors: cannot read ${sweepPath}: ${error instanceof Error ? error.message : error}`);
  process.exit(2);
}

const mmaMerge = sweep.addon?.mmaMerge ?? 'separate';
const fused = mmaMerge === 'fused';
const rows = [];
for (const r of sweep.results ?? []) {
  if (r.error) continue;
  const t = Object.fromEntries(r.timings.map((x) => [x.name, x.medianMs]));
  if (t.denseMmaLoadOnly === undefined) continue; // the tensor-core kernel does not apply here
  const copy = r.copyBandwidthGBs;
  const pct = (ms) => (ms === undefined ? null : r.bytes / ms / 1e6 / copy);
  const merge = t.denseMmaMergeOnly ?? 0;
  rows.push({
    label: r.config.label,
    copyBandwidthGBs: copy,
    ms: {
      dense: t.dense,
      sdpa: r.sdpa?.ms ?? null,
      loadOnly: t.denseMmaLoadOnly,
      loadStore: t.denseMmaLoadStore,
      mergeOnly: t.denseMmaMergeOnly ?? null,
      emptyLaunch: t.denseMmaEmptyLaunch,
      streamOnly: t.denseStreamOnly,
    },
    copyFraction: {
      dense: pct(t.dense),
      sdpa: r.sdpa ? pct(r.sdpa.ms) : null,
      loadOnly: pct(t.denseMmaLoadOnly),
      streamOnly: pct(t.denseStreamOnly),
    },
    split: {
      loads: t.denseMmaLoadOnly / t.dense,
      stores: (t.denseMmaLoadStore - t.denseMmaLoadOnly) / t.dense,
      merge: fused ? null : merge / t.dense,
      rest: fused ? null : (t.dense - t.denseMmaLoadStore - merge) / t.dense,
      mergeAndRest: (t.dense - t.denseMmaLoadStore) / t.dense,
    },
    denseVsSdpa: r.sdpa ? r.sdpa.ms / t.dense : null,
    // What the kernel could reach if its loads were the only cost: SDPA / (load walk + merge).
    walkAndMergeVsSdpa: r.sdpa ? r.sdpa.ms / (t.denseMmaLoadStore + merge) : null,
    streamVsSdpa: r.sdpa ? r.sdpa.ms / t.denseStreamOnly : null,
  });
}

if (outPath) {
  const report = { benchmark: 'cuda-dense-floors', source: sweepPath, device: sweep.addon?.device, mmaMerge, rows };
  const temporary = `${outPath}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(report, null, 1));
  renameSync(temporary, outPath);
}

const f = (x, digits = 3) => (x === null || x === undefined ? '-' : x.toFixed(digits));
const p = (x) => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(0)}%`);
console.log(
  `\nTensor-core dense decode (${mmaMerge} merge) and its floors on ${sweep.addon?.device ?? '?'}: ms (% of the cell's copy bandwidth on K + V bytes); split of the kernel's time`,
);
console.log(
  `cell | dense | SDPA | load walk | load + store walk | merge only | empty launch | plain read | ${fused ? 'loads : stores : merge + rest' : 'loads : stores : merge : rest'} | dense vs SDPA | SDPA / (walk + merge) | SDPA / plain read`,
);
for (const r of rows) {
  const s = r.split;
  const split = fused
    ? `${p(s.loads)} : ${p(s.stores)} : ${p(s.mergeAndRest)}`
    : `${p(s.loads)} : ${p(s.stores)} : ${p(s.merge)} : ${p(s.rest)}`;
  console.log(
    [
      r.label,
      `${f(r.ms.dense, 4)} (${p(r.copyFraction.dense)})`,
      `${f(r.ms.sdpa, 4)} (${p(r.copyFraction.sdpa)})`,
      `${f(r.ms.loadOnly, 4)} (${p(r.copyFraction.loadOnly)})`,
      f(r.ms.loadStore, 4),
      f(r.ms.mergeOnly, 4),
      f(r.ms.emptyLaunch, 4),
      `${f(r.ms.streamOnly, 4)} (${p(r.copyFraction.streamOnly)})`,
      split,
      `${f(r.denseVsSdpa, 2)}x`,
      `${f(r.walkAndMergeVsSdpa, 2)}x`,
      `${f(r.streamVsSdpa, 2)}x`,
    ].join(' | '),
  );
}
