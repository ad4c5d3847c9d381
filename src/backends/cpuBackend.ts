/** The native CPU backend (native/, built by `npm install`): fp32 arithmetic, one thread. */
import type { BackendLoad, BackendPrecision } from './kernelBackend.js';
import { loadNativeAddon } from './nativeAddon.js';
import { createNativeBackend } from './nativeBackend.js';
import { unitRoundoff } from '../numeric/storage.js';

/** Sums run in blocks of `block` positions whose sums are then added (native/src/kernels.hpp). */
export function blockedSumDepth(block: number): (n: number) => number {
  return (n) => Math.min(n, block) + Math.ceil(n / block);
}

export function cpuPrecision(sumBlock: number): BackendPrecision {
  return {
    unitRoundoff: unitRoundoff('fp32'),
    // glibc's expf is correctly rounded in practice (≤ 0.502 ulp); we allow a full ulp (2u).
    expError: 2 * unitRoundoff('fp32'),
    probabilityRoundoff: 0,
    outputRoundoff: 0,
    sumDepth: blockedSumDepth(sumBlock),
  };
}

export function loadCpuBackend(): BackendLoad {
  const load = loadNativeAddon('native', 'prhs_native.node', 'PRHS_NATIVE_ADDON');
  if (!load.ok) return { loaded: false, name: 'cpu', reason: load.reason };
  const info = load.addon.info();
  const backend = createNativeBackend(
    'cpu',
    `native C++ kernels (${info.isa}, single thread)`,
    load.addon,
    cpuPrecision(info.sumBlock),
  );
  return { loaded: true, backend, detail: { path: load.path, isa: info.isa, sanitized: info.sanitized } };
}
