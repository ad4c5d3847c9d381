/**
 * The precision model of the tensor-core dense decode (native/cuda/groupDecodeMma.cu), derived in
 * theory/kernel-error.md ("Tensor-core dense decode"). Q·Kᵀ and P̃·V run on mma.sync m16n8k16 with
 * fp16/bf16 inputs and fp32 accumulators; P is rounded to the input type first (fp16), or split into
 * two bf16 terms hi + lo (bf16), each its own MMA into the same accumulator. The accumulation
 * model assumed (Fasi, Higham, Mikaitis, Pranesh, "Numerical behavior of NVIDIA tensor cores",
 * PeerJ Computer Science 7:e330, 2021): products exact; each block of b ≥ 4 products is added to the
 * accumulator by aligning every term to the largest exponent, truncating below fp32's 24-bit
 * significand, and normalising the sum by truncation. Each truncation is a relative error below
 * 2^-23, and a block moves every incoming term by at most a factor (1 + 2^-23)^(b + 1).
 */
import type { BackendPrecision } from '../backends/kernelBackend.js';
import { unitRoundoff, type StorageDtype } from '../numeric/storage.js';

/** Relative error of one truncating fp32 operation (and a bound on every round-to-nearest one). */
export const tensorCoreUnit = 2 ** -23;
/** Roundings one term of a k16 step can go through: 16/b blocks of (b + 1), b ≥ 4. */
export const roundingsPerK16 = 20;
/** List positions per block of the kernel (kSumBlock): one softmax, then the split-KV merge. */
const chunkPositions = 128;
/** k16 steps of one warp's 32 positions. */
const k16PerWarp = 2;
/** Storage dtypes whose P̃ the kernel splits into hi + lo (two MMAs per k16 step of positions). */
const splitDtypes: ReadonlySet<StorageDtype> = new Set(['bf16']);

/** Whether the kernel forms P̃ as hi + lo on this storage dtype (groupDecodeMma.cu's kSplitsWeights). */
export function splitsWeights(dtype: StorageDtype): boolean {
  return splitDtypes.has(dtype);
}

/**
 * The numerator inside a chunk: the warp's k16 steps (twice as many with the split: hi, then lo,
 * one accumulator chain), 20 roundings each, then 3 warp-order additions (43, or 83 split). The
 * denominator is shallower: 8 (16 split) sequential additions per thread, 2 xor levels, 3 in warp order.
 */
export function numeratorDepthInChunk(split: boolean): number {
  return (split ? 2 : 1) * k16PerWarp * roundingsPerK16 + 3;
}

/** Roundings of one logit: ⌈d/16⌉ k16 steps, the scale's rounding, the multiply. */
export function tensorCoreLogitDepth(headDim: number): number {
  return roundingsPerK16 * Math.ceil(headDim / 16) + 2;
}

/**
 * Roundings of one term of the numerator or denominator over n positions: at most
 * numeratorDepthInChunk inside its chunk, then ⌈c/4⌉ + 2 ≤ c in the merge of c = ⌈n/128⌉ chunks.
 * The max with min(n, 128) also covers the ordered kernels (group, chunk), which run the shapes the
 * tensor-core kernel does not take while it is selected.
 */
export function tensorCoreSumDepth(n: number, split = false): number {
  return Math.max(numeratorDepthInChunk(split), Math.min(n, chunkPositions)) + Math.ceil(n / chunkPositions);
}

/**
 * Relative error of P̃ against the fp32 weight p, and the weight below which it is charged as an
 * absolute error of that size instead (probabilitySmallestNormal). One rounding to fp16: 2^-11
 * above fp16's smallest normal 2^-14. The bf16 split hi + lo: |p − hi| ≤ 2^-8·p is exact in fp32,
 * and lo = bf16(p − hi) is off by at most 2^-8·|p − hi| ≤ 2^-16·p wherever p − hi is zero or a
 * normal number, which holds for p ≥ 2^-102 (p − hi is a multiple of p's fp32 ulp ≥ 2^-125); below
 * that, |hi + lo − p| ≤ |p − hi| ≤ p < 2^-102, whether the hardware keeps or flushes subnormals.
 */
const weightRounding: Partial<Record<StorageDtype, { relative: number; absoluteBelow?: number }>> = {
  fp16: { relative: unitRoundoff('fp16'), absoluteBelow: 2 ** -14 },
  bf16: { relative: unitRoundoff('bf16') ** 2, absoluteBelow: 2 ** -102 },
};

/**
 * The model for dense decodeAttention on `dtype` storage, from the ordered kernels' precision (its
 * exp error: the same expf per weight and merge factor). fp32 storage never reaches the tensor-core
 * kernel: P is then not rounded.
 */
export function tensorCoreDecodePrecision(ordered: BackendPrecision, dtype: StorageDtype): BackendPrecision {
  const rounding = weightRounding[dtype];
  const split = splitsWeights(dtype);
  return {
    unitRoundoff: tensorCoreUnit,
    expError: ordered.expError,
    probabilityRoundoff: rounding ? rounding.relative : 0,
    outputRoundoff: 0,
    sumDepth: (n) => tensorCoreSumDepth(n, split),
    logitDepth: tensorCoreLogitDepth,
    ...(rounding?.absoluteBelow === undefined ? {} : { probabilitySmallestNormal: rounding.absoluteBelow }),
  };
}
