// Small checkpoints for the loader and writer tests, and a raw safetensors writer for the bad ones.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { encodeStorage } from '../../src/numeric/storage.js';
import { modelConfigToJson, type ModelConfig, type WeightDtype } from '../../src/model/config.js';
import { writeCheckpoint, type CheckpointTensorSpec } from '../../src/model/checkpointWriter.js';
import { elementCount, expectedTensors } from '../../src/model/tensorNames.js';

/** One layer, GQA 2, odd sizes: 12 tensors of a few hundred bytes. */
export const microConfig: ModelConfig = {
  architecture: 'LlamaForCausalLM',
  vocabSize: 11,
  hiddenSize: 8,
  intermediateSize: 12,
  layers: 1,
  queryHeads: 2,
  kvHeads: 1,
  headDim: 4,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  ropeScaling: { type: 'none' },
  maxPositionEmbeddings: 64,
  tieWordEmbeddings: false,
  qkvBias: false,
  outputBias: false,
  dtype: 'fp32',
  bosTokenId: 0,
  eosTokenId: 1,
};

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test. */
export function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'prhs-ckpt-'));
  folders.push(folder);
  return folder;
}

/** Distinct values per tensor (index-based), encoded in the dtype: a fill whose bytes we know. */
export function knownBytes(spec: CheckpointTensorSpec, salt = 0): Uint8Array {
  const count = elementCount(spec.shape);
  const values = Float64Array.from(
    { length: count },
    (_, i) => ((i * 7 + salt * 13 + spec.name.length) % 97) / 64 - 0.75,
  );
  const stored = encodeStorage(spec.dtype, values);
  return new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
}

export function specsOf(config: ModelConfig, dtype: WeightDtype = config.dtype): CheckpointTensorSpec[] {
  return [...expectedTensors(config)].map(([name, shape]) => ({ name, dtype, shape }));
}

/** Writes a checkpoint of known bytes; returns the folder and the bytes of each tensor. */
export function writeKnownCheckpoint(
  options: {
    config?: ModelConfig;
    dtype?: WeightDtype;
    maxShardBytes?: number;
    specs?: CheckpointTensorSpec[];
    directory?: string;
  } = {},
): { directory: string; bytes: Map<string, Uint8Array> } {
  const config = options.config ?? microConfig;
  const specs = options.specs ?? specsOf(config, options.dtype);
  const bytes = new Map(specs.map((spec) => [spec.name, knownBytes(spec)]));
  const directory = options.directory ?? join(temporaryFolder(), 'model');
  writeCheckpoint({
    directory,
    config,
    tensors: specs,
    fill: (name) => bytes.get(name)!,
    maxShardBytes: options.maxShardBytes,
  });
  return { directory, bytes };
}

export interface RawTensor {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data_offsets: readonly [number, number];
}

/** A safetensors file written byte by byte from a header object and a data section. */
export function writeRawSafetensors(
  path: string,
  header: Record<string, RawTensor | Record<string, string>>,
  data: Uint8Array,
): void {
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([prefix, json, data]));
}

/** A checkpoint folder holding config.json and one raw safetensors file. */
export function writeRawCheckpoint(config: ModelConfig, header: Record<string, RawTensor>, data: Uint8Array): string {
  const directory = temporaryFolder();
  writeFileSync(join(directory, 'config.json'), JSON.stringify(modelConfigToJson(config)));
  writeRawSafetensors(join(directory, 'model.safetensors'), header, data);
  return directory;
}

/** The raw header of every expected tensor of a config in fp32, laid out back to back. */
export function contiguousHeader(config: ModelConfig): { header: Record<string, RawTensor>; dataBytes: number } {
  const header: Record<string, RawTensor> = {};
  let offset = 0;
  for (const [name, shape] of expectedTensors(config)) {
    const bytes = elementCount(shape) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  return { header, dataBytes: offset };
}
