/**
 * The CUDA backend: the CUDA addon (native/cuda, built by `npm install` where nvcc exists) from
 * build/cuda/Release/prhs_cuda.node, or the path in PRHS_CUDA_ADDON. It exports the same entry
 * points as the CPU addon, validated by the same binding code, plus `benchmark` (bench/cuda).
 *
 * Precision (theory/kernel-error.md, "CUDA kernels"): fp32 arithmetic with fused multiply-adds;
 * P stays fp32 before P·V; sums run in chunks of `sumBlock` (128) list positions whose results the
 * fused merge adds (four in-order quarters, then in warp order: at most ⌈n/128⌉ roundings, so the
 * CPU's blocked depth with B = sumBlock still bounds it). Each weight goes through two `expf` calls
 * (≤ 2 ulp each: in its chunk, then the chunk's merge factor e^{m_s − M}) and one more subtraction.
 */
import { blockedSumDepth } from './cpuBackend.js';
import type { BackendLoad, BackendPrecision } from './kernelBackend.js';
import { loadNativeAddon } from './nativeAddon.js';
import { createNativeBackend } from './nativeBackend.js';
import { type StorageDtype, unitRoundoff } from '../numeric/storage.js';
import { tensorCoreDecodePrecision } from '../verify/tensorCorePrecision.js';

const fp32Unit = unitRoundoff('fp32');
/** CUDA's expf: at most 2 ulp, a relative error ≤ 2^-22 (CUDA C Programming Guide, mathematical functions). */
const cudaExpError = 2 ** -22;
/** exp(−87.34) is the smallest normal fp32: the largest |m_s − M| whose merge factor is normal. */
const normalExpRange = 87.34;

export function cudaPrecision(sumBlock: number): BackendPrecision {
  return {
    unitRoundoff: fp32Unit,
    // Two expf calls per weight, plus the rounding of m_s − M (≤ u·87.34) inside the second.
    expError: 2 * cudaExpError + fp32Unit * normalExpRange,
    probabilityRoundoff: 0,
    outputRoundoff: 0,
    sumDepth: blockedSumDepth(sumBlock),
  };
}

/** What the CUDA addon's info() adds to the CPU addon's. */
export interface CudaDeviceInfo {
  readonly device?: string;
  readonly deviceError?: string;
  readonly computeCapability?: string;
  readonly driverVersion?: number;
  readonly runtimeVersion?: number;
  /** Summation of dense decodeAttention: "ordered" (chunk/group kernels) or "tensor-core" (PRHS_CUDA_DECODE=mma). */
  readonly decodeSummation?: string;
  readonly decodeSummationError?: string;
  /** Who merges the tensor-core decode's split-KV partials: "separate" (the default) or "fused" (PRHS_CUDA_MMA_MERGE; the same bits). */
  readonly mmaMerge?: string;
  readonly mmaMergeError?: string;
}

export function loadCudaBackend(): BackendLoad {
  const load = loadNativeAddon('cuda', 'prhs_cuda.node', 'PRHS_CUDA_ADDON');
  if (!load.ok) return { loaded: false, name: 'cuda', reason: `CUDA kernels are not built: ${load.reason}` };
  const info = load.addon.info() as ReturnType<typeof load.addon.info> & CudaDeviceInfo;
  if (info.device === undefined || info.device === '') {
    return {
      loaded: false,
      name: 'cuda',
      reason: `the CUDA addon loaded but reports no GPU device${info.deviceError ? ` (${info.deviceError})` : ''}`,
    };
  }
  const summation = info.decodeSummation ?? 'ordered';
  if (summation !== 'ordered' && summation !== 'tensor-core') {
    return {
      loaded: false,
      name: 'cuda',
      reason: `the CUDA addon reports no usable dense decode kernel: ${info.decodeSummationError ?? JSON.stringify(summation)}`,
    };
  }
  const ordered = cudaPrecision(info.sumBlock);
  const native = createNativeBackend('cuda', `CUDA kernels on ${info.device}`, load.addon, ordered);
  // The tensor-core dense decode (PRHS_CUDA_DECODE=mma) sums in another order and rounds P: its own bound.
  const backend =
    summation === 'tensor-core'
      ? { ...native, decodePrecision: (dtype: StorageDtype) => tensorCoreDecodePrecision(ordered, dtype) }
      : native;
  return {
    loaded: true,
    backend,
    detail: {
      path: load.path,
      device: info.device,
      computeCapability: info.computeCapability,
      driverVersion: info.driverVersion,
      runtimeVersion: info.runtimeVersion,
    },
  };
}
