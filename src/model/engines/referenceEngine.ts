/** The float64 reference engine: the model's specification, slow and exact-weighted. */
import type { WeightSource } from '../weightSource.js';
import { Float64Numerics } from '../reference/float64Numerics.js';
import { cachedWeights } from './cachedWeights.js';
import { engineSize, NumericsEngine, type EngineSize } from './numericsEngine.js';

export function createReferenceEngine(checkpoint: WeightSource, size: EngineSize = {}): NumericsEngine {
  const { batch, capacity } = engineSize(checkpoint.config, size);
  const weights = cachedWeights((name) => checkpoint.readFloat64(name));
  return new NumericsEngine(
    'reference',
    new Float64Numerics(checkpoint.config, weights, batch, capacity),
    batch,
    capacity,
  );
}
