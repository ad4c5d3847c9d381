/**
 * Writing a checkpoint folder in the Hugging Face layout: config.json plus model.safetensors,
 * or, above maxShardBytes, shards `model-00001-of-0000N.safetensors` and
 * model.safetensors.index.json, as transformers' save_pretrained does (headers carry
 * `{"format": "pt"}` metadata, which transformers requires). Tensors are written one at a time
 * from `fill`, so the model is never whole in memory, into a temporary folder beside the target
 * that is renamed into place at the end: a reader never sees a half-written checkpoint.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from '../core/errors.js';
import { modelConfigToJson, weightDtypes, type ModelConfig, type WeightDtype } from './config.js';
import { configFileName, singleWeightsFileName, weightsIndexFileName } from './checkpointLayout.js';
import { safetensorsDtypeOfWeight } from './safetensorsShard.js';
import { elementCount } from './tensorNames.js';
import { weightDtypeBytes } from './weightDecoding.js';

export interface CheckpointTensorSpec {
  readonly name: string;
  readonly dtype: WeightDtype;
  readonly shape: readonly number[];
}

export interface WriteProgress {
  readonly tensor: string;
  readonly bytesWritten: number;
  readonly totalBytes: number;
}

export interface WriteCheckpointOptions {
  readonly directory: string;
  readonly config: ModelConfig;
  /** In file order. Not checked against the config: loadCheckpoint does that. */
  readonly tensors: readonly CheckpointTensorSpec[];
  /** A tensor's little-endian bytes, whole or as consecutive chunks (each written before the next is asked for). */
  readonly fill: (name: string) => Uint8Array | Iterable<Uint8Array>;
  /** Largest data size of one shard; default 5 GB as transformers. */
  readonly maxShardBytes?: number;
  readonly onProgress?: (progress: WriteProgress) => void;
  /** Replace an existing non-empty folder. */
  readonly overwrite?: boolean;
}

export interface WrittenCheckpoint {
  readonly directory: string;
  /** The safetensors files, in order. */
  readonly weightFiles: readonly string[];
  readonly totalBytes: number;
}

export const defaultMaxShardBytes = 5_000_000_000;

function tensorBytes(spec: CheckpointTensorSpec): number {
  return elementCount(spec.shape) * weightDtypeBytes[spec.dtype];
}

function validateSpecs(tensors: readonly CheckpointTensorSpec[]): void {
  const names = new Set<string>();
  tensors.forEach((spec, i) => {
    if (typeof spec.name !== 'string' || spec.name.length === 0 || spec.name === '__metadata__')
      throw new InvalidArgumentError(
        `tensors[${i}].name`,
        'a non-empty tensor name',
        JSON.stringify(spec.name),
        'type',
      );
    if (names.has(spec.name))
      throw new InvalidArgumentError(
        `tensors[${i}].name`,
        'a name not used before',
        JSON.stringify(spec.name),
        'duplicate',
      );
    names.add(spec.name);
    if (!weightDtypes.includes(spec.dtype))
      throw new InvalidArgumentError(
        `tensors[${i}].dtype`,
        `one of ${weightDtypes.join(', ')}`,
        JSON.stringify(spec.dtype),
        'domain',
      );
    if (!Array.isArray(spec.shape) || !spec.shape.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      throw new InvalidArgumentError(
        `tensors[${i}].shape`,
        'a list of non-negative integers',
        JSON.stringify(spec.shape),
        'shape',
      );
    }
  });
}

/** Groups tensors into shards of at most maxShardBytes of data (a larger tensor gets a shard of its own). */
export function planShards(tensors: readonly CheckpointTensorSpec[], maxShardBytes: number): CheckpointTensorSpec[][] {
  const shards: CheckpointTensorSpec[][] = [[]];
  let size = 0;
  for (const spec of tensors) {
    const bytes = tensorBytes(spec);
    if (shards.at(-1)!.length > 0 && size + bytes > maxShardBytes) {
      shards.push([]);
      size = 0;
    }
    shards.at(-1)!.push(spec);
    size += bytes;
  }
  return shards;
}

