// GPU benchmark driver (run by bench/cuda/run-all.sh on the GPU machine): times the CUDA addon's
// kernels through its `benchmark` entry point (CUDA graphs, CUDA events, medians, L2 overwritten
// before each run, copy bandwidth measured in the same call), joins the PyTorch baselines measured
// on the same card just before, and prints the speed-ups with the bound the bytes moved allow.
// Usage: node bench/cuda/bench.mjs CONFIGS_JSON TORCH_JSON OUT_JSON
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeCell } from './timeCell.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [configPath, torchPath, outPath] = process.argv.slice(2);
const setup = JSON.parse(readFileSync(configPath, 'utf8'));
const torch = torchPath && existsSync(torchPath) ? JSON.parse(readFileSync(torchPath, 'utf8')) : { results: [] };
const addon = createRequire(import.meta.url)(
  process.env.PRHS_CUDA_ADDON ?? join(root, 'build', 'cuda', 'Release', 'prhs_cuda.node'),
);
const info = addon.info();

const results = [];
// sparse = graph replay of the default step (staged rows); sparseEager = the same launched without a
// graph; sparseStaged = V rows staged in shared memory (opt-in); denseStaged = dense with staging forced on.
const bandwidthNames = [
  'dense',
  'sparse',
  'sparseEager',
  'sparseStaged',
  'denseStaged',
  'denseV1',
  'sparseV1',
  'scores',
  'topK',
  'denseChunk',
  'denseGroupL2',
  'denseGroupL4',
  'denseGroupSplitMerge',
  'denseGroupDeep',
  'sparseChunk',
  'sparseGroupL2',
  'sparseGroupL4',
  'sparseGroupSplitMerge',
  'sparseGroupDeep',
  'sparseSlicedW1',
  'sparseSlicedW4',
  'sparseSlicedShallow',
  'sparseSlicedDeep',
  'sparseSlicedNoCluster',
  'sparseGatherOnly',
];
for (const config of setup.configs) {
  const started = Date.now();
  const timings = timeCell(addon, setup, config);
  const t = Object.fromEntries(timings.map((x) => [x.name, x]));
  // The previous kernels (commit c16f5fe) exist only in a benchmark build; without them their
  // columns are empty rather than the whole run lost.
  if (!t.denseV1 && config === setup.configs[0])
    console.error(
      'bench/cuda: the addon has no baseline kernels (denseV1, sparseV1): their columns stay empty (`npm run build:cuda:bench` adds them)',
    );
  const baseline = torch.results.find((r) => r.config.label === config.label)?.timings ?? null;
  const copyBandwidth = t.copy.bytes / t.copy.medianMs / 1e6; // GB/s
  const bandwidth = (name) => t[name].bytes / t[name].medianMs / 1e6;
  const denseBytes = t.dense.bytes;
  const selectionBytes = t.selection.bytes;
  // CIS step cost with the fused selection kernel: a reuse step (gate + set build + sparse) for the
  // heads that pass the gate, a re-anchor step (gate + scores + top-k + anchor and set build +
  // sparse) for the fraction `rate` that re-anchor.
  const reuse = t['cisReuse+sparse'];
  const reanchor = t['cisReanchor+sparse'];
  void selectionBytes;
  const amortised = setup.retrievalRates.map((rate) => {
    const ms = reuse.medianMs + rate * (reanchor.medianMs - reuse.medianMs);
    const bytes = reuse.bytes + rate * (reanchor.bytes - reuse.bytes);
    const bound = denseBytes / bytes;
    const vsDense = t.dense.medianMs / ms;
    const vsSdpa = baseline ? baseline.sdpa.medianMs / ms : null;
    return {
      rate,
      ms,
      bytes,
      bound,
      vsDense,
      vsDenseFraction: vsDense / bound,
      vsSdpa,
      vsSdpaFraction: vsSdpa === null ? null : vsSdpa / bound,
    };
  });
  const sparseBound = denseBytes / t.sparse.bytes;
  results.push({
    config,
    seconds: (Date.now() - started) / 1000,
    copyBandwidthGBs: copyBandwidth,
    timings,
    bandwidthGBs: Object.fromEntries(bandwidthNames.filter((n) => t[n]).map((n) => [n, bandwidth(n)])),
    copyFraction: Object.fromEntries(bandwidthNames.filter((n) => t[n]).map((n) => [n, bandwidth(n) / copyBandwidth])),
    // Outputs of the default and every group variant against the chunk kernel, as differing words (0 expected).
    bitsDiffer: Object.fromEntries(
      timings.filter((x) => x.name.startsWith('bitsDiffer:')).map((x) => [x.name.slice(11), x.medianMs]),
    ),
    chunk: { dense: t.denseChunk.medianMs, sparse: t.sparseChunk.medianMs },
    previous: {
      dense: t.denseV1?.medianMs ?? null,
      sparse: t.sparseV1?.medianMs ?? null,
      sparseVsSdpa: baseline && t.sparseV1 ? baseline.sdpa.medianMs / t.sparseV1.medianMs : null,
    },
    staged: {
      sparse: t.sparseStaged.medianMs,
      sparseVsSdpa: baseline ? baseline.sdpa.medianMs / t.sparseStaged.medianMs : null,
    },
    eager: {
      sparse: t.sparseEager.medianMs,
      sparseVsSdpa: baseline ? baseline.sdpa.medianMs / t.sparseEager.medianMs : null,
    },
    denseStaged: t.denseStaged.medianMs,
    sparseVsDense: {
      speedup: t.dense.medianMs / t.sparse.medianMs,
      bound: sparseBound,
      fraction: t.dense.medianMs / t.sparse.medianMs / sparseBound,
    },
    sparseVsSdpa: baseline
      ? {
          speedup: baseline.sdpa.medianMs / t.sparse.medianMs,
          bound: sparseBound,
          fraction: baseline.sdpa.medianMs / t.sparse.medianMs / sparseBound,
        }
      : null,
    denseVsSdpa: baseline ? baseline.sdpa.medianMs / t.dense.medianMs : null,
    amortised,
    torch: baseline,
  });
  console.log(`cuda ${config.label}: ${timings.map((x) => `${x.name} ${x.medianMs.toFixed(4)} ms`).join(', ')}`);
}

