/**
 * The tensor-core decode's bound against an emulation of the arithmetic it assumes
 * (theory/kernel-error.md, "Tensor-core dense decode"): exact products, blocks of 4 products added
 * to the accumulator after aligning to the largest exponent with truncation below 24 bits, the sum
 * truncated to 24 bits; the kernel's chunks of 128 (4 warps × 32 positions), P rounded to the
 * storage dtype, the fp32 merge. The emulated outputs pass the tensor-core bound, and fail the
 * ordered kernels' bound (which does not charge P's rounding): the selection of the bound matters.
 */
import { describe, expect, it } from 'vitest';
import { cudaPrecision } from '../../src/backends/cudaBackend.js';
import type { AttentionInputs, KernelBackend } from '../../src/backends/kernelBackend.js';
import { decodeInputs, type DecodedInputs } from '../../src/backends/reference/float64Kernels.js';
import { referenceBackend } from '../../src/backends/reference/referenceBackend.js';
import { roundTo, type StorageDtype } from '../../src/numeric/storage.js';
import { checkDecode, checkSparseAllEqualsDense } from '../../src/verify/kernelChecks.js';
import { allIndexLists, randomAttentionInputs } from '../../src/verify/randomInputs.js';
import { tensorCoreDecodePrecision } from '../../src/verify/tensorCorePrecision.js';

const f = Math.fround;
const blockProducts = 4;
const chunk = 128;
const warpPositions = 32;

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

/** acc + Σ_i a_i b_i over k16 steps, each 16 / blockProducts block FMAs. */
function mmaChain(acc: number, a: (i: number) => number, b: (i: number) => number, length: number): number {
  for (let i0 = 0; i0 < length; i0 += blockProducts) {
    const products: number[] = [];
    for (let i = i0; i < Math.min(length, i0 + blockProducts); i++) products.push(a(i) * b(i));
    acc = blockFma(acc, products);
  }
  return acc;
}

/** One query head's dense output, as groupDecodeMma.cu computes it (chunks, then the merge). */
function emulatedHead(x: DecodedInputs, dtype: StorageDtype, row: number, cache: number): Float64Array {
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
    const p = z.map((v) => roundTo(dtype, f(Math.exp(f(v - m)))));
    let S = 0;
    for (const v of p) S = f(S + v);
    const n = new Float64Array(dv);
    for (let c = 0; c < dv; c++) {
      let total = 0;
      for (let w0 = 0; w0 < len; w0 += warpPositions) {
        const w = mmaChain(
          0,
          (i) => p[w0 + i]!,
          (i) => x.values[(cache * tokens + start + w0 + i) * dv + c]!,
          Math.min(warpPositions, len - w0),
        );
        total = f(total + w);
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

function emulatedDecode(inputs: AttentionInputs): Float32Array {
  const x = decodeInputs(inputs);
  const s = inputs.shape;
  const out = new Float32Array(s.batch * s.queryHeads * s.valueDim);
  const group = s.queryHeads / s.kvHeads;
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.queryHeads; h++) {
      const row = b * s.queryHeads + h;
      out.set(emulatedHead(x, inputs.dtype, row, b * s.kvHeads + Math.floor(h / group)), row * s.valueDim);
    }
  }
  return out;
}

const ordered = cudaPrecision(128);
const emulated = (declared: boolean): KernelBackend => ({
  ...referenceBackend,
  name: 'tensor-core emulation',
  decodeAttention: emulatedDecode,
  ...(declared ? { decodePrecision: (dtype: StorageDtype) => tensorCoreDecodePrecision(ordered, dtype) } : {}),
  precision: ordered,
});

const shapes = [
  { batch: 1, queryHeads: 8, kvHeads: 1, tokens: 300, headDim: 64, valueDim: 64 },
  { batch: 1, queryHeads: 2, kvHeads: 1, tokens: 1000, headDim: 128, valueDim: 128 },
];

describe('tensor-core decode bound against an emulation of its arithmetic', () => {
  it.each(['fp16', 'bf16'] as const)('%s: inside the tensor-core bound on every element', (dtype) => {
    for (const [n, shape] of shapes.entries()) {
      const result = checkDecode(emulated(true), randomAttentionInputs(dtype, shape, 11 + n));
      expect(result.verdicts.withinBound, `${dtype} ${result.shape}: error/bound ${result.ratio}`).toBe(true);
      expect(result.ratio).toBeGreaterThan(0);
    }
  });

  it('sparse over every token vs the tensor-core dense output: within both bounds, not bit for bit', () => {
    const inputs = randomAttentionInputs('fp16', shapes[0]!, 11);
    const all = allIndexLists(shapes[0]!);
    const result = checkSparseAllEqualsDense(emulated(true), inputs, all);
    expect(result.kernel).toBe('sparse(all)≈dense');
    expect(result.pass).toBe(true);
    // A dense output shifted by 1% of the largest |v| is outside the two bounds.
    const shifted: KernelBackend = {
      ...emulated(true),
      decodeAttention: (x) => emulatedDecode(x).map((v) => v + 0.01),
    };
    expect(checkSparseAllEqualsDense(shifted, inputs, all).pass).toBe(false);
  });

  it("bf16: outside the ordered kernels' bound, which does not charge P's rounding", () => {
    const result = checkDecode(emulated(false), randomAttentionInputs('bf16', shapes[0]!, 11));
    expect(result.verdicts.withinBound).toBe(false);
  });
});