/** The header bytes of a shard: 8-byte length, then JSON padded with spaces to a multiple of 8. */
function shardHeader(tensors: readonly CheckpointTensorSpec[]): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const spec of tensors) {
    const bytes = tensorBytes(spec);
    header[spec.name] = {
      dtype: safetensorsDtypeOfWeight[spec.dtype],
      shape: spec.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

function writeFileSynced(path: string, write: (fd: number) => void): void {
  const fd = openSync(path, 'wx');
  try {
    write(fd);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

interface ShardWriteState {
  written: number;
  readonly total: number;
  readonly options: WriteCheckpointOptions;
}

function writeTensor(fd: number, spec: CheckpointTensorSpec, state: ShardWriteState): void {
  const expected = tensorBytes(spec);
  const filled = state.options.fill(spec.name);
  let received = 0;
  for (const chunk of filled instanceof Uint8Array ? [filled] : filled) {
    if (!(chunk instanceof Uint8Array))
      throw new InvalidArgumentError('fill', 'Uint8Array chunks', `${typeof chunk} for tensor "${spec.name}"`, 'type');
    received += chunk.length;
    if (received > expected) break;
    writeAll(fd, chunk);
    state.written += chunk.length;
    state.options.onProgress?.({ tensor: spec.name, bytesWritten: state.written, totalBytes: state.total });
  }
  if (received !== expected) {
    throw new InvalidArgumentError(
      'fill',
      `${expected} bytes for tensor "${spec.name}" (shape [${spec.shape.join(', ')}], ${spec.dtype})`,
      `${received > expected ? 'more than that' : `${received} bytes`}`,
      'length',
    );
  }
}

function shardFileName(index: number, count: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return count === 1 ? singleWeightsFileName : `model-${pad(index + 1)}-of-${pad(count)}.safetensors`;
}

/** Refuses a target that exists and is not an empty folder (unless overwrite). */
function checkTarget(directory: string, overwrite: boolean): void {
  if (!existsSync(directory)) return;
  if (!statSync(directory).isDirectory())
    throw new InvalidArgumentError(
      'directory',
      'a folder to create (or an empty one)',
      `${JSON.stringify(directory)}, an existing file`,
      'domain',
    );
  if (!overwrite && readdirSync(directory).length > 0) {
    throw new InvalidArgumentError(
      'directory',
      'a folder to create, or an empty one (pass overwrite to replace it)',
      `${JSON.stringify(directory)}, a non-empty folder`,
      'domain',
    );
  }
}

/** Moves the finished temporary folder onto the target, replacing an old one only when allowed. */
function moveIntoPlace(temporary: string, directory: string, overwrite: boolean): void {
  checkTarget(directory, overwrite);
  if (!existsSync(directory)) {
    renameSync(temporary, directory);
    return;
  }
  if (readdirSync(directory).length === 0) {
    rmdirSync(directory);
    renameSync(temporary, directory);
    return;
  }
  const old = join(dirname(directory), `.${basename(directory)}.old-${process.pid}-${Date.now()}`);
  renameSync(directory, old);
  renameSync(temporary, directory);
  rmSync(old, { recursive: true, force: true });
}

export function writeCheckpoint(options: WriteCheckpointOptions): WrittenCheckpoint {
  const directory = resolve(options.directory);
  const overwrite = options.overwrite ?? false;
  const maxShardBytes = options.maxShardBytes ?? defaultMaxShardBytes;
  if (!Number.isSafeInteger(maxShardBytes) || maxShardBytes < 1)
    throw new InvalidArgumentError('maxShardBytes', 'a positive integer', String(maxShardBytes), 'range');
  const configJson = modelConfigToJson(options.config);
  validateSpecs(options.tensors);
  checkTarget(directory, overwrite);
  const shards = planShards(options.tensors, maxShardBytes);
  const state: ShardWriteState = {
    written: 0,
    total: options.tensors.reduce((sum, spec) => sum + tensorBytes(spec), 0),
    options,
  };
  mkdirSync(dirname(directory), { recursive: true });
  const temporary = join(dirname(directory), `.${basename(directory)}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(temporary);
  try {
    const weightFiles = shards.map((_, i) => shardFileName(i, shards.length));
    shards.forEach((tensors, i) => {
      writeFileSynced(join(temporary, weightFiles[i]!), (fd) => {
        writeAll(fd, shardHeader(tensors));
        for (const spec of tensors) writeTensor(fd, spec, state);
      });
    });
    if (shards.length > 1) {
      const weightMap = Object.fromEntries(
        shards.flatMap((tensors, i) => tensors.map((spec) => [spec.name, weightFiles[i]!])),
      );
      const index = { metadata: { total_size: state.total }, weight_map: weightMap };
      writeFileSynced(join(temporary, weightsIndexFileName), (fd) =>
        writeAll(fd, Buffer.from(`${JSON.stringify(index, null, 2)}\n`)),
      );
    }
    writeFileSynced(join(temporary, configFileName), (fd) =>
      writeAll(fd, Buffer.from(`${JSON.stringify(configJson, null, 2)}\n`)),
    );
    moveIntoPlace(temporary, directory, overwrite);
    return { directory, weightFiles: weightFiles.map((f) => join(directory, f)), totalBytes: state.total };
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}