const report = {
  benchmark: 'cuda-decode-attention',
  createdAt: new Date().toISOString(),
  addon: info,
  torch: { version: torch.torch, device: torch.device },
  setup,
  results,
};
writeFileSync(outPath, JSON.stringify(report, null, 1));

const f = (x, digits = 3) => (x === null || x === undefined ? '-' : x.toFixed(digits));
const pct = (x) => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(0)}%`);
console.log(
  `\n${info.device} (cc ${info.computeCapability}), driver ${info.driverVersion}, runtime ${info.runtimeVersion}, SM clock ${info.clockKHz / 1000} MHz, memory clock ${info.memoryClockKHz / 1000} MHz; copy bandwidth ${f(results[0]?.copyBandwidthGBs ?? 0, 0)} GB/s`,
);
console.log('sparse vs SDPA uses the graph timing; <eager> is the same step without a graph');
console.log(
  'dense/sparse = the default kernel (group kernel where it applies); <chunk> = the chunk kernel of the previous commit, same run; bits = words differing from the chunk kernel over all variants',
);
console.log(
  'config | dense ms (%copy) <chunk> [previous] {staged} | sparse graph ms (%copy) [previous] {V staged} <eager, no graph> | SDPA ms | research ms | sparse vs SDPA [bound, frac] (previous) | CIS reuse / re-anchor step ms | CIS @1% vs SDPA [bound, frac] | @3% | re-anchor every step (100%)',
);
for (const r of results) {
  const [a1, a3, a100] = r.amortised;
  const sdpa = r.torch?.sdpa.medianMs ?? null;
  console.log(
    [
      r.config.label,
      `${f(r.timings.find((x) => x.name === 'dense').medianMs)} (${pct(r.copyFraction.dense)}) <${f(r.chunk.dense)} (${pct(r.copyFraction.denseChunk)})> [${f(r.previous.dense)} (${pct(r.copyFraction.denseV1)})] {${f(r.denseStaged)} (${pct(r.copyFraction.denseStaged)})}`,
      `${f(r.timings.find((x) => x.name === 'sparse').medianMs, 4)} (${pct(r.copyFraction.sparse)}) <chunk ${f(r.chunk.sparse, 4)} (${pct(r.copyFraction.sparseChunk)})> [${f(r.previous.sparse, 4)} (${pct(r.copyFraction.sparseV1)})] {${f(r.staged.sparse, 4)} (${pct(r.copyFraction.sparseStaged)})} <eager ${f(r.eager.sparse, 4)} (${pct(r.copyFraction.sparseEager)})>`,
      f(sdpa),
      f(r.torch?.researchPath?.medianMs ?? null),
      r.sparseVsSdpa
        ? `${f(r.sparseVsSdpa.speedup, 2)}x [${f(r.sparseVsSdpa.bound, 1)}x, ${pct(r.sparseVsSdpa.fraction)}] (${f(r.previous.sparseVsSdpa, 2)}x) {${f(r.staged.sparseVsSdpa, 2)}x} <eager ${f(r.eager.sparseVsSdpa, 2)}x>`
        : '-',
      `${f(r.timings.find((x) => x.name === 'cisReuse+sparse').medianMs, 4)} / ${f(r.timings.find((x) => x.name === 'cisReanchor+sparse').medianMs, 4)}`,
      a1.vsSdpa === null ? '-' : `${f(a1.vsSdpa, 2)}x [${f(a1.bound, 1)}x, ${pct(a1.vsSdpaFraction)}]`,
      a3.vsSdpa === null ? '-' : `${f(a3.vsSdpa, 2)}x [${f(a3.bound, 1)}x]`,
      a100.vsSdpa === null ? '-' : `${f(a100.vsSdpa, 2)}x [${f(a100.bound, 1)}x]`,
      `bits ${Object.values(r.bitsDiffer).reduce((x, y) => x + y, 0)}`,
    ].join(' | '),
  );
  const variants = bandwidthNames.filter(
    (n) => /Group|Chunk|Sliced|GatherOnly/.test(n) && r.copyFraction[n] !== undefined,
  );
  console.log(
    `  variants: ${variants.map((n) => `${n} ${f(r.timings.find((x) => x.name === n).medianMs, 4)} (${pct(r.copyFraction[n])})`).join(', ')}`,
  );
}
