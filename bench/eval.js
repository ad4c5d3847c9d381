#!/usr/bin/env node
// Benchmark of `prhs eval` on one large head (not a timed test): N tokens, every second kept, in
// process through the built CLI, reading the input from a file as a user would. Each size is
// measured three times; the median is printed with the time per token, which stays flat when the
// cost is linear in N (the exact kept-dropped diameter made it grow with N: kept × dropped pairs).
// Run: npm run build && node bench/eval.js [N ...]   (default 50000 100000 200000 400000; d = 8)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../dist/src/cli/main.js';

const sizes = process.argv.slice(2).map(Number);
const tokens = sizes.length > 0 ? sizes : [50_000, 100_000, 200_000, 400_000];
const d = 8;
let state = 12345;
const random = () => ((state = (state * 48271) % 2147483647) / 2147483647) * 2 - 1;
const row = () => Array.from({ length: d }, random);

const folder = mkdtempSync(join(tmpdir(), 'prhs-bench-eval-'));
const quiet = { stdout: () => undefined, stderr: (t) => process.stderr.write(t), interactive: false };
console.log('N        median ms  µs/token');
for (const n of tokens) {
  const path = join(folder, `head-${n}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      q: row(),
      K: Array.from({ length: n }, row),
      V: Array.from({ length: n }, row),
      keep: Array.from({ length: n / 2 }, (_, i) => 2 * i),
    }),
  );
  const times = [];
  for (let repeat = 0; repeat < 3; repeat++) {
    const started = performance.now();
    const code = await main(['eval', path], quiet);
    if (code !== 0) throw new Error(`prhs eval exited ${code}`);
    times.push(performance.now() - started);
  }
  const median = times.sort((a, b) => a - b)[1];
  console.log(
    `${String(n).padEnd(8)} ${median.toFixed(0).padStart(9)}  ${((1000 * median) / n).toFixed(2).padStart(8)}`,
  );
}
rmSync(folder, { recursive: true, force: true });
