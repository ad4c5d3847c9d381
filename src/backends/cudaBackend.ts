/**
 * The CUDA backend's slot. The CUDA addon (a later issue) exports the same entry points as the CPU
 * addon from build/cuda/Release/prhs_cuda.node; until it exists this reports why it is absent.
 * Its precision differs only where the kernels do: P may be rounded to the storage dtype before
 * P·V (tensor cores), and sums follow the kernel's split-K tree.
 */
import { unitRoundoff, type StorageDtype } from '../numeric/storage.js';
import { blockedSumDepth } from './cpuBackend.js';
import type { BackendLoad, BackendPrecision } from './kernelBackend.js';
import { loadNativeAddon } from './nativeAddon.js';
import { createNativeBackend } from './nativeBackend.js';

export function cudaPrecision(sumBlock: number, probabilityDtype: StorageDtype): BackendPrecision {
  return {
    unitRoundoff: 2 ** -24,
    expError: 2 ** -21, // __expf-class intrinsics: a few ulps
    probabilityRoundoff: probabilityDtype === 'fp32' ? 0 : unitRoundoff(probabilityDtype),
    outputRoundoff: 0,
    sumDepth: blockedSumDepth(sumBlock),
  };
}

export function loadCudaBackend(): BackendLoad {
  const load = loadNativeAddon('cuda', 'prhs_cuda.node', 'PRHS_CUDA_ADDON');
  if (!load.ok) return { loaded: false, name: 'cuda', reason: `CUDA kernels are not built: ${load.reason}` };
  const info = load.addon.info();
  if (info.device === undefined || info.device === '') return { loaded: false, name: 'cuda', reason: 'the CUDA addon loaded but reports no GPU device' };
  const backend = createNativeBackend('cuda', `CUDA kernels on ${info.device}`, load.addon, cudaPrecision(info.sumBlock, 'fp16'));
  return { loaded: true, backend, detail: { path: load.path, device: info.device } };
}
