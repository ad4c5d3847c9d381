/** The float64 reference engine: the model's specification, slow and exact-weighted. */
import type { WeightSource } from '../weightSource.js';
import { Float64Numerics } from '../reference/float64Numerics.js';
import { engineSize, NumericsEngine, type EngineSize } from './numericsEngine.js';

export function createReferenceEngine(checkpoint: WeightSource, size: EngineSize = {}): NumericsEngine {
  const { batch, capacity } = engineSize(checkpoint.config, size);
  const cache = new Map<string, Float64Array>();
  const weights = {
    tensor(name: string): Float64Array {
      let t = cache.get(name);
      if (!t) cache.set(name, (t = checkpoint.readFloat64(name)));
      return t;
    },
  };
  return new NumericsEngine('reference', new Float64Numerics(checkpoint.config, weights, batch, capacity), batch, capacity);
}
