#!/usr/bin/env node
/**
 * The decode speed table (issue 13, item 6) from the files bench/model/speed-table.sh leaves:
 *
 *   node speed-table.mjs combine WORK_DIR OUT.json OUT.md   ours-*.json (prhs model bench --json) + hf.json → table
 *   node speed-table.mjs markdown TABLE.json                 the markdown of a combined table, for bench/README.md
 *
 * Every row: the card, the copy bandwidth measured in the same process as our run, the bytes one
 * step reads and the bound they allow; HF's bound is the same bytes (the same shape reads at least
 * as much), so each column's "% of bound" is comparable.
 */
import { readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const writeAtomic = (path, text) => {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
};
const pointKey = (r) => `${r.shape}:${r.batch}:${r.context}`;

/** One engine run as a table cell: ms, tokens/s, GB/s and the fraction of the bound. */
function ours(report) {
  if (!report) return null;
  if (report.error) return { error: report.error };
  return {
    medianMs: report.medianMs,
    tokensPerSecond: report.tokensPerSecond,
    bytes: report.bytes.total,
    achievedGBs: report.achievedGBs,
    boundMs: report.boundMs,
    fractionOfBound: report.fractionOfBound,
    selection: report.selection,
    linearVariant: report.linearVariant,
  };
}

function hf(entry, batch, boundMs) {
  if (!entry) return null;
  if (entry.skipped) return { error: entry.skipped };
  return {
    medianMs: entry.medianMs,
    tokensPerSecond: (batch * 1000) / entry.medianMs,
    fractionOfBound: boundMs / entry.medianMs,
    compileSeconds: entry.compileSeconds ?? null,
  };
}

export function combine(work) {
  const runs = readdirSync(work)
    .filter((f) => /^ours-(dense|prhs)-.*\.json$/.test(f))
    .map((f) => ({ kind: f.split('-')[1], ...readJson(join(work, f)) }));
  let hfReport = null;
  try {
    hfReport = readJson(join(work, 'hf.json'));
  } catch (error) {
    hfReport = { error: `no HF result: ${error.message}`, rows: [] };
  }
  const points = readJson(join(work, 'points.json'));
  const rows = points.map(({ shape, batch, context }) => {
    const key = pointKey({ shape, batch, context });
    const find = (kind) => runs.find((r) => r.kind === kind && r.point === key);
    const dense = find('dense');
    const prhs = find('prhs');
    const base = ours(dense);
    const boundMs = base?.boundMs;
    const h = hfReport.rows.find((r) => pointKey(r) === key);
    const row = {
      shape,
      batch,
      context,
      device: dense?.device ?? null,
      copyGBs: dense?.copyGBs ?? null,
      dtype: dense?.dtype ?? null,
      dense: base,
      prhs: ours(prhs),
      hfEager: h ? hf(h.eager, batch, boundMs) : null,
      hfCompiled: h ? hf(h.compiled, batch, boundMs) : null,
    };
    const ratio = (a, b) => (a?.medianMs && b?.medianMs ? b.medianMs / a.medianMs : null);
    row.speedup = {
      denseOverCompiledHf: ratio(row.dense, row.hfCompiled),
      prhsOverCompiledHf: ratio(row.prhs, row.hfCompiled),
      prhsOverDense: ratio(row.prhs, row.dense),
    };
    return row;
  });
  return {
    schema: 'prhs-speed-table/1',
    hf: {
      device: hfReport.device ?? null,
      torch: hfReport.torch ?? null,
      transformers: hfReport.transformers ?? null,
      weights: hfReport.weights ?? null,
      error: hfReport.error ?? null,
    },
    rows,
  };
}

const num = (x, digits) => (x === null || x === undefined ? '–' : Number(x).toFixed(digits));
const pct = (x) => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(0)}%`);
const cell = (c) =>
  !c
    ? '–'
    : c.error
      ? `not run: ${c.error}`
      : `${num(c.medianMs, 2)} ms, ${num(c.tokensPerSecond, 0)} tok/s, ${pct(c.fractionOfBound)}`;
const speedup = (x) => (x === null ? '–' : `${x.toFixed(2)}x`);

export function markdown(table) {
  const lines = [
    `Decode step, ms per step, tokens/s and the fraction of the bytes bound (the step's bytes at the copy bandwidth measured in the same call). HF: transformers ${table.hf.transformers ?? '?'}, torch ${table.hf.torch ?? '?'}, SDPA, static cache; ${table.hf.weights ?? ''}.`,
    '',
    '| shape | batch | context | card | copy GB/s | bytes/step | bound ms | ours dense | ours PrHS (CIS, budget ctx/8) | HF eager | HF compiled | dense / HF compiled | PrHS / HF compiled | PrHS / dense |',
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | --- | --- | --- | --- | ---: | ---: | ---: |',
  ];
  for (const r of table.rows) {
    const bytes = r.dense?.bytes ? `${(r.dense.bytes / 1e9).toFixed(2)} GB` : '–';
    const prhs =
      r.prhs && !r.prhs.error && r.prhs.selection?.retrievalRate != null
        ? `${cell(r.prhs)} (retrieval ${pct(r.prhs.selection.retrievalRate)}, ${(r.prhs.bytes / 1e9).toFixed(2)} GB)`
        : cell(r.prhs);
    lines.push(
      `| ${r.shape} | ${r.batch} | ${r.context} | ${r.device ?? '–'} | ${num(r.copyGBs, 0)} | ${bytes} | ${num(r.dense?.boundMs, 2)} | ${cell(r.dense)} | ${prhs} | ${cell(r.hfEager)} | ${cell(r.hfCompiled)} | ${speedup(r.speedup.denseOverCompiledHf)} | ${speedup(r.speedup.prhsOverCompiledHf)} | ${speedup(r.speedup.prhsOverDense)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function run(argv) {
  const [mode, ...rest] = argv;
  if (mode === 'combine' && rest.length === 3) {
    const table = combine(rest[0]);
    writeAtomic(rest[1], `${JSON.stringify(table, null, 1)}\n`);
    writeAtomic(rest[2], markdown(table));
    process.stdout.write(markdown(table));
    return 0;
  }
  if (mode === 'markdown' && rest.length === 1) {
    process.stdout.write(markdown(readJson(rest[0])));
    return 0;
  }
  process.stderr.write('usage: speed-table.mjs combine WORK_DIR OUT.json OUT.md | markdown TABLE.json\n');
  return 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exitCode = run(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`speed-table: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
