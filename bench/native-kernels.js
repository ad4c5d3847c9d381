// Native CPU kernels vs the float64 reference, and achieved memory bandwidth of dense and sparse
// decode attention against a plain memcpy measured in the same run (single thread).
//
// Sparse decode is measured on two selections of N/8 tokens: uniformly random sorted indices (the
// worst case for the memory system: scattered 256-byte rows), and runs of `--page-size` (16)
// consecutive tokens (pages, as Quest or the certified selector choose). Bandwidth counts the bytes
// actually moved: the selected K and V rows and the index list for sparse, the whole K and V for
// dense.
//
// Cold caches: every timed call (kernel, copy or gather) comes right after a read of a private
// `--evict-mib` (256) MiB buffer, so its data starts in DRAM, as in a real decode step, where every
// other layer and head passes through the caches between two steps of one head. (Without this,
// the sparse rows of the small cases stayed in the last-level cache between repeats and read as
// more than copy bandwidth.)
//
// The gather ceiling: for each sparse list, the same rows of K and V loaded by a loop that does no
// arithmetic (native gatherSeconds), walked four ways (`gatherWalks`: in list order prefetching 16
// or 32 rows ahead; 4 or 8 interleaved blocks of 256 positions prefetching 8 ahead), the fastest
// counted. It estimates what this machine allows one thread for that access pattern, so a sparse
// kernel's shortfall can be split into the machine's part and the kernel's part. Dense decode gets
// the same ceiling over the list of all N rows: one thread's load-only read of the whole cache,
// which memcpy (reads plus writes, counted both) can exceed.
//
// Each (dtype, N) cell is measured in `--rounds` rounds (default 3); a round times memcpy, then each
// kernel and gather, back to back, so the ratio to copy bandwidth sees the same machine load. The
// table and the JSON report the median over rounds of each ratio.
//
// K and V, and the memcpy buffers, are advised for transparent huge pages (MADV_HUGEPAGE, before
// they are filled) unless --no-huge-pages: in a VM with THP in `madvise` mode, gathered rows
// otherwise pay a 4 KiB translation each (bench/README.md, "Sparse decode and huge pages").
//
// Run: npm run bench:native [-- --tokens 65536,262144 --dtype fp16 --rounds 3 --quick --page-size 16
//                               --evict-mib 256 --no-reference --no-huge-pages
//                               --baseline path/to/other/prhs_native.node --out path.json]
// Writes bench/results/cpu-<hostname>-<date>.json (or --out; atomically) and prints a table. --baseline
// times a second build of the addon in the same rounds (a before/after comparison on one load).
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBackend } from '../dist/src/backends/registry.js';
import { adviseHugePages, loadNativeAddon } from '../dist/src/backends/nativeAddon.js';
import { writeFileAtomic } from '../dist/src/io/atomicWrite.js';
import { randomAttentionInputs } from '../dist/src/verify/randomInputs.js';
import { coldTimer, median } from './coldTiming.js';
import { cpuBenchHeader, cpuBenchOptions, flag, option, printTable, requireMemoryProbes } from './cpuBenchOptions.js';
import { benchmarkSelections } from './indexLists.js';

const here = dirname(fileURLToPath(import.meta.url));
const cpu = loadBackend('cpu');
if (!cpu.loaded) {
  console.error(`bench: the cpu backend is not available: ${cpu.reason}`);
  process.exit(1);
}
const addon = loadNativeAddon('native', 'prhs_native.node', 'PRHS_NATIVE_ADDON').addon;
const reference = loadBackend('reference').backend;

const quick = flag('quick');
const withReference = !flag('no-reference');
const { rounds, dtypes, tokenCounts, pageSize, evictBytes, hugePages } = cpuBenchOptions({
  rounds: quick ? 1 : 3,
  dtypes: 'fp32,fp16,bf16',
  tokens: quick ? '1024,65536' : '1024,4096,16384,65536,262144,1048576',
});
const baselinePath = option('baseline');
const baseline = baselinePath ? createRequire(import.meta.url)(resolve(baselinePath)) : null;
requireMemoryProbes(addon);

/** Median seconds of `run`, each call after evicting the caches: at least 5 calls, more until their timed total passes minSeconds (at most 40). */
const time = coldTimer(addon, evictBytes, quick ? 0.05 : 0.25);

/** `array` copied into a fresh array advised for huge pages before the copy faults it in. */
function onHugePages(array) {
  const fresh = new array.constructor(array.length);
  const advised = adviseHugePages(addon, fresh);
  fresh.set(array);
  return { array: fresh, advised };
}

