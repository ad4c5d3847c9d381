// How fast can one thread of this machine load the rows a sparse decode step reads, at best?
// Searches load-only walks (native gatherSeconds: no arithmetic, one load per cache line) of the
// benchmark's two selections (bench/indexLists.js: N/8 random sorted tokens, or random pages of
// `--page-size` tokens) over every prefetch distance × stream count asked for, cold, each timed
// against a memcpy of the dense cache size in the same round (counting read + write, as
// native-kernels.js does). If no walk reaches a fraction of copy bandwidth, no kernel reading those
// rows on one thread can either: the kernel's share of a shortfall is what lies between it and the
// best walk here (bench/README.md, "How fast one thread can gather").
//
// Run: npm run bench:gather [-- --dtype fp32,fp16 --tokens 262144,1048576 --prefetch 0,8,16,32,64,128
//                              --streams 1,2,4,8 --rounds 3 --page-size 16 --evict-mib 256
//                              --no-huge-pages --out path.json]
// Writes bench/results/gather-walks-<hostname>-<date>.json (or --out; atomically); progress and the
// best walk per cell on stderr, a table on stdout.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adviseHugePages, loadNativeAddon } from '../dist/src/backends/nativeAddon.js';
import { writeFileAtomic } from '../dist/src/io/atomicWrite.js';
import { coldTimer, median } from './coldTiming.js';
import { cpuBenchHeader, cpuBenchOptions, option, printTable, requireMemoryProbes } from './cpuBenchOptions.js';
import { benchmarkSelections } from './indexLists.js';

const here = dirname(fileURLToPath(import.meta.url));
const loaded = loadNativeAddon('native', 'prhs_native.node', 'PRHS_NATIVE_ADDON');
if (!loaded.ok) {
  console.error(`bench: the native addon is not available: ${loaded.reason}`);
  process.exit(1);
}
const addon = loaded.addon;

const { rounds, dtypes, tokenCounts, pageSize, evictBytes, hugePages } = cpuBenchOptions({
  rounds: 3,
  dtypes: 'fp32,fp16',
  tokens: '262144,1048576',
});
const integers = (name, fallback) => (option(name) ?? fallback).split(',').map(Number);
const distances = integers('prefetch', '0,8,16,32,64,128');
const streamCounts = integers('streams', '1,2,4,8');
for (const p of distances)
  if (!Number.isInteger(p) || p < 0 || p > 4096)
    throw new Error(`--prefetch must list integers in [0, 4096], got ${p}`);
for (const s of streamCounts)
  if (!Number.isInteger(s) || s < 1 || s > 64) throw new Error(`--streams must list integers in [1, 64], got ${s}`);
requireMemoryProbes(addon);

// Shorter than native-kernels.js (0.25 s, 40 samples): this script times dozens of walks per cell.
const time = coldTimer(addon, evictBytes, 0.15, 20);
const headDim = 128;
const bytesOf = { fp32: 4, fp16: 2, bf16: 2 };
/** A zero-filled cache array of `bytes`, advised for huge pages before it is touched. */
function cacheArray(bytes) {
  const array = new Uint8Array(bytes);
  if (hugePages) adviseHugePages(addon, array);
  array.fill(1);
  return array;
}

