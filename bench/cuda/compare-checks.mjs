// Compares two check-kernels runs check by check (same seed, same shapes): for every (kernel, shape)
// of both, whether maxError is the same number. A refactor that keeps every kernel's operations and
// their order (decodeMerge.cuh, issue 18) must leave every maxError unchanged; one that changes the
// arithmetic (the bf16 hi + lo split) shows where the error moved and by how much, with the naive
// fp32 implementation's error beside it (the verdict allows at most twice that).
// Usage: node bench/cuda/compare-checks.mjs OLD_JSON RUN_INDEX NEW_JSON RUN_INDEX LABEL [--expect-same]
// (a JSON of runs: {"runs": [check-kernels --json, ...]}). Exit 1 with --expect-same if any differs.
import { readFileSync } from 'node:fs';

const [oldPath, oldIndex, newPath, newIndex, label, flag] = process.argv.slice(2);
if (!oldPath || !oldIndex || !newPath || !newIndex || !label) {
  console.error(
    'usage: node bench/cuda/compare-checks.mjs OLD_JSON RUN_INDEX NEW_JSON RUN_INDEX LABEL [--expect-same]',
  );
  process.exit(2);
}
const run = (path, index) => {
  const runs = JSON.parse(readFileSync(path, 'utf8')).runs;
  const r = runs[Number(index)];
  if (!r) {
    console.error(`${path}: no run ${index} (it has ${runs.length})`);
    process.exit(2);
  }
  return r;
};
const before = run(oldPath, oldIndex);
const after = run(newPath, newIndex);
const key = (c) => `${c.kernel} | ${c.shape}`;
const old = new Map(before.results.map((c) => [key(c), c]));
let same = 0;
let sameNonzero = 0; // an identical nonzero error is evidence of identical outputs; two zeros say less
const differ = [];
for (const c of after.results) {
  const o = old.get(key(c));
  if (!o) continue;
  if (o.maxError === c.maxError) {
    same++;
    if (c.maxError !== 0) sameNonzero++;
  } else differ.push({ key: key(c), before: o, after: c });
}
const compared = same + differ.length;
console.log(
  `${label}: ${compared} checks in both runs (${before.dtype} → ${after.dtype}), maxError identical in ${same} (${sameNonzero} of them nonzero), different in ${differ.length}`,
);
const e = (x) => (typeof x === 'number' ? x.toExponential(3) : '-');
for (const d of differ) {
  const naive = d.after.naiveError;
  const vsNaive =
    typeof naive === 'number' && naive > 0 ? ` (${(d.after.maxError / naive).toFixed(2)}x naive ${e(naive)})` : '';
  console.log(
    `  ${d.key}: ${e(d.before.maxError)} → ${e(d.after.maxError)}${vsNaive}, pass ${d.before.pass} → ${d.after.pass}`,
  );
}
if (flag === '--expect-same' && (differ.length > 0 || compared === 0)) process.exit(1);
