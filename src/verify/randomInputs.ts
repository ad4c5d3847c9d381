/**
 * Seeded inputs for the cross-checks: Gaussian queries, keys and values with a few "heavy hitter"
 * keys aligned with the query (so attention is peaked, as in real decoding), rounded to the
 * storage dtype. Same seed, same inputs, on every backend.
 */
import type { AttentionInputs, AttentionShape, IndexLists } from '../backends/kernelBackend.js';
import { encodeStorage, type StorageDtype } from '../numeric/storage.js';
import { gaussianSource, uniformSource } from '../random/index.js';

export { uniformSource, gaussianSource };

export interface RandomInputOptions {
  /** Generate value rows (default true). */
  readonly values?: boolean;
  /**
   * Multiplies the queries (default 1). Queries of norm ~1.5√d give logits of a few units; a factor
   * of 64 gives logits in the hundreds, beyond fp32 exp's range (e^88.7), where a kernel that
   * exponentiates without subtracting the maximum overflows.
   */
  readonly queryScale?: number;
}

export function randomAttentionInputs(
  dtype: StorageDtype,
  shape: AttentionShape,
  seed: number,
  options: RandomInputOptions = {},
): AttentionInputs {
  const normal = gaussianSource(seed);
  const uniform = uniformSource(seed ^ 0x9e3779b9);
  const s = shape;
  const queryScale = 1.5 * (options.queryScale ?? 1);
  const query = new Float64Array(s.batch * s.queryHeads * s.headDim).map(() => queryScale * normal());
  const keys = new Float64Array(s.batch * s.kvHeads * s.tokens * s.headDim);
  const group = s.queryHeads / s.kvHeads;
  for (let cache = 0; cache < s.batch * s.kvHeads; cache++) {
    const aligned = (Math.floor(cache / s.kvHeads) * s.queryHeads + (cache % s.kvHeads) * group) * s.headDim;
    for (let i = 0; i < s.tokens; i++) {
      const heavy = uniform() < 1 / 64 ? 1 + 2 * uniform() : 0;
      const base = (cache * s.tokens + i) * s.headDim;
      for (let c = 0; c < s.headDim; c++) keys[base + c] = normal() + heavy * query[aligned + c]!;
    }
  }
  const withValues = options.values ?? true;
  const values = withValues
    ? new Float64Array(s.batch * s.kvHeads * s.tokens * s.valueDim).map(() => normal())
    : new Float64Array(0);
  return {
    dtype,
    shape,
    query: encodeStorage(dtype, query),
    keys: encodeStorage(dtype, keys),
    values: encodeStorage(dtype, values),
    scale: 1 / Math.sqrt(s.headDim),
  };
}

/**
 * Random index lists: `selected` distinct tokens per row (a random subset, in ascending order),
 * and, when `padding`, the last entry of every other row replaced by -1.
 */
export function randomIndexLists(shape: AttentionShape, selected: number, seed: number, padding = false): IndexLists {
  const uniform = uniformSource(seed);
  const rows = shape.batch * shape.queryHeads;
  const indices = new Int32Array(rows * selected);
  for (let r = 0; r < rows; r++) {
    // Floyd's algorithm: a uniform random subset of size `selected` in O(selected).
    const chosen = new Set<number>();
    for (let j = shape.tokens - selected; j < shape.tokens; j++) {
      const t = Math.floor(uniform() * (j + 1));
      chosen.add(chosen.has(t) ? j : t);
    }
    const sorted = Int32Array.from(chosen).sort();
    indices.set(sorted, r * selected);
    if (padding && selected > 1 && r % 2 === 1) indices[r * selected + selected - 1] = -1;
  }
  return { indices, selected };
}

/**
 * Lists that run through pages, as Quest or the certified selector pick: `pages` random whole
 * pages of `pageSize` consecutive tokens per row, in ascending order (`pages` ≤ tokens/pageSize).
 * Kernels walk such lists differently (two address streams), so the cross-check needs them too.
 */
export function pagedIndexLists(shape: AttentionShape, pageSize: number, pages: number, seed: number): IndexLists {
  const pageCount = Math.floor(shape.tokens / pageSize);
  const pageLists = randomIndexLists({ ...shape, tokens: pageCount }, pages, seed);
  const selected = pages * pageSize;
  const indices = new Int32Array(pageLists.indices.length * pageSize);
  pageLists.indices.forEach((page, j) => {
    for (let t = 0; t < pageSize; t++) indices[j * pageSize + t] = page * pageSize + t;
  });
  return { indices, selected };
}

/** Every token, in order, for every row (sparse over everything must equal dense bit for bit). */
export function allIndexLists(shape: AttentionShape): IndexLists {
  const rows = shape.batch * shape.queryHeads;
  const indices = new Int32Array(rows * shape.tokens);
  for (let r = 0; r < rows; r++) for (let i = 0; i < shape.tokens; i++) indices[r * shape.tokens + i] = i;
  return { indices, selected: shape.tokens };
}
