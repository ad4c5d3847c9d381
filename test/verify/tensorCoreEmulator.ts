/**
 * Test helper: a float64 emulation of the tensor-core dense decode's arithmetic
 * (native/cuda/groupDecodeMma.cu, theory/kernel-error.md "Tensor-core dense decode"): exact
 * products; blocks of 4 products added to the accumulator after aligning to the largest exponent
 * with truncation below 24 bits, the sum truncated to 24 bits; chunks of 128 positions (4 warps ×
 * 32); P rounded once to the storage dtype, or split into hi + lo (hi = round(p), lo = round(p − hi))
 * with the lo terms of each k16 step accumulated right after its hi terms; the fp32 merge.
 */
import type { AttentionInputs } from '../../src/backends/kernelBackend.js';
import { decodeInputs, type DecodedInputs } from '../../src/backends/reference/float64Kernels.js';
import { roundTo, type StorageDtype } from '../../src/numeric/storage.js';

const f = Math.fround;
const blockProducts = 4;
const chunk = 128;
const warpPositions = 32;
const k16 = 16;

function exponentOf(x: number): number {
  let e = Math.floor(Math.log2(Math.abs(x)));
  if (2 ** e > Math.abs(x)) e--;
  if (2 ** (e + 1) <= Math.abs(x)) e++;
  return e;
}

/** x truncated toward zero to the grid of 24 significant bits below exponent e. */
function truncateAt(x: number, e: number): number {
  const q = 2 ** (e - 23);
  return Math.trunc(x / q) * q;
}

/** c + Σ products as one block FMA: align to the largest exponent, truncate, add exactly, truncate. */
function blockFma(c: number, products: readonly number[]): number {
  const terms = [c, ...products];
  let emax = -Infinity;
  for (const t of terms) if (t !== 0) emax = Math.max(emax, exponentOf(t));
  if (emax === -Infinity) return 0;
  let sum = 0;
  for (const t of terms) sum += truncateAt(t, emax); // ≤ 5 terms on one grid: exact in float64
  return sum === 0 ? 0 : truncateAt(sum, exponentOf(sum));
}

/** acc + Σ_i a_i b_i in blocks of 4 products (the k16 steps of one accumulator chain). */
function mmaChain(acc: number, a: (i: number) => number, b: (i: number) => number, length: number): number {
  for (let i0 = 0; i0 < length; i0 += blockProducts) {
    const products: number[] = [];
    for (let i = i0; i < Math.min(length, i0 + blockProducts); i++) products.push(a(i) * b(i));
    acc = blockFma(acc, products);
  }
  return acc;
}

/** The weights of one chunk as the kernel forms them: hi (and lo when split), each in the storage dtype. */
interface ChunkWeights {
  readonly hi: Float64Array;
  readonly lo: Float64Array | null;
}

function chunkWeights(z: Float64Array, m: number, dtype: StorageDtype, split: boolean): ChunkWeights {
  const p = z.map((v) => f(Math.exp(f(v - m))));
  const hi = p.map((v) => roundTo(dtype, v));
  return { hi, lo: split ? p.map((v, j) => roundTo(dtype, f(v - hi[j]!))) : null };
}

/** One query head's dense output, as groupDecodeMma.cu computes it (chunks, then the merge). */
function emulatedHead(x: DecodedInputs, options: EmulationOptions, row: number, cache: number): Float64Array {
  const { tokens, headDim: d, valueDim: dv } = x.shape;
  const scale = f(x.scale);
  const partials: { m: number; S: number; n: Float64Array }[] = [];
  for (let start = 0; start < tokens; start += chunk) {
    const len = Math.min(chunk, tokens - start);
    const z = new Float64Array(len);
    for (let j = 0; j < len; j++) {
      const k = (cache * tokens + start + j) * d;
      z[j] = f(
        scale *
          mmaChain(
            0,
            (i) => x.query[row * d + i]!,
            (i) => x.keys[k + i]!,
            d,
          ),
      );
    }
    let m = -Infinity;
    for (const v of z) m = Math.max(m, v);
    const { hi, lo } = chunkWeights(z, m, options.dtype, options.split);
    let S = 0;
    for (let j = 0; j < len; j++) S = lo ? f(f(S + hi[j]!) + lo[j]!) : f(S + hi[j]!);
    const n = new Float64Array(dv);
    for (let c = 0; c < dv; c++) {
      let total = 0;
      for (let w0 = 0; w0 < len; w0 += warpPositions) {
        let acc = 0;
        for (let s0 = w0; s0 < Math.min(len, w0 + warpPositions); s0 += k16) {
          const steps = Math.min(k16, len - s0);
          const v = (i: number) => x.values[(cache * tokens + start + s0 + i) * dv + c]!;
          acc = mmaChain(acc, (i) => hi[s0 + i]!, v, steps);
          if (lo) acc = mmaChain(acc, (i) => lo[s0 + i]!, v, steps);
        }
        total = f(total + acc);
      }
      n[c] = total;
    }
    partials.push({ m, S, n });
  }
  let M = -Infinity;
  for (const q of partials) M = Math.max(M, q.m);
  let S = 0;
  const n = new Float64Array(dv);
  for (const q of partials) {
    const factor = q.m === M ? 1 : f(Math.exp(f(q.m - M)));
    S = f(S + factor * q.S);
    for (let c = 0; c < dv; c++) n[c] = f(n[c]! + factor * q.n[c]!);
  }
  return n.map((v) => f(v / S));
}

export interface EmulationOptions {
  readonly dtype: StorageDtype;
  /** P̃ = hi + lo (two MMAs) instead of one rounding of P. */
  readonly split: boolean;
}

/** Dense decodeAttention as the tensor-core kernel computes it (fp32 outputs). */
export function emulatedTensorCoreDecode(inputs: AttentionInputs, split: boolean): Float32Array {
  const x = decodeInputs(inputs);
  const s = inputs.shape;
  const out = new Float32Array(s.batch * s.queryHeads * s.valueDim);
  const group = s.queryHeads / s.kvHeads;
  const options = { dtype: inputs.dtype, split };
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.queryHeads; h++) {
      const row = b * s.queryHeads + h;
      out.set(emulatedHead(x, options, row, b * s.kvHeads + Math.floor(h / group)), row * s.valueDim);
    }
  }
  return out;
}
