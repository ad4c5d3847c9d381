/** One engine by backend name, over a loaded checkpoint (or any weight source). */
import type { BackendName } from '../../backends/kernelBackend.js';
import type { DecodeEngine } from '../engine.js';
import type { Checkpoint } from '../checkpoint.js';
import type { WeightSource } from '../weightSource.js';
import { createCudaEngine, type CudaEngine } from './cudaEngine.js';
import { createCpuEngine } from './cpuEngine.js';
import type { EngineSize, NumericsEngine } from './numericsEngine.js';
import { createReferenceEngine } from './referenceEngine.js';

/** The engines whose selection runs through a TypeScript SelectionPolicy. */
export function createPolicyEngine(
  backend: 'reference' | 'cpu',
  source: WeightSource,
  size: EngineSize,
): NumericsEngine {
  return backend === 'reference' ? createReferenceEngine(source, size) : createCpuEngine(source, size);
}

/**
 * The engine of a backend; `cuda` needs the CUDA addon and a GPU (an error says which is missing).
 * Typed by backend, so a literal backend gives its engine's selection API (`setSelectionPolicy` on
 * `reference` and `cpu`, `setSelection` and `setCheck` on `cuda`).
 */
export function createEngine(backend: 'reference' | 'cpu', source: Checkpoint, size: EngineSize): NumericsEngine;
export function createEngine(backend: 'cuda', source: Checkpoint, size: EngineSize): CudaEngine;
export function createEngine(backend: BackendName, source: Checkpoint, size: EngineSize): DecodeEngine;
export function createEngine(backend: BackendName, source: Checkpoint, size: EngineSize): DecodeEngine {
  return backend === 'cuda' ? createCudaEngine(source, size) : createPolicyEngine(backend, source, size);
}
