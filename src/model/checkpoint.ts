/**
 * Loading a Hugging Face checkpoint folder (config.json plus model.safetensors, or a sharded
 * model.safetensors.index.json). Everything is validated before anything is returned: the
 * config, every header, every name and shape against the config, dtypes, offsets, overlaps,
 * truncation, the shards the index names and the index agreeing with the shard headers. Tensor
 * data is then read lazily by offset from kept file descriptors, so a 16 GB checkpoint costs
 * nothing until a tensor is asked for, and no file is ever read whole.
 */
import { join } from 'node:path';
import { InvalidArgumentError } from '../core/errors.js';
import { ModelConfigError, parseModelConfig, type ModelConfig, type WeightDtype } from './config.js';
import { CheckpointError } from './checkpointError.js';
import {
  checkFolder,
  checkpointLayout,
  configFileName,
  readJsonFile,
  type CheckpointLayout,
} from './checkpointLayout.js';
import {
  closeShard,
  openShard,
  readExactly,
  weightDtypeOfSafetensors,
  type SafetensorsShard,
} from './safetensorsShard.js';
import { expectedTensors, ignoredTensorShape } from './tensorNames.js';
import { decodeWeightsFloat32, decodeWeightsFloat64, weightDtypeBytes } from './weightDecoding.js';

export { CheckpointError } from './checkpointError.js';

export interface CheckpointTensor {
  readonly name: string;
  /** The dtype the tensor is stored in (which may differ from config.dtype). */
  readonly dtype: WeightDtype;
  readonly shape: readonly number[];
}

/** A run of elements of a tensor in row-major order (e.g. one row of the embedding). */
export interface ElementRange {
  readonly offset: number;
  readonly count: number;
}

export interface Checkpoint {
  readonly directory: string;
  readonly config: ModelConfig;
  /** The expected tensors (expectedTensors(config)), validated; ignored extras are not listed. */
  readonly tensors: ReadonlyMap<string, CheckpointTensor>;
  /** Raw little-endian bytes in the stored dtype (of the whole tensor, or of a range of elements). */
  readBytes(name: string, range?: ElementRange): Uint8Array;
  /** Exact values. */
  readFloat64(name: string, range?: ElementRange): Float64Array;
  /** Exact values (fp16, bf16 and fp32 are all exact in fp32). */
  readFloat32(name: string, range?: ElementRange): Float32Array;
  /** Closes the files; reading afterwards is an error. */
  close(): void;
}

interface TensorLocation {
  readonly shard: SafetensorsShard;
  readonly begin: number;
  readonly end: number;
}

