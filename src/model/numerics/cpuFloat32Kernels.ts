/** The native CPU kernels as the fp32 engine's heavy operations: the addon's `linear` and the CPU backend's attention. */
import type { AttentionInputs, IndexLists, KernelBackend } from '../../backends/kernelBackend.js';
import type { NativeAddon } from '../../backends/nativeAddon.js';
import type { Float32Kernels } from './float32Numerics.js';

export function cpuFloat32Kernels(addon: NativeAddon, backend: KernelBackend): Float32Kernels {
  const linear = addon.linear;
  if (typeof linear !== 'function')
    throw new Error('the CPU addon lacks `linear` (a stale build; run `npm run build:native`)');
  return {
    linear(weight: Float32Array, x: Float32Array, outputs: number): Float32Array {
      return linear.call(addon, { weight, input: x, rows: 1, inFeatures: x.length, outFeatures: outputs });
    },
    attention(inputs: AttentionInputs, lists: IndexLists | null): Float32Array {
      return lists === null ? backend.decodeAttention(inputs) : backend.sparseAttention(inputs, lists);
    },
  };
}
