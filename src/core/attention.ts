/**
 * Dense attention in float64: one head against a KV cache, multi-head decode with grouped-query
 * attention (GQA), and a causal prefill block.
 */
import { InvalidArgumentError } from './errors.js';
import { checkMatrix, checkMatrixShape, checkTensor, finiteResult, type Matrix, type Tensor } from './matrix.js';
import { softmaxUnchecked } from './softmax.js';
import { finiteVector, numberInRange } from './validate.js';

/**
 * The default attention scale 1/√d. With d = 0 it does not exist (1/√0 = ∞, and ∞·0 logits are
 * NaN), so a head dimension of 0 needs an explicit scale: refused here, naming `scale`, rather
 * than reported later as an overflow of the logits.
 */
export function defaultScale(headDim: number): number {
  if (headDim === 0)
    throw new InvalidArgumentError(
      'scale',
      'an explicit scale when the head dimension is 0 (the default 1/√d needs d ≥ 1)',
      'none',
      'domain',
    );
  return 1 / Math.sqrt(headDim);
}

function checkScale(scale: number | undefined, headDim: number): number {
  if (scale === undefined) return defaultScale(headDim);
  return numberInRange('scale', scale, -Number.MAX_VALUE, Number.MAX_VALUE);
}

/** z_i = scale · q·k_i for every key row of K. */
export function attentionLogits(q: ArrayLike<number>, K: Matrix, scale?: number): Float64Array {
  const keys = checkMatrixShape('K', K);
  const query = finiteVector('q', q, { length: keys.columns, allowEmpty: keys.columns === 0 });
  return finiteResult(
    logitsUnchecked(query, 0, keys.data, 0, keys.rows, keys.columns, checkScale(scale, keys.columns)),
    'logits',
    [['K', keys]],
  );
}

/** @internal z_i = scale · q·k_i over `rows` keys of width d, starting at the given offsets. */
export function logitsUnchecked(
  q: Float64Array,
  qOffset: number,
  K: Float64Array,
  kOffset: number,
  rows: number,
  d: number,
  scale: number,
  out = new Float64Array(rows),
): Float64Array {
  // Four partial sums break the dependency chain of one accumulator (about 2× faster in V8); the
  // summation order is fixed, so results are deterministic and identical across callers.
  const d4 = d - (d % 4);
  for (let i = 0; i < rows; i++) {
    const base = kOffset + i * d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let c = 0;
    for (; c < d4; c += 4) {
      s0 += q[qOffset + c]! * K[base + c]!;
      s1 += q[qOffset + c + 1]! * K[base + c + 1]!;
      s2 += q[qOffset + c + 2]! * K[base + c + 2]!;
      s3 += q[qOffset + c + 3]! * K[base + c + 3]!;
    }
    for (; c < d; c++) s0 += q[qOffset + c]! * K[base + c]!;
    out[i] = scale * (s0 + s1 + (s2 + s3));
  }
  return out;
}

/** @internal out = Σ_i weights_i · v_i over `rows` value rows of width dv. */
export function weightedSumUnchecked(
  weights: ArrayLike<number>,
  V: Float64Array,
  vOffset: number,
  rows: number,
  dv: number,
  out = new Float64Array(dv),
  outOffset = 0,
): Float64Array {
  for (let c = 0; c < dv; c++) out[outOffset + c] = 0;
  for (let i = 0; i < rows; i++) {
    const w = weights[i]!;
    if (w === 0) continue;
    const base = vOffset + i * dv;
    for (let c = 0; c < dv; c++) out[outOffset + c]! += w * V[base + c]!;
  }
  return out;
}

/** One head, one query: logits, attention weights A = softmax(z) and the output o = Σ A_i v_i. */
export interface HeadAttention {
  readonly logits: Float64Array;
  readonly attention: Float64Array;
  readonly output: Float64Array;
}

/** Dense attention of one query against N keys and values (one head). */
export function singleHeadAttention(q: ArrayLike<number>, K: Matrix, V: Matrix, scale?: number): HeadAttention {
  const keys = checkMatrixShape('K', K);
  const values = checkMatrixShape('V', V, { rows: keys.rows });
  if (keys.rows === 0) throw new InvalidArgumentError('K', 'at least one key', 'no keys', 'shape');
  const query = finiteVector('q', q, { length: keys.columns });
  const logits = finiteResult(
    logitsUnchecked(query, 0, keys.data, 0, keys.rows, keys.columns, checkScale(scale, keys.columns)),
    'logits',
    [['K', keys]],
  );
  const attention = softmaxUnchecked(logits);
  // The weighted sum skips a weight of exactly 0 (underflow), so a non-finite value there would not
  // reach the output and the deferred check: scan V in that case.
  if (attention.includes(0)) checkMatrix('V', values);
  const output = finiteResult(weightedSumUnchecked(attention, values.data, 0, values.rows, values.columns), 'output', [
    ['V', values],
  ]);
  return { logits, attention, output };
}