function loadConfig(directory: string): ModelConfig {
  const path = join(directory, configFileName);
  const json = readJsonFile(path);
  try {
    return parseModelConfig(json);
  } catch (error) {
    if (error instanceof ModelConfigError) throw new CheckpointError(path, error.message, undefined, { cause: error });
    throw error;
  }
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

type FoundTensor = TensorLocation & { readonly dtype: string; readonly shape: readonly number[] };

/** Every tensor of every shard, once, where the index (if any) says it is. */
function locateTensors(shards: readonly SafetensorsShard[], layout: CheckpointLayout): Map<string, FoundTensor> {
  const found = new Map<string, FoundTensor>();
  for (const shard of shards) {
    for (const entry of shard.entries) {
      const earlier = found.get(entry.name);
      if (earlier) throw new CheckpointError(shard.path, `stored twice: also in ${earlier.shard.path}`, entry.name);
      found.set(entry.name, { shard, begin: entry.begin, end: entry.end, dtype: entry.dtype, shape: entry.shape });
    }
  }
  if (layout.kind === 'single') return found;
  for (const [name, { shard }] of found) {
    const mapped = layout.weightMap.get(name);
    if (mapped !== shard.path) {
      throw new CheckpointError(
        layout.indexFile,
        `the index ${mapped === undefined ? 'does not list it' : `sends it to ${mapped}`}, but it is stored in ${shard.path}`,
        name,
      );
    }
  }
  for (const [name, file] of layout.weightMap) {
    if (!found.has(name))
      throw new CheckpointError(layout.indexFile, `the index sends it to ${file}, whose header does not hold it`, name);
  }
  return found;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** Checks names and shapes against the config; returns the expected tensors' descriptions and places. */
function matchExpected(
  config: ModelConfig,
  found: ReadonlyMap<string, FoundTensor>,
  weightsFile: string,
): { tensors: Map<string, CheckpointTensor>; locations: Map<string, TensorLocation> } {
  const expected = expectedTensors(config);
  const missing = [...expected.keys()].filter((name) => !found.has(name));
  if (missing.length > 0) {
    const more =
      missing.length > 1
        ? ` (and ${missing.length - 1} more: ${missing.slice(1, 4).join(', ')}${missing.length > 4 ? ', ...' : ''})`
        : '';
    throw new CheckpointError(
      weightsFile,
      `missing: a ${config.architecture} with this config.json needs it${more}`,
      missing[0],
    );
  }
  const tensors = new Map<string, CheckpointTensor>();
  const locations = new Map<string, TensorLocation>();
  for (const [name, place] of found) {
    const shape = expected.get(name) ?? ignoredTensorShape(config, name);
    if (shape === undefined)
      throw new CheckpointError(
        place.shard.path,
        `unexpected: not a tensor of a ${config.architecture} with this config.json`,
        name,
      );
    if (shape !== null && !sameShape(shape, place.shape)) {
      throw new CheckpointError(
        place.shard.path,
        `shape ${shapeText(place.shape)} disagrees with config.json, which needs ${shapeText(shape)}`,
        name,
      );
    }
    if (!expected.has(name)) continue;
    tensors.set(name, { name, dtype: weightDtypeOfSafetensors[place.dtype]!, shape: place.shape });
    locations.set(name, place);
  }
  // In the order of expectedTensors, whatever order the files hold them in.
  const ordered = new Map([...expected.keys()].map((name) => [name, tensors.get(name)!]));
  return { tensors: ordered, locations };
}

function openShards(layout: CheckpointLayout, opened: SafetensorsShard[]): void {
  const files = layout.kind === 'single' ? [layout.file] : layout.shardFiles;
  for (const file of files) opened.push(openShard(file));
}

export function loadCheckpoint(directory: string): Checkpoint {
  checkFolder(directory);
  const config = loadConfig(directory);
  const layout = checkpointLayout(directory);
  const shards: SafetensorsShard[] = [];
  try {
    openShards(layout, shards);
    const found = locateTensors(shards, layout);
    const { tensors, locations } = matchExpected(
      config,
      found,
      layout.kind === 'single' ? layout.file : layout.indexFile,
    );
    return openCheckpoint({ directory, config, tensors, locations, shards });
  } catch (error) {
    for (const shard of shards) closeShard(shard);
    throw error;
  }
}

interface OpenCheckpoint {
  readonly directory: string;
  readonly config: ModelConfig;
  readonly tensors: ReadonlyMap<string, CheckpointTensor>;
  readonly locations: ReadonlyMap<string, TensorLocation>;
  readonly shards: readonly SafetensorsShard[];
}

function openCheckpoint(state: OpenCheckpoint): Checkpoint {
  let closed = false;
  const readBytes = (name: string, range?: ElementRange): Uint8Array => {
    if (closed) throw new CheckpointError(state.directory, 'the checkpoint is closed', name);
    const tensor = state.tensors.get(name);
    const place = state.locations.get(name);
    if (!tensor || !place)
      throw new InvalidArgumentError('name', 'the name of a tensor of the checkpoint', JSON.stringify(name), 'domain');
    const elementBytes = weightDtypeBytes[tensor.dtype];
    const total = (place.end - place.begin) / elementBytes;
    const offset = range?.offset ?? 0;
    const count = range?.count ?? total - offset;
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(count) ||
      offset < 0 ||
      count < 0 ||
      offset + count > total
    ) {
      throw new InvalidArgumentError(
        'range',
        `offset and count with 0 ≤ offset ≤ offset + count ≤ ${total}`,
        JSON.stringify(range),
        'range',
      );
    }
    const position = place.shard.dataStart + place.begin + offset * elementBytes;
    return readExactly(place.shard.fd, place.shard.path, position, count * elementBytes, name);
  };
  const dtypeOf = (name: string): WeightDtype => state.tensors.get(name)?.dtype ?? 'fp32';
  return {
    directory: state.directory,
    config: state.config,
    tensors: state.tensors,
    readBytes,
    readFloat32: (name, range) => decodeWeightsFloat32(dtypeOf(name), readBytes(name, range)),
    readFloat64: (name, range) => decodeWeightsFloat64(dtypeOf(name), readBytes(name, range)),
    close() {
      if (closed) return;
      closed = true;
      for (const shard of state.shards) closeShard(shard);
    },
  };
}
