/**
 * Seeded random checkpoints, so speed runs and cross-checks need no download. Linear weights,
 * embeddings and biases are drawn from N(0, std²) (std 0.02 by default, transformers'
 * initializer_range); RMSNorm weights are 1. Each value is one of 65536 normal quantiles
 * Φ⁻¹((i + ½)/65536)·std, encoded once in the config's dtype and indexed by 16 random bits, so a
 * 7B model costs a table lookup per weight (a discrete normal, truncated at ±4.3 std; nothing
 * here depends on the tails). Every tensor has its own stream, seeded from the seed and the
 * tensor's name: same seed, same bytes, whatever the sharding.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { encodeStorage } from '../numeric/storage.js';
import { seededRandom } from '../traces/random.js';
import type { ModelConfig, WeightDtype } from './config.js';
import { writeCheckpoint, type WriteProgress, type WrittenCheckpoint } from './checkpointWriter.js';
import { normalQuantile } from './normalQuantile.js';
import { littleEndianWords } from './weightDecoding.js';
import { elementCount, expectedTensors, isNormWeight } from './tensorNames.js';

export interface RandomCheckpointOptions {
  readonly directory: string;
  readonly config: ModelConfig;
  /** An integer in [0, 2^32). */
  readonly seed: number;
  /** Standard deviation of the random weights; default 0.02. */
  readonly std?: number;
  readonly onProgress?: (progress: WriteProgress) => void;
  readonly maxShardBytes?: number;
  readonly overwrite?: boolean;
}

export const defaultInitializerStd = 0.02;
const tableSize = 65536;
const chunkElements = 1 << 20;

/** The 65536 quantiles times std, as the dtype's bit patterns (fp32 as 32-bit words). */
export function quantileTable(dtype: WeightDtype, std: number): Uint16Array | Uint32Array {
  const values = Float64Array.from({ length: tableSize }, (_, i) => std * normalQuantile((i + 0.5) / tableSize));
  const encoded = encodeStorage(dtype, values);
  return littleEndianWords(encoded instanceof Float32Array ? new Uint32Array(encoded.buffer) : encoded);
}

/** A 32-bit seed for one tensor: FNV-1a over its name, mixed with the checkpoint's seed. */
export function tensorSeed(seed: number, name: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) >>> 0;
}

/** Random tensor bytes in chunks (the chunk buffer is reused: each is written before the next is made). */
export function* randomChunks(table: Uint16Array | Uint32Array, elements: number, seed: number): Generator<Uint8Array> {
  const random = seededRandom(seed);
  const wide = table instanceof Uint32Array;
  const buffer = new ArrayBuffer(Math.min(elements, chunkElements) * (wide ? 4 : 2) + 4);
  const out = wide ? new Uint32Array(buffer) : new Uint16Array(buffer);
  for (let done = 0; done < elements; done += chunkElements) {
    const count = Math.min(chunkElements, elements - done);
    for (let i = 0; i < count; i += 2) {
      // Exact: uniform() is a 32-bit integer over 2^32.
      const bits = random.uniform() * 4294967296;
      out[i] = table[bits & 0xffff]!;
      out[i + 1] = table[bits >>> 16]!;
    }
    yield new Uint8Array(buffer, 0, count * out.BYTES_PER_ELEMENT);
  }
}

function* onesChunks(dtype: WeightDtype, elements: number): Generator<Uint8Array> {
  const one = encodeStorage(dtype, [1]);
  const values =
    dtype === 'fp32'
      ? new Uint32Array(new Float32Array(elements).fill(1).buffer)
      : new Uint16Array(elements).fill(one[0]!);
  yield new Uint8Array(littleEndianWords(values).buffer);
}

export function writeRandomCheckpoint(options: RandomCheckpointOptions): WrittenCheckpoint {
  const { config, seed } = options;
  const std = options.std ?? defaultInitializerStd;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw new InvalidArgumentError('seed', 'an integer in [0, 2^32)', String(seed), 'range');
  if (!Number.isFinite(std) || std <= 0)
    throw new InvalidArgumentError('std', 'a finite positive number', String(std), 'range');
  const shapes = expectedTensors(config);
  const table = quantileTable(config.dtype, std);
  return writeCheckpoint({
    directory: options.directory,
    config,
    tensors: [...shapes].map(([name, shape]) => ({ name, dtype: config.dtype, shape })),
    fill: (name) => {
      const elements = elementCount(shapes.get(name)!);
      return isNormWeight(name)
        ? onesChunks(config.dtype, elements)
        : randomChunks(table, elements, tensorSeed(seed, name));
    },
    onProgress: options.onProgress,
    maxShardBytes: options.maxShardBytes,
    overwrite: options.overwrite,
  });
}
