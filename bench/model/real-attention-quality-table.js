#!/usr/bin/env node
/**
 * The README tables of a bench/model/real-attention-quality.js result: bits per byte with each
 * selector in the decode loop (mean over files, mean δ of the loop beside it), retrieval accuracy
 * per probe kind, and whether δ predicts the loss (Spearman ρ over (file, selector, budget)).
 *
 *   node bench/model/real-attention-quality-table.js RESULT.json [--readme]
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

const cpuSeconds = [...result.bitsPerByte, ...result.retrieval].reduce((a, r) => a + (r.cpuSeconds ?? 0), 0);
lines.push(
  `Context ${settings.context}, budgets ${fractions.map((f) => `N/${f}`).join(', ')}; ${machine.jobs} worker processes on ${machine.cores} × ${machine.cpu}, ` +
    `${Math.round(machine.wallSeconds)} s wall${cpuSeconds > 0 ? `, ${Math.round(cpuSeconds)} CPU-seconds` : ''} (\`${relative(root, resolve(path))}\`).`,
  '',
);

if (result.bitsPerByte.length > 0) {
  const files = result.bitsPerByte;
  const row = (selector, fraction) =>
    files.map((f) => f.rows.find((r) => r.selector === selector && (selector === 'dense' || r.fraction === fraction)));
  const budgets = fractions.map((f) => Math.round(mean(row('oracle', f).map((r) => r?.meanKept ?? Number.NaN))));
  lines.push(
    `Bits per byte over the last ${files[0].scored} bytes of the first ${settings.context} of ${files.length} held-out files (${files.map((f) => f.file.replace('python-stdlib/', '')).join(', ')}), mean over files; mean δ of the loop in brackets:`,
    '',
    `| selector | ${fractions.map((f, i) => `B = ${budgets[i]} (N/${f})`).join(' | ')} |`,
    `|---|${fractions.map(() => '---').join('|')}|`,
  );
  const dense = mean(row('dense').map((r) => r.bitsPerByte));
  lines.push(`| dense | ${fractions.map(() => dense.toFixed(3)).join(' | ')} |`);
  for (const selector of settings.selectors) {
    const cells = fractions.map((f) => {
      const rows = row(selector, f);
      return `${mean(rows.map((r) => r.bitsPerByte)).toFixed(3)} (δ ${mean(rows.map((r) => r.meanDelta)).toFixed(3)})`;
    });
    lines.push(`| ${selector} | ${cells.join(' | ')} |`);
  }
  const points = files.flatMap((f) => {
    const d = f.rows.find((r) => r.selector === 'dense').bitsPerByte;
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

if (result.retrieval.length > 0) {
  const probes = result.retrieval.flatMap((item) => item.probes);
  const kinds = [...new Set(probes.map((p) => p.kind))];
  const distances = probes.map((p) => p.distance);
  lines.push(
    `Retrieval (${probes.length} probes in ${result.retrieval.length} held-out files, answers ${Math.min(...distances)}–${Math.max(...distances)} bytes back; exact = all 6 greedy bytes right, bytes = share of the 6 bytes right given the right bytes before them):`,
    '',
    `| selector | ${fractions.flatMap((f) => kinds.map((k) => `${k}, N/${f}`)).join(' | ')} |`,
    `|---|${fractions.flatMap(() => kinds.map(() => '---')).join('|')}|`,
  );
  for (const selector of selectors) {
    const cells = fractions.flatMap((f) =>
      kinds.map((kind) => {
        const outcomes = probes
          .filter((p) => p.kind === kind)
          .map((p) => p.outcomes.find((o) => o.selector === selector && (selector === 'dense' || o.fraction === f)));
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
