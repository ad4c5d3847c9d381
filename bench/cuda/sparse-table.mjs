// The sparse table of bench/cuda/run-sparse.sh: reads bench.mjs's JSON (one call: SDPA, the sliced
// sparse kernel, the previous default (the group kernel), the chunk kernel, the kernels of commit
// c16f5fe, the floors) and prints one row per shape, then the targets of issue 14. Writes nothing.
// Usage: node bench/cuda/sparse-table.mjs CUDA_BENCH_JSON
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const f = (x, digits = 4) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits));
const times = (x) => (x === null || x === undefined ? '-' : `${x.toFixed(2)}x`);
const pct = (x) => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(0)}%`);

function row(r) {
  const t = Object.fromEntries(r.timings.map((x) => [x.name, x]));
  const copy = r.copyBandwidthGBs;
  const ms = (name) => t[name]?.medianMs ?? null;
  const share = (name) => (t[name] ? t[name].bytes / t[name].medianMs / 1e6 / copy : null);
  const cell = (name) => `${f(ms(name))} (${pct(share(name))})`;
  const sdpa = r.torch?.sdpa?.medianMs ?? null;
  const bound = t.dense.bytes / t.sparse.bytes;
  const cisAt = (rate, suffix) => {
    const reuse = ms(`cisReuse+sparse${suffix}`),
      reanchor = ms(`cisReanchor+sparse${suffix}`);
    if (reuse === null || reanchor === null || sdpa === null) return null;
    return sdpa / (reuse + rate * (reanchor - reuse));
  };
  const bits = Object.entries(r.bitsDiffer).filter(([name]) => name.startsWith('sparse'));
  return {
    label: r.config.label,
    cells: [
      r.config.label,
      cell('sparse'),
      cell('sparseGroupL2'),
      cell('sparseChunk'),
      cell('sparseV1'),
      ['sparseSlicedW1', 'sparseSlicedW4', 'sparseSlicedShallow', 'sparseSlicedDeep', 'sparseSlicedNoCluster']
        .map((n) => f(ms(n)))
        .join(' / '),
      f(ms('sparseEmptyLaunch')),
      cell('sparseGatherOnly'),
      f(sdpa),
      sdpa === null ? '-' : `${f(sdpa / ms('sparse'), 2)}x [${f(bound, 1)}x]`,
      sdpa === null ? '-' : `${f(sdpa / ms('sparseGroupL2'), 2)}x`,
      `${times(cisAt(0.01, ''))} / ${times(cisAt(0.01, 'Group'))}`,
      `${bits.reduce((x, [, y]) => x + y, 0)} (${bits.length} variants)`,
    ],
    sdpa,
    sparse: ms('sparse'),
    share: share('sparse'),
    cis: cisAt(0.01, ''),
  };
}

const a = report.addon;
console.log(
  `\n${a.device} (cc ${a.computeCapability}), driver ${a.driverVersion}, runtime ${a.runtimeVersion}; copy bandwidth ${f(report.results[0]?.copyBandwidthGBs ?? 0, 0)} GB/s; medians of ${report.setup.repeats} CUDA-graph replays, L2 overwritten before each`,
);
console.log(
  'sliced = the new default sparse kernel (sparseDecode.cu); group = the previous default; chunk = attention.cu chunk kernel; V1 = commit c16f5fe; % = of copy bandwidth on the bytes the step moves',
);
console.log(
  '| shape | sliced ms (%) | group ms (%) | chunk ms (%) | V1 ms (%) | sliced W1 / W4 / shallow / deep / no cluster ms | empty launch ms | gather only ms (%) | SDPA ms | sliced vs SDPA [bound] | group vs SDPA | CIS @1% vs SDPA: sliced / group | bits differing from chunk |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
const rows = report.results.map(row);
for (const r of rows) console.log(`| ${r.cells.join(' | ')} |`);
const find = (prefix) => rows.find((r) => r.label.startsWith(prefix));
const paper = find('a:');
const b1 = rows.filter((r) => /B1 /.test(r.label));
const long = find('b: B1 N128K');
console.log('\nissue 14 targets (this call):');
if (paper?.sdpa) console.log(`  (a) sparse ≥ 6.5x SDPA: ${f(paper.sdpa / paper.sparse, 2)}x`);
for (const r of b1) console.log(`  batch 1 sparse ≥ 60% of copy: ${r.label}: ${pct(r.share)}`);
if (long?.cis) console.log(`  B1 N128K k2K, CIS @1% ≥ 12x SDPA: ${f(long.cis, 2)}x`);
