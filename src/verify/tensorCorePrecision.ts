/**
 * The precision model of the tensor-core dense decode (native/cuda/groupDecodeMma.cu), derived in
 * theory/kernel-error.md ("Tensor-core dense decode"). Q·Kᵀ and P̃·V run on mma.sync m16n8k16 with
 * fp16/bf16 inputs and fp32 accumulators; P is rounded to the input type first. The accumulation
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
/** List positions per block of the kernel (kChunk): one softmax, then the split-KV merge. */
const chunkPositions = 128;
/** The numerator inside a chunk: 2 k16 steps per warp (32 positions), then 3 warp-order additions. */
const numeratorDepthInChunk = 2 * roundingsPerK16 + 3;

/** Roundings of one logit: ⌈d/16⌉ k16 steps, the scale's rounding, the multiply. */
export function tensorCoreLogitDepth(headDim: number): number {
  return roundingsPerK16 * Math.ceil(headDim / 16) + 2;
}

/**
 * Roundings of one term of the numerator or denominator over n positions: at most 43 inside its
 * chunk (the denominator: 13), then ⌈c/4⌉ + 2 ≤ c in the merge of c = ⌈n/128⌉ chunks. The max with
 * min(n, 128) also covers the ordered kernels (group, chunk), which run the shapes the tensor-core
 * kernel does not take while it is selected.
 */
export function tensorCoreSumDepth(n: number): number {
  return Math.max(numeratorDepthInChunk, Math.min(n, chunkPositions)) + Math.ceil(n / chunkPositions);
}

/** Smallest normal of each P dtype whose range ends above fp32's. */
const smallestNormalAboveFp32: Partial<Record<StorageDtype, number>> = { fp16: 2 ** -14 };

/**
 * The model for dense decodeAttention on `dtype` storage, from the ordered kernels' precision (its
 * exp error: the same expf per weight and merge factor). fp32 storage never reaches the tensor-core
 * kernel: P is then not rounded.
 */
export function tensorCoreDecodePrecision(ordered: BackendPrecision, dtype: StorageDtype): BackendPrecision {
  const rounded = dtype !== 'fp32';
  const smallestNormal = rounded ? smallestNormalAboveFp32[dtype] : undefined;
  return {
    unitRoundoff: tensorCoreUnit,
    expError: ordered.expError,
    probabilityRoundoff: rounded ? unitRoundoff(dtype) : 0,
    outputRoundoff: 0,
    sumDepth: tensorCoreSumDepth,
    logitDepth: tensorCoreLogitDepth,
    ...(smallestNormal === undefined ? {} : { probabilitySmallestNormal: smallestNormal }),
  };
}
