// The sparse selections the CPU benchmarks gather (native-kernels.js, gather-walks.js): N/8 tokens,
// either uniformly random and sorted (scattered rows) or whole pages of consecutive tokens chosen
// at random (what Quest and the certified selector pick). Seeded from N, so both scripts walk the
// same lists.
import { randomIndexLists, uniformSource } from '../dist/src/verify/randomInputs.js';

/** `selected` tokens as whole pages of `pageSize` consecutive tokens, pages chosen at random, sorted. */
export function pagedIndexList(tokens, selected, pageSize, seed) {
  const uniform = uniformSource(seed);
  const pages = Math.floor(tokens / pageSize);
  const wanted = selected / pageSize;
  const chosen = new Set();
  // Floyd's sampling: `wanted` distinct pages in as many draws.
  for (let j = pages - wanted; j < pages; j++) {
    const t = Math.floor(uniform() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  const indices = new Int32Array(selected);
  [...chosen]
    .sort((a, b) => a - b)
    .forEach((page, p) => {
      for (let i = 0; i < pageSize; i++) indices[p * pageSize + i] = page * pageSize + i;
    });
  return indices;
}

/** The benchmark's two selections of one head's `tokens` (N/8 of them, a whole number of pages). */
export function benchmarkSelections(tokens, headDim, pageSize) {
  const selected = Math.max(pageSize, Math.floor(tokens / 8 / pageSize) * pageSize);
  const shape = { batch: 1, queryHeads: 1, kvHeads: 1, tokens, headDim, valueDim: headDim };
  return {
    selected,
    sparseRandom: randomIndexLists(shape, selected, tokens + 1).indices,
    sparsePaged: pagedIndexList(tokens, selected, pageSize, tokens + 2),
  };
}