// The load-only walks the ceiling takes the fastest of: [prefetch distance in rows, streams].
const gatherWalks = [
  [16, 1],
  [32, 1],
  [8, 4],
  [8, 8],
];
const bytesOf = { fp32: 4, fp16: 2, bf16: 2 };
const headDim = 128;
const rows = [];
for (const dtype of dtypes) {
  for (const tokens of tokenCounts) {
    // One query head on one KV head (single thread): the cache is 2·N·d elements.
    const shape = { batch: 1, queryHeads: 1, kvHeads: 1, tokens, headDim, valueDim: headDim };
    const generated = randomAttentionInputs(dtype, shape, tokens);
    const keys = hugePages ? onHugePages(generated.keys) : { array: generated.keys, advised: 0 };
    const values = hugePages ? onHugePages(generated.values) : { array: generated.values, advised: 0 };
    const inputs = { ...generated, keys: keys.array, values: values.array };
    const {
      selected,
      sparseRandom: randomList,
      sparsePaged: pagedList,
    } = benchmarkSelections(tokens, headDim, pageSize);
    const options = {
      dtype,
      query: inputs.query,
      keys: inputs.keys,
      values: inputs.values,
      batch: 1,
      queryHeads: 1,
      kvHeads: 1,
      tokens,
      headDim,
      valueDim: headDim,
      scale: inputs.scale,
      out: new Float32Array(headDim),
    };
    const cacheBytes = 2 * tokens * headDim * bytesOf[dtype];
    const sparseBytes = 2 * selected * headDim * bytesOf[dtype] + selected * 4;
    const kernels = (lib) => ({
      dense: () => lib.decodeAttention(options),
      sparseRandom: () => lib.sparseAttention({ ...options, indices: randomList, selected }),
      sparsePaged: () => lib.sparseAttention({ ...options, indices: pagedList, selected }),
    });
    // The load-only ceiling of each pass: the same K rows, then the same V rows.
    const rowBytes = headDim * bytesOf[dtype];
    const gather = (list, prefetchRows, streams) => () => {
      addon.gatherSeconds({ array: inputs.keys, rowBytes, indices: list, prefetchRows, streams });
      addon.gatherSeconds({ array: inputs.values, rowBytes, indices: list, prefetchRows, streams });
    };
    const allRows = Int32Array.from({ length: tokens }, (_, i) => i);
    const ceilings = { dense: allRows, sparseRandom: randomList, sparsePaged: pagedList };
    const bytes = { dense: cacheBytes, sparseRandom: sparseBytes, sparsePaged: sparseBytes };
    const measured = {
      copy: [],
      native: { dense: [], sparseRandom: [], sparsePaged: [] },
      baseline: { dense: [], sparseRandom: [], sparsePaged: [] },
      ceiling: { dense: [], sparseRandom: [], sparsePaged: [] },
    };
    const walkSeconds = { dense: [], sparseRandom: [], sparsePaged: [] };
    for (let round = 0; round < rounds; round++) {
      measured.copy.push(addon.memcpySeconds({ bytes: cacheBytes, repeats: 7, hugePages, evictBytes }));
      for (const [which, lib] of baseline
        ? [
            ['native', addon],
            ['baseline', baseline],
          ]
        : [['native', addon]]) {
        for (const [kernel, run] of Object.entries(kernels(lib))) measured[which][kernel].push(time(run));
      }
      for (const [kernel, list] of Object.entries(ceilings)) {
        const walks = gatherWalks.map(([prefetchRows, streams]) => time(gather(list, prefetchRows, streams)));
        walkSeconds[kernel].push(walks);
        measured.ceiling[kernel].push(Math.min(...walks));
      }
    }
    // memcpy reads and writes every byte: copy bandwidth counts both.
    const copyBandwidth = measured.copy.map((s) => (2 * cacheBytes) / s);
    const summarise = (which) =>
      Object.fromEntries(
        Object.entries(measured[which])
          .filter(([, s]) => s.length > 0)
          .map(([kernel, seconds]) => [
            kernel,
            {
              ms: median(seconds) * 1e3,
              GBs: bytes[kernel] / median(seconds) / 1e9,
              ofCopy: median(seconds.map((s, r) => bytes[kernel] / s / copyBandwidth[r])),
            },
          ]),
      );
    const referenceSeconds =
      withReference && tokens <= 65536 ? time(() => reference.decodeAttention(inputs), 0.05) : null;
    const native = summarise('native');
    const ceiling = summarise('ceiling');
    for (const kernel of Object.keys(ceiling)) {
      native[kernel].ofCeiling = median(measured.ceiling[kernel].map((s, r) => s / measured.native[kernel][r]));
      // Which walk set the ceiling: each walk's median ms over rounds, as [prefetch rows, streams, ms].
      ceiling[kernel].walks = gatherWalks.map(([prefetchRows, streams], w) => [
        prefetchRows,
        streams,
        median(walkSeconds[kernel].map((round) => round[w])) * 1e3,
      ]);
    }
    const row = {
      dtype,
      tokens,
      headDim,
      selected,
      pageSize,
      hugePageBytes: keys.advised + values.advised,
      copyGBs: median(copyBandwidth) / 1e9,
      ...native,
      gatherCeiling: ceiling,
      ...(baseline ? { baseline: summarise('baseline') } : {}),
      referenceMs: referenceSeconds === null ? null : referenceSeconds * 1e3,
      speedupVsReference: referenceSeconds === null ? null : referenceSeconds / (native.dense.ms / 1e3),
      loadAverage: loadavg()[0],
    };
    rows.push(row);
    const pct = (x) => `${(100 * x.ofCopy).toFixed(0)}%`;
    console.error(
      `${dtype} N=${tokens}${hugePages ? ` (${(row.hugePageBytes / 2 ** 20).toFixed(0)} MiB advised for huge pages)` : ''}: copy ${row.copyGBs.toFixed(1)} GB/s; dense ${row.dense.GBs.toFixed(1)} GB/s (${pct(row.dense)}; ceiling ${pct(row.gatherCeiling.dense)}), sparse random ${pct(row.sparseRandom)} (ceiling ${pct(row.gatherCeiling.sparseRandom)}), paged ${pct(row.sparsePaged)} (ceiling ${pct(row.gatherCeiling.sparsePaged)})${baseline ? `; baseline dense ${pct(row.baseline.dense)}, random ${pct(row.baseline.sparseRandom)}, paged ${pct(row.baseline.sparsePaged)}` : ''} (load ${row.loadAverage.toFixed(2)})`,
    );
  }
}

