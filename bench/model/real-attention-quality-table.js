#!/usr/bin/env node
/**
 * The README tables of a bench/model/real-attention-quality.js result: bits per byte with each
 * selector in the decode loop (mean over files, mean δ of the loop beside it), retrieval accuracy
 * per probe kind, and whether δ predicts the loss (Spearman ρ over (file, selector, budget)).
 *
 *   node bench/model/real-attention-quality-table.js RESULT.json [--readme]
 *
 * A partial result (`complete: false`, from a run cut short) gives the same tables over what is
 * done: finished items and the finished branches of unfinished ones; a cell covering fewer files
 * (or probes) than the table's count says how many.
 *
 * Prints the markdown; --readme also replaces the text between the markers
 * <!-- real-attention-quality:begin --> and <!-- real-attention-quality:end --> in README.md.
 * Needs `npm run build`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spearman } from '../../dist/src/figures/rankCorrelation.js';
import { writeFileAtomic } from '../../dist/src/io/atomicWrite.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const path = process.argv[2];
if (path === undefined || path.startsWith('--')) {
  process.stderr.write(
    'real-attention-quality-table: RESULT.json: expected the path of a real-attention-quality result\n',
  );
  process.exit(2);
}
let result;
try {
  result = JSON.parse(readFileSync(path, 'utf8'));
} catch (error) {
  process.stderr.write(
    `real-attention-quality-table: RESULT.json: cannot read ${path} (${error.code ?? error.message})\n`,
  );
  process.exit(2);
}
if (result.schema !== 'prhs-real-attention-quality/1') {
  process.stderr.write(
    `real-attention-quality-table: RESULT.json: expected schema prhs-real-attention-quality/1, got ${JSON.stringify(result.schema)}\n`,
  );
  process.exit(2);
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x) => `${Math.round(100 * x)}%`;
const { settings, machine } = result;
const fractions = settings.fractions;
const selectors = ['dense', ...settings.selectors];
const lines = [];

// Finished branches of unfinished items (results of a run cut short) count too.
const unfinished = result.unfinished ?? [];
const bpbItems = [...result.bitsPerByte, ...unfinished.filter((r) => r.kind === 'bpb')];
const retrievalItems = [...result.retrieval, ...unfinished.filter((r) => r.kind === 'retrieval')];
const cpuSeconds = [...bpbItems, ...retrievalItems].reduce((a, r) => a + (r.cpuSeconds ?? 0), 0);
const checkpoint = typeof result.checkpoint === 'string' ? result.checkpoint : result.checkpoint.path;
lines.push(
  `Checkpoint \`${checkpoint}\`, context ${settings.context}, budgets ${fractions.map((f) => `N/${f}`).join(', ')}; ${machine.jobs} worker processes on ${machine.cores} × ${machine.cpu}, ` +
    `${Math.round(machine.wallSeconds)} s wall${machine.calls > 1 ? ` in ${machine.calls} calls` : ''}${cpuSeconds > 0 ? `, ${Math.round(cpuSeconds)} CPU-seconds` : ''} (\`${relative(root, resolve(path))}\`).`,
  '',
);
if (result.complete === false) {
  const { items, itemsDone } = result.progress;
  lines.push(
    `**Partial result** (a run cut short): ${itemsDone} of ${items} files complete; the tables use those and the finished branches of ${unfinished.length} more, and mark a cell covering fewer files or probes than its table.`,
    '',
  );
}
/** " [n]" when a cell covers n of `total` (fewer): the reader sees which cells are thinner. */
const coverage = (n, total) => (n < total ? ` [${n} of ${total}]` : '');

