/** One engine by backend name, over a loaded checkpoint (or any weight source). */
import type { BackendName } from '../../backends/kernelBackend.js';
import type { DecodeEngine } from '../engine.js';
import type { WeightSource } from '../weightSource.js';
import { createCpuEngine } from './cpuEngine.js';
import type { EngineSize, NumericsEngine } from './numericsEngine.js';
import { createReferenceEngine } from './referenceEngine.js';

/** The engines whose selection runs through a TypeScript SelectionPolicy. */
export function createPolicyEngine(backend: 'reference' | 'cpu', source: WeightSource, size: EngineSize): NumericsEngine {
  return backend === 'reference' ? createReferenceEngine(source, size) : createCpuEngine(source, size);
}

export async function createEngine(backend: BackendName, source: WeightSource, size: EngineSize): Promise<DecodeEngine> {
  if (backend !== 'cuda') return createPolicyEngine(backend, source, size);
  throw new Error('the CUDA model engine is not part of this build');
}
