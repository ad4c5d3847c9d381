/**
 * The kernel cross-check harness: runs every check over a fixed list of shapes (1 to 1M tokens)
 * for one backend and dtype, with seeded inputs. `prhs check-kernels` and the backend tests call it.
 */
import type { AttentionInputs, AttentionShape, KernelBackend } from '../backends/kernelBackend.js';
import { encodeStorage, decodeStorage, type StorageDtype } from '../numeric/storage.js';
import {
  checkCertified,
  checkCertifiedExact,
  checkDecode,
  checkDroppedMass,
  checkHeadIsolation,
  checkNonFinite,
  checkScores,
  checkSparse,
  checkSparseAllEqualsDense,
  checkTopKExact,
  checkTopKPipeline,
  shapeLabel,
  type CheckResult,
} from './kernelChecks.js';
import {
  allIndexLists,
  pagedIndexLists,
  randomAttentionInputs,
  randomIndexLists,
  uniformSource,
} from './randomInputs.js';

export interface HarnessOptions {
  /** Largest token count (default 1,048,576). Larger shapes are clamped to it. */
  readonly maxTokens?: number;
  /** Seed of all inputs (default 1). */
  readonly seed?: number;
  /** Called after each check (progress). */
  readonly onResult?: (result: CheckResult) => void;
}

export const defaultMaxTokens = 1 << 20;

function shape(
  batch: number,
  queryHeads: number,
  kvHeads: number,
  tokens: number,
  headDim: number,
  valueDim: number,
): AttentionShape {
  return { batch, queryHeads, kvHeads, tokens, headDim, valueDim };
}

/** Attention shapes: tiny edge cases, a GQA batch, a long one, and 1M tokens with a small head. */
const attentionShapes: readonly AttentionShape[] = [
  shape(1, 1, 1, 1, 1, 1),
  shape(1, 2, 1, 2, 3, 5),
  shape(2, 4, 2, 33, 17, 9),
  shape(2, 8, 2, 1000, 64, 64),
  shape(1, 4, 2, 16384, 64, 32),
  shape(1, 2, 1, 1 << 20, 8, 8),
  // Shapes the tensor-core dense decode takes (fp16/bf16, valueDim = headDim ∈ {64, 96, 128},
  // group ≤ 16): group 16 with a partial last chunk, group 7 at d = 96, and N = 2^20.
  shape(1, 16, 1, 5000, 128, 128),
  shape(1, 7, 1, 3000, 96, 96),
  shape(1, 2, 1, 1 << 20, 64, 64),
];

function clamp(s: AttentionShape, maxTokens: number): AttentionShape {
  return s.tokens <= maxTokens ? s : { ...s, tokens: maxTokens };
}