if (bpbItems.length > 0) {
  const files = bpbItems;
  const row = (selector, fraction) =>
    files
      .map((f) => f.rows.find((r) => r.selector === selector && (selector === 'dense' || r.fraction === fraction)))
      .filter((r) => r !== undefined);
  // The oracle keeps exactly its budget; without an oracle row, the nominal budget.
  const budgets = fractions.map((f) => {
    const kept = row('oracle', f).map((r) => r.meanKept);
    return kept.length ? Math.round(mean(kept)) : Math.floor(settings.context / f);
  });
  lines.push(
    `Bits per byte over the last ${files[0].scored} bytes of the first ${settings.context} of ${files.length} held-out files (${files.map((f) => f.file.replace('python-stdlib/', '')).join(', ')}), mean over files; mean δ of the loop in brackets:`,
    '',
    `| selector | ${fractions.map((f, i) => `B = ${budgets[i]} (N/${f})`).join(' | ')} |`,
    `|---|${fractions.map(() => '---').join('|')}|`,
  );
  const denseRows = row('dense');
  const dense = `${mean(denseRows.map((r) => r.bitsPerByte)).toFixed(3)}${coverage(denseRows.length, files.length)}`;
  lines.push(`| dense | ${fractions.map(() => dense).join(' | ')} |`);
  for (const selector of settings.selectors) {
    const cells = fractions.map((f) => {
      const rows = row(selector, f);
      if (rows.length === 0) return '—';
      return `${mean(rows.map((r) => r.bitsPerByte)).toFixed(3)} (δ ${mean(rows.map((r) => r.meanDelta)).toFixed(3)})${coverage(rows.length, files.length)}`;
    });
    lines.push(`| ${selector} | ${cells.join(' | ')} |`);
  }
  const points = files.flatMap((f) => {
    const denseRow = f.rows.find((r) => r.selector === 'dense');
    if (denseRow === undefined) return [];
    const d = denseRow.bitsPerByte;
    return f.rows
      .filter((r) => r.selector !== 'dense')
      .map((r) => ({ increase: r.bitsPerByte - d, delta: r.meanDelta, bound: r.meanOutputBound }));
  });
  const rho = spearman(
    points.map((p) => p.delta),
    points.map((p) => p.increase),
  );
  const rhoBound = spearman(
    points.map((p) => p.bound),
    points.map((p) => p.increase),
  );
  lines.push(
    '',
    `δ against the loss: over ${points.length} (file, selector, budget) points, Spearman ρ(mean δ, bits-per-byte increase over dense) = ${rho.toFixed(2)}; ` +
      `with the theory's per-head output bound 2δ·max‖v‖ (mean over head-steps) in place of δ, ρ = ${rhoBound.toFixed(2)}.`,
    '',
  );
}

if (retrievalItems.length > 0) {
  const probes = retrievalItems.flatMap((item) => item.probes);
  const kinds = [...new Set(probes.map((p) => p.kind))];
  const distances = probes.map((p) => p.distance);
  lines.push(
    `Retrieval (${probes.length} probes in ${retrievalItems.length} held-out files, answers ${Math.min(...distances)}–${Math.max(...distances)} bytes back; exact = all 6 greedy bytes right, bytes = share of the 6 bytes right given the right bytes before them):`,
    '',
    `| selector | ${fractions.flatMap((f) => kinds.map((k) => `${k}, N/${f}`)).join(' | ')} |`,
    `|---|${fractions.flatMap(() => kinds.map(() => '---')).join('|')}|`,
  );
  for (const selector of selectors) {
    const cells = fractions.flatMap((f) =>
      kinds.map((kind) => {
        const outcomes = probes
          .filter((p) => p.kind === kind)
          .map((p) => p.outcomes.find((o) => o.selector === selector && (selector === 'dense' || o.fraction === f)))
          .filter((o) => o !== undefined);
        if (outcomes.length === 0) return '—';
        return `${outcomes.filter((o) => o.correct).length}/${outcomes.length} (bytes ${pct(mean(outcomes.map((o) => o.bytesRight / 6)))})`;
      }),
    );
    lines.push(`| ${selector} | ${cells.join(' | ')} |`);
  }
  lines.push('');
}

const markdown = lines.join('\n');
process.stdout.write(markdown + '\n');
if (process.argv.includes('--readme')) {
  const readme = join(root, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const begin = '<!-- real-attention-quality:begin -->';
  const end = '<!-- real-attention-quality:end -->';
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) {
    process.stderr.write(`real-attention-quality-table: --readme: README.md lacks the markers ${begin} … ${end}\n`);
    process.exit(2);
  }
  writeFileAtomic(readme, text.slice(0, from + begin.length) + '\n' + markdown + '\n' + text.slice(to));
  process.stderr.write('real-attention-quality-table: updated README.md\n');
}
