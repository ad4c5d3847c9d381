/**
 * What an engine reads a model from: its config and each tensor's exact values. A loaded
 * `Checkpoint` is one; `memoryWeightSource` builds one in memory (seeded random weights, for
 * properties and tests that need many small models quickly).
 */
import { encodeStorage, decodeStorage } from '../numeric/storage.js';
import { seededRandom } from '../traces/random.js';
import type { ModelConfig } from './config.js';
import { expectedTensors } from './tensorNames.js';

export interface WeightSource {
  readonly config: ModelConfig;
  /** Exact values of one tensor, row-major in its HF shape. */
  readFloat64(name: string): Float64Array;
  readFloat32(name: string): Float32Array;
}

export interface MemoryWeightOptions {
  readonly seed: number;
  /** Standard deviation of projection and embedding weights (norm weights are 1 + N(0, std²)). */
  readonly std: number;
}

/** Seeded random weights for every expected tensor, rounded to the config's dtype. */
export function memoryWeightSource(config: ModelConfig, options: MemoryWeightOptions): WeightSource {
  const random = seededRandom(options.seed);
  const tensors = new Map<string, Float64Array>();
  for (const [name, shape] of expectedTensors(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const isNorm = name.endsWith('layernorm.weight') || name === 'model.norm.weight';
    const values = new Float64Array(size).map(() => (isNorm ? 1 : 0) + options.std * random.normal());
    tensors.set(name, decodeStorage(config.dtype, encodeStorage(config.dtype, values)));
  }
  return fromTensors(config, tensors);
}

/** A weight source over tensors already in memory (exact float64 values). */
export function fromTensors(config: ModelConfig, tensors: ReadonlyMap<string, Float64Array>): WeightSource {
  const get = (name: string): Float64Array => {
    const t = tensors.get(name);
    if (!t) throw new Error(`no tensor named ${name}`);
    return t;
  };
  return { config, readFloat64: (name) => get(name).slice(), readFloat32: (name) => Float32Array.from(get(name)) };
}
