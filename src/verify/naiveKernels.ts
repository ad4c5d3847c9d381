/**
 * Naive same-precision implementations (the FlashAttention rule's baseline): the textbook
 * algorithm in fp32 with every operation rounded by Math.fround, sequential sums, no blocking.
 * A kernel's error must stay within twice this implementation's error.
 */
import type { IndexLists } from '../backends/kernelBackend.js';
import { headOffsets, rowIndices, type DecodedInputs } from '../backends/reference/float64Kernels.js';
import { roundTo, type StorageDtype } from '../numeric/storage.js';

const f = Math.fround;

function naiveLogit(x: DecodedInputs, row: number, cache: number, token: number): number {
  const d = x.shape.headDim;
  let dot = 0;
  for (let c = 0; c < d; c++)
    dot = f(dot + f(x.query[row * d + c]! * x.keys[(cache * x.shape.tokens + token) * d + c]!));
  return f(f(x.scale) * dot);
}

export function naiveScores(x: DecodedInputs): Float64Array {
  const s = x.shape;
  const out = new Float64Array(s.batch * s.queryHeads * s.tokens);
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.queryHeads; h++) {
      const { row, cache } = headOffsets(s, b, h);
      for (let i = 0; i < s.tokens; i++) out[row * s.tokens + i] = naiveLogit(x, row, cache, i);
    }
  }
  return out;
}

/** The naive kernel's softmax numerators over one head's list: p_j = fl(exp(fl(z_j − max))) rounded to `probability`, and Σ p̃_j in fp32. */
export interface NaiveWeights {
  readonly p: Float32Array;
  readonly sum: number;
}

/** From the naive logits of one head's list (in list order). */
export function naiveWeights(logits: ArrayLike<number>, probability: StorageDtype): NaiveWeights {
  let max = -Infinity;
  for (let j = 0; j < logits.length; j++) if (logits[j]! > max) max = logits[j]!;
  let sum = 0;
  const p = new Float32Array(logits.length);
  for (let j = 0; j < logits.length; j++) {
    const z = f(Math.exp(f(logits[j]! - max)));
    sum = f(sum + z);
    p[j] = roundTo(probability, z);
  }
  return { p, sum };
}

/** Softmax-weighted average over `tokens` in fp32; P optionally rounded to `probability` before P·V. */
function naiveAverage(
  x: DecodedInputs,
  row: number,
  cache: number,
  tokens: ArrayLike<number>,
  out: Float64Array,
  probability: StorageDtype,
): void {
  const s = x.shape;
  const logits = new Float64Array(tokens.length);
  for (let j = 0; j < tokens.length; j++) logits[j] = naiveLogit(x, row, cache, tokens[j]!);
  const { p, sum } = naiveWeights(logits, probability);
  // Token-major (each column still accumulates in token order): V rows are read contiguously.
  const acc = new Float64Array(s.valueDim);
  for (let j = 0; j < tokens.length; j++) {
    const pj = p[j]!;
    if (pj === 0) continue;
    const base = (cache * s.tokens + tokens[j]!) * s.valueDim;
    for (let c = 0; c < s.valueDim; c++) acc[c] = f(acc[c]! + f(pj * x.values[base + c]!));
  }
  for (let c = 0; c < s.valueDim; c++) out[row * s.valueDim + c] = f(acc[c]! / sum);
}

export function naiveDecode(x: DecodedInputs, probability: StorageDtype = 'fp32'): Float64Array {
  const s = x.shape;
  const out = new Float64Array(s.batch * s.queryHeads * s.valueDim);
  const all = Int32Array.from({ length: s.tokens }, (_, i) => i);
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.queryHeads; h++) {
      const { row, cache } = headOffsets(s, b, h);
      naiveAverage(x, row, cache, all, out, probability);
    }
  }
  return out;
}

export function naiveSparse(x: DecodedInputs, lists: IndexLists, probability: StorageDtype = 'fp32'): Float64Array {
  const s = x.shape;
  const out = new Float64Array(s.batch * s.queryHeads * s.valueDim);
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.queryHeads; h++) {
      const { row, cache } = headOffsets(s, b, h);
      naiveAverage(x, row, cache, rowIndices(lists, row), out, probability);
    }
  }
  return out;
}

export function naiveDroppedMass(x: DecodedInputs, lists: IndexLists): Float64Array {
  const s = x.shape;
  const out = new Float64Array(s.batch * s.queryHeads);
  const mask = new Uint8Array(s.tokens);
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.queryHeads; h++) {
      const { row, cache } = headOffsets(s, b, h);
      mask.fill(0);
      for (const i of rowIndices(lists, row)) mask[i] = 1;
      const z = new Float64Array(s.tokens);
      let max = -Infinity;
      for (let i = 0; i < s.tokens; i++) {
        z[i] = naiveLogit(x, row, cache, i);
        if (z[i]! > max) max = z[i]!;
      }
      let total = 0;
      let dropped = 0;
      for (let i = 0; i < s.tokens; i++) {
        const e = f(Math.exp(f(z[i]! - max)));
        total = f(total + e);
        if (!mask[i]) dropped = f(dropped + e);
      }
      out[row] = f(dropped / total);
    }
  }
  return out;
}