const walks = distances.flatMap((prefetchRows) => streamCounts.map((streams) => ({ prefetchRows, streams })));
const rows = [];
for (const dtype of dtypes) {
  for (const tokens of tokenCounts) {
    // Only the addresses matter to a load-only walk: K and V are plain byte arrays of the cache size.
    const rowBytes = headDim * bytesOf[dtype];
    const keys = cacheArray(tokens * rowBytes);
    const values = cacheArray(tokens * rowBytes);
    const { selected, ...lists } = benchmarkSelections(tokens, headDim, pageSize);
    const cacheBytes = 2 * tokens * rowBytes;
    const sparseBytes = 2 * selected * rowBytes + selected * 4;
    const copySeconds = [];
    const walkSeconds = Object.fromEntries(Object.keys(lists).map((kind) => [kind, walks.map(() => [])]));
    for (let round = 0; round < rounds; round++) {
      copySeconds.push(addon.memcpySeconds({ bytes: cacheBytes, repeats: 7, hugePages, evictBytes }));
      for (const [kind, indices] of Object.entries(lists)) {
        walks.forEach(({ prefetchRows, streams }, w) => {
          walkSeconds[kind][w].push(
            time(() => {
              addon.gatherSeconds({ array: keys, rowBytes, indices, prefetchRows, streams });
              addon.gatherSeconds({ array: values, rowBytes, indices, prefetchRows, streams });
            }),
          );
        });
      }
      console.error(`${dtype} N=${tokens}: round ${round + 1} of ${rounds} done`);
    }
    // memcpy reads and writes every byte: copy bandwidth counts both.
    const copyBandwidth = copySeconds.map((s) => (2 * cacheBytes) / s);
    const row = { dtype, tokens, headDim, selected, pageSize, copyGBs: median(copyBandwidth) / 1e9 };
    for (const kind of Object.keys(lists)) {
      const measured = walks.map(({ prefetchRows, streams }, w) => ({
        prefetchRows,
        streams,
        ms: median(walkSeconds[kind][w]) * 1e3,
        ofCopy: median(walkSeconds[kind][w].map((s, r) => sparseBytes / s / copyBandwidth[r])),
      }));
      const best = measured.reduce((a, b) => (b.ofCopy > a.ofCopy ? b : a));
      row[kind] = { best, walks: measured };
      console.error(
        `  ${kind}: best ${(100 * best.ofCopy).toFixed(0)}% of copy (prefetch ${best.prefetchRows}, ${best.streams} stream(s)); ` +
          `range ${(100 * Math.min(...measured.map((m) => m.ofCopy))).toFixed(0)}-${(100 * best.ofCopy).toFixed(0)}%`,
      );
    }
    rows.push(row);
  }
}

const resultHeader = cpuBenchHeader({ rounds, hugePages, evictBytes });
const { date, machine } = resultHeader;
const result = {
  ...resultHeader,
  note:
    `load-only walks (no arithmetic, one load per cache line) of the same K and V rows as bench/native-kernels.js; sparseRandom = N/8 uniformly random sorted tokens, sparsePaged = N/8 tokens in random pages of ${pageSize}; each walk = ${streamCounts.join('/')} interleaved blocks of 256 list positions, round robin, each row prefetched ${distances.join('/')} positions ahead in its block (0 = no software prefetch); ofCopy = median over rounds of (selected K and V bytes + index bytes) / walk time / copy bandwidth of the same round; copy = memcpy of the dense cache size counting read + write; every timed call starts with cold caches (a ${evictBytes / 2 ** 20} MiB read before it)` +
    (hugePages
      ? '; K, V and the memcpy buffers advised for transparent huge pages'
      : '; no huge-page advice (--no-huge-pages)'),
  rows,
};
const path = option('out')
  ? resolve(option('out'))
  : join(here, 'results', `gather-walks-${machine.host}-${date}.json`);
writeFileAtomic(path, JSON.stringify(result, null, 2) + '\n');

const percent = (x) => `${(100 * x).toFixed(0)}%`;
const walkName = (w) => `p${w.prefetchRows}×${w.streams}`;
const header = ['dtype', 'N', 'copy GB/s', 'random best', 'walk', 'random worst', 'paged best', 'walk', 'paged worst'];
const table = rows.map((r) => [
  r.dtype,
  String(r.tokens),
  r.copyGBs.toFixed(1),
  percent(r.sparseRandom.best.ofCopy),
  walkName(r.sparseRandom.best),
  percent(Math.min(...r.sparseRandom.walks.map((w) => w.ofCopy))),
  percent(r.sparsePaged.best.ofCopy),
  walkName(r.sparsePaged.best),
  percent(Math.min(...r.sparsePaged.walks.map((w) => w.ofCopy))),
]);
console.log(
  `machine: ${machine.cpu} (${machine.host}), ${machine.cores} cores, one thread, node ${machine.node}; median of ${rounds} rounds; cold caches; ${walks.length} load-only walks per list (prefetch ${distances.join('/')} rows × ${streamCounts.join('/')} streams); % of the same round's copy bandwidth (read + write); walk = prefetch distance × streams`,
);
printTable(header, table);
console.log(`written to ${path}`);