interface HeadLayout {
  queryHeads: number;
  kvHeads: number;
  tokens: number;
  headDim: number;
  valueDim: number;
}

function checkCache(keys: unknown, values: unknown, queryHeads: number, headDim: number): HeadLayout {
  const K = checkTensor('keys', keys, [-1, -1, headDim]);
  const [kvHeads, tokens] = K.shape as [number, number, number];
  const V = checkTensor('values', values, [kvHeads, tokens, -1]);
  if (kvHeads === 0 || queryHeads % kvHeads !== 0) {
    throw new InvalidArgumentError(
      'keys.shape[0]',
      `a number of KV heads dividing the ${queryHeads} query heads (GQA)`,
      String(kvHeads),
      'shape',
    );
  }
  if (tokens === 0) throw new InvalidArgumentError('keys.shape[1]', 'at least one cached token', '0', 'shape');
  return { queryHeads, kvHeads, tokens, headDim, valueDim: V.shape[2]! };
}

/**
 * One decode step of multi-head attention with GQA.
 * query: [Hq, d]; keys: [Hkv, N, d]; values: [Hkv, N, dv]; Hq a multiple of Hkv.
 * Query head h reads KV head ⌊h / (Hq/Hkv)⌋. Returns [Hq, dv].
 */
export function decodeAttention(input: { query: Tensor; keys: Tensor; values: Tensor; scale?: number }): Tensor {
  const query = checkTensor('query', input.query, [-1, -1]);
  const [queryHeads, headDim] = query.shape as [number, number];
  const layout = checkCache(input.keys, input.values, queryHeads, headDim);
  const scale = checkScale(input.scale, headDim);
  const out = attendBlock(query.data, 1, layout, input.keys.data, input.values.data, scale, () => layout.tokens);
  return { data: out, shape: [queryHeads, layout.valueDim] };
}

/**
 * A causal prefill block: T new queries at positions N−T … N−1 of an N-token cache that already
 * holds their own keys. Query t attends to keys 0 … N−T+t.
 * queries: [T, Hq, d]; keys: [Hkv, N, d]; values: [Hkv, N, dv]. Returns [T, Hq, dv].
 */
export function prefillAttention(input: { queries: Tensor; keys: Tensor; values: Tensor; scale?: number }): Tensor {
  const queries = checkTensor('queries', input.queries, [-1, -1, -1]);
  const [steps, queryHeads, headDim] = queries.shape as [number, number, number];
  const layout = checkCache(input.keys, input.values, queryHeads, headDim);
  if (steps > layout.tokens)
    throw new InvalidArgumentError(
      'queries.shape[0]',
      `at most the ${layout.tokens} cached tokens`,
      String(steps),
      'shape',
    );
  const scale = checkScale(input.scale, headDim);
  const out = attendBlock(
    queries.data,
    steps,
    layout,
    input.keys.data,
    input.values.data,
    scale,
    (t) => layout.tokens - steps + t + 1,
  );
  return { data: out, shape: [steps, queryHeads, layout.valueDim] };
}

function attendBlock(
  queries: Float64Array,
  steps: number,
  layout: HeadLayout,
  K: Float64Array,
  V: Float64Array,
  scale: number,
  visible: (step: number) => number,
): Float64Array {
  const { queryHeads, kvHeads, tokens, headDim, valueDim } = layout;
  const group = queryHeads / kvHeads;
  const out = new Float64Array(steps * queryHeads * valueDim);
  const logits = new Float64Array(tokens);
  for (let t = 0; t < steps; t++) {
    const count = visible(t);
    for (let h = 0; h < queryHeads; h++) {
      const kv = Math.floor(h / group);
      const z = logitsUnchecked(
        queries,
        (t * queryHeads + h) * headDim,
        K,
        kv * tokens * headDim,
        count,
        headDim,
        scale,
        logits.subarray(0, count),
      );
      const weights = softmaxUnchecked(z);
      weightedSumUnchecked(weights, V, kv * tokens * valueDim, count, valueDim, out, (t * queryHeads + h) * valueDim);
    }
  }
  return out;
}