const resultHeader = cpuBenchHeader({ rounds, hugePages, evictBytes }, { isa: addon.info().isa });
const { date, machine } = resultHeader;
const result = {
  ...resultHeader,
  note:
    `bandwidth = bytes actually read (K and V rows; plus the index list for sparse) / time; every timed call starts with cold caches (a ${evictBytes / 2 ** 20} MiB read before it); copy = memcpy of the dense cache size, counting read + write; ofCopy = median over rounds of bandwidth / copy bandwidth of the same round; sparseRandom = N/8 uniformly random sorted tokens, sparsePaged = N/8 tokens in random pages of ${pageSize}; gatherCeiling = the same K and V rows (all N for dense) loaded with no arithmetic (the fastest of ${gatherWalks.map(([p, s]) => `${s} stream(s), prefetch ${p}`).join('; ')}), ofCeiling = ceiling time / kernel time; ` +
    (hugePages
      ? 'K, V and the memcpy buffers on transparent huge pages (MADV_HUGEPAGE on their whole 2 MiB pages before filling; hugePageBytes per row)'
      : 'K, V and the memcpy buffers on whatever pages the allocator gave (--no-huge-pages)'),
  ...(baselinePath ? { baseline: resolve(baselinePath) } : {}),
  rows,
};
const path = option('out') ? resolve(option('out')) : join(here, 'results', `cpu-${machine.host}-${date}.json`);
writeFileAtomic(path, JSON.stringify(result, null, 2) + '\n');

const percent = (x) => (100 * x.ofCopy).toFixed(0) + '%';
const header = [
  'dtype',
  'N',
  'copy GB/s',
  'dense ms',
  'dense GB/s',
  '% copy',
  'ceiling',
  'random ms',
  'GB/s',
  '% copy',
  'ceiling',
  'paged ms',
  'GB/s',
  '% copy',
  'ceiling',
  ...(baseline ? ['base dense', 'base random', 'base paged'] : []),
  'ref ms',
  'x ref',
];
const table = rows.map((r) => [
  r.dtype,
  String(r.tokens),
  r.copyGBs.toFixed(1),
  r.dense.ms.toFixed(3),
  r.dense.GBs.toFixed(1),
  percent(r.dense),
  percent(r.gatherCeiling.dense),
  r.sparseRandom.ms.toFixed(3),
  r.sparseRandom.GBs.toFixed(1),
  percent(r.sparseRandom),
  percent(r.gatherCeiling.sparseRandom),
  r.sparsePaged.ms.toFixed(3),
  r.sparsePaged.GBs.toFixed(1),
  percent(r.sparsePaged),
  percent(r.gatherCeiling.sparsePaged),
  ...(baseline ? [percent(r.baseline.dense), percent(r.baseline.sparseRandom), percent(r.baseline.sparsePaged)] : []),
  r.referenceMs === null ? '-' : r.referenceMs.toFixed(2),
  r.speedupVsReference === null ? '-' : r.speedupVsReference.toFixed(0) + 'x',
]);
console.log(
  `machine: ${machine.cpu} (${machine.host}), ${machine.cores} cores, one thread, ${machine.isa} kernels, node ${machine.node}; median of ${rounds} rounds; cold caches (${evictBytes / 2 ** 20} MiB evicted before each call); sparse = N/8 tokens (random sorted / pages of ${pageSize}); ceiling = the same rows (all rows for dense) loaded with no arithmetic, % of copy; K/V/copy ${hugePages ? 'on huge pages' : 'without huge-page advice'}`,
);
printTable(header, table);
console.log(`written to ${path}`);
