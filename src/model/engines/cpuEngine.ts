/**
 * The CPU engine: fp32 arithmetic, weights widened to fp32 once (exact), projections through the
 * native `linear` kernel and attention through the CPU backend's decode kernels over a KV cache in
 * the model's dtype. Correct and reasonable for small models; the fast engine is CUDA's.
 */
import { loadNativeAddon } from '../../backends/nativeAddon.js';
import { requireBackend } from '../../backends/registry.js';
import type { WeightSource } from '../weightSource.js';
import { cpuFloat32Kernels } from '../numerics/cpuFloat32Kernels.js';
import { Float32Numerics, type Float32Kernels } from '../numerics/float32Numerics.js';
import { naiveFloat32Kernels } from '../numerics/naiveFloat32Kernels.js';
import { cachedWeights } from './cachedWeights.js';
import { engineSize, NumericsEngine, type EngineSize } from './numericsEngine.js';

function float32Engine(
  checkpoint: WeightSource,
  size: EngineSize,
  kernels: Float32Kernels,
  backend: 'cpu' | 'reference',
): NumericsEngine {
  const { batch, capacity } = engineSize(checkpoint.config, size);
  const weights = cachedWeights((name) => checkpoint.readFloat32(name));
  return new NumericsEngine(
    backend,
    new Float32Numerics(checkpoint.config, weights, kernels, batch, capacity),
    batch,
    capacity,
  );
}

export function createCpuEngine(checkpoint: WeightSource, size: EngineSize = {}): NumericsEngine {
  const load = loadNativeAddon('native', 'prhs_native.node', 'PRHS_NATIVE_ADDON');
  if (!load.ok) throw new Error(`the CPU engine needs the native addon: ${load.reason}`);
  return float32Engine(checkpoint, size, cpuFloat32Kernels(load.addon, requireBackend('cpu')), 'cpu');
}

/** The naive fp32 implementation the engines are measured against (same precision model, textbook loops). */
export function createNaiveFloat32Engine(checkpoint: WeightSource, size: EngineSize = {}): NumericsEngine {
  return float32Engine(checkpoint, size, naiveFloat32Kernels, 'reference');
}