function uniqueShapes(shapes: readonly AttentionShape[], maxTokens: number): AttentionShape[] {
  const seen = new Set<string>();
  return shapes
    .map((s) => clamp(s, maxTokens))
    .filter((s) => {
      const key = JSON.stringify(s);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Scores with many exact ties (values on a coarse grid), for the exact top-k check. */
function tiedScores(rows: number, columns: number, seed: number): Float32Array {
  const uniform = uniformSource(seed);
  return Float32Array.from({ length: rows * columns }, () => Math.floor(uniform() * 64) / 8 - 4);
}

/** Inputs with NaN and ±Inf planted where the outcome is unambiguous. */
function nonFiniteInputs(dtype: StorageDtype, seed: number) {
  const s = shape(1, 4, 2, 16, 8, 4);
  const inputs = randomAttentionInputs(dtype, s, seed);
  const q = decodeStorage(dtype, inputs.query);
  const k = decodeStorage(dtype, inputs.keys);
  const v = decodeStorage(dtype, inputs.values);
  q[3] = Number.NaN; // query head 0 → its whole output is NaN
  k[(1 * s.tokens + 5) * s.headDim + 2] = Infinity; // a key of KV head 1 → heads 2, 3 see an Inf/NaN logit
  v[(0 * s.tokens + 7) * s.valueDim + 1] = Number.NaN; // a value row of KV head 0 → head 1, column 1
  return { ...inputs, query: encodeStorage(dtype, q), keys: encodeStorage(dtype, k), values: encodeStorage(dtype, v) };
}

/** Largest finite value and smallest subnormal of each storage dtype. */
const storageRange: Readonly<Record<StorageDtype, { max: number; tiny: number }>> = {
  fp32: { max: 3.4028234663852886e38, tiny: 2 ** -149 },
  fp16: { max: 65504, tiny: 2 ** -24 },
  bf16: { max: 3.3895313892515355e38, tiny: 2 ** -133 },
};

/**
 * Small heads at the ends of the storage range for the certified δ̂ (theory/certified.md): the
 * outside audit's regime (huge query, subnormal keys close together, logits of order 1), logits
 * that overflow double, a zero query against keys whose page radius exceeds the float range,
 * all-subnormal inputs with a scale of 2²⁰⁰ or more, and a scale of 10⁻³⁰⁰.
 */
export function extremeCertifiedInputs(
  dtype: StorageDtype,
  seed: number,
): { label: string; inputs: AttentionInputs }[] {
  const s = shape(1, 2, 1, 8, 3, 2);
  const { max, tiny } = storageRange[dtype];
  const uniform = uniformSource(seed);
  const small = () => 1 + Math.floor(uniform() * 7); // 1..7: distinct subnormal multiples
  const sign = () => (uniform() < 0.5 ? -1 : 1);
  const qSize = s.queryHeads * s.headDim;
  const kSize = s.tokens * s.headDim;
  const make = (query: number[], keys: number[], scale: number) => ({
    dtype,
    shape: s,
    scale,
    query: encodeStorage(dtype, Float64Array.from(query)),
    keys: encodeStorage(dtype, Float64Array.from(keys)),
    values: encodeStorage(dtype, new Float64Array(s.tokens * s.valueDim).fill(1)),
  });
  const fill = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  const base = randomAttentionInputs(dtype, s, seed);
  return [
    {
      label: 'huge q, subnormal keys',
      inputs: make(
        fill(qSize, () => (sign() * max) / 2),
        fill(kSize, () => sign() * small() * tiny),
        1 / (max * tiny),
      ),
    },
    {
      label: 'top of range, scale 1e300',
      inputs: make(
        fill(qSize, () => sign() * max),
        fill(kSize, () => sign() * max),
        1e300,
      ),
    },
    {
      label: 'zero q, keys at ±max',
      inputs: make(
        fill(qSize, () => 0),
        fill(kSize, (i) => (i % 2 === 0 ? max : -max)),
        1,
      ),
    },
    {
      label: 'all subnormal',
      inputs: make(
        fill(qSize, () => sign() * small() * tiny),
        fill(kSize, () => sign() * small() * tiny),
        1 / (tiny * tiny) / 64,
      ),
    },
    { label: 'scale 1e-300', inputs: { ...base, scale: 1e-300 } },
  ];
}

/**
 * Logits in the hundreds (queries scaled by 64): far beyond fp32 exp's range, so only kernels that
 * subtract the maximum before exponentiating stay finite, and shift invariance is what is tested.
 */
export const largeLogitShape: AttentionShape = shape(1, 4, 2, 300, 16, 8);
export const largeLogitQueryScale = 64;

function largeLogitChecks(backend: KernelBackend, dtype: StorageDtype, seed: number): CheckResult[] {
  const s = largeLogitShape;
  const inputs = randomAttentionInputs(dtype, s, seed + 977, { queryScale: largeLogitQueryScale });
  const lists = randomIndexLists(s, 37, seed + 983, true);
  const label = (r: CheckResult): CheckResult => ({ ...r, shape: `${r.shape} large logits` });
  return [
    checkScores(backend, inputs),
    checkDecode(backend, inputs),
    checkSparse(backend, inputs, lists),
    checkDroppedMass(backend, inputs, lists),
    checkTopKPipeline(backend, inputs, 16),
    checkSparseAllEqualsDense(backend, inputs, allIndexLists(s)),
  ].map(label);
}

export function runKernelChecks(
  backend: KernelBackend,
  dtype: StorageDtype,
  options: HarnessOptions = {},
): CheckResult[] {
  const maxTokens = options.maxTokens ?? defaultMaxTokens;
  const seed = options.seed ?? 1;
  const results: CheckResult[] = [];
  const record = (r: CheckResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  uniqueShapes(attentionShapes, maxTokens).forEach((s, n) => {
    const inputs = randomAttentionInputs(dtype, s, seed + 101 * n);
    const selected = Math.max(1, Math.floor(s.tokens / 8));
    const lists = randomIndexLists(s, selected, seed + 7 * n, true);
    if (s.headDim * s.tokens <= 1 << 20) record(checkScores(backend, inputs));
    record(checkDecode(backend, inputs));
    record(checkSparse(backend, inputs, lists));
    if (s.tokens >= 1000 && s.tokens <= 1 << 16) {
      // Lists longer than one summation block (256) made of 16-token pages: the two-stream walk.
      const paged = pagedIndexLists(s, 16, Math.min(Math.floor(s.tokens / 32), 64), seed + 13 * n);
      record({ ...checkSparse(backend, inputs, paged), shape: `${shapeLabel(s, ` k${paged.selected}`)} pages of 16` });
    }
    record(checkDroppedMass(backend, inputs, lists));
    record(checkTopKPipeline(backend, inputs, Math.min(s.tokens, 64)));
    if (s.tokens <= 1 << 16) record(checkSparseAllEqualsDense(backend, inputs, allIndexLists(s)));
    if (s.tokens >= 16 && s.tokens <= 1 << 14) {
      const pageSize = s.tokens >= 1000 ? 64 : 4;
      for (const kind of ['minmax', 'ball', 'min'] as const)
        record(checkCertified(backend, inputs, lists, pageSize, kind));
    }
    if (s.queryHeads > 1 && selected > 1 && s.tokens <= 1 << 14) {
      // Replace the last head's list by one token (the rest padding): its output becomes that
      // token's value row, which differs from the weighted mean it had before.
      const changed = { indices: lists.indices.slice(), selected };
      const row = s.queryHeads - 1;
      changed.indices.fill(-1, row * selected, (row + 1) * selected);
      changed.indices[row * selected] = s.tokens - 1;
      record(checkHeadIsolation(backend, inputs, lists, row, changed));
    }
  });
  if (dtype === 'fp32') {
    // Top-k takes fp32 scores whatever the storage dtype: run its exact checks once, with fp32.
    const topKCases: readonly [number, number, number][] = [
      [1, 1, 1],
      [1, 2, 0],
      [1, 2, 2],
      [3, 1000, 64],
      [1, 1000, 1000],
      [1, 1 << 20, 2048],
      [1, 1 << 20, 1],
    ];
    for (const [rows, columns, k] of topKCases) {
      const n = Math.min(columns, maxTokens);
      record(checkTopKExact(backend, tiedScores(rows, n, seed + n), rows, n, Math.min(k, n), ' (ties)'));
    }
  }
  extremeCertifiedInputs(dtype, seed).forEach(({ label, inputs }, n) => {
    const lists = randomIndexLists(inputs.shape, 3, seed + 13 * n, true);
    for (const kind of ['minmax', 'ball', 'min'] as const) {
      for (const pageSize of [2, 3]) record(checkCertifiedExact(backend, inputs, lists, pageSize, kind, label));
    }
  });
  for (const check of largeLogitChecks(backend, dtype, seed)) record(check);
  record(checkNonFinite(backend, nonFiniteInputs(dtype, seed)));
  return results;
}
