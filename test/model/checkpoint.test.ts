import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeStorage, type StorageArray } from '../../src/numeric/storage.js';
import { ModelConfigError, modelConfigToJson, type WeightDtype } from '../../src/model/config.js';
import { CheckpointError, loadCheckpoint } from '../../src/model/checkpoint.js';
import { expectedTensors } from '../../src/model/tensorNames.js';
import {
  contiguousHeader,
  knownBytes,
  microConfig,
  specsOf,
  temporaryFolder,
  writeKnownCheckpoint,
  writeRawCheckpoint,
  writeRawSafetensors,
} from './checkpointFixtures.js';

function catchError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

/** Loading fails with a CheckpointError whose message contains every fragment. */
function expectCheckpointError(directory: string, ...fragments: string[]): CheckpointError {
  const error = catchError(() => loadCheckpoint(directory));
  expect(error).toBeInstanceOf(CheckpointError);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error as CheckpointError;
}

function valuesOf(dtype: WeightDtype, bytes: Uint8Array): Float64Array {
  const copy = new Uint8Array(bytes).buffer;
  return decodeStorage(dtype, (dtype === 'fp32' ? new Float32Array(copy) : new Uint16Array(copy)) as StorageArray);
}

function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('checkpoint round trips (write, then load)', () => {
  for (const dtype of ['fp32', 'fp16', 'bf16'] as const) {
    for (const maxShardBytes of [undefined, 200]) {
      it(`gives back the same config and bytes: ${dtype}, ${maxShardBytes ? 'sharded' : 'one file'}`, () => {
        const config = { ...microConfig, dtype };
        const { directory, bytes } = writeKnownCheckpoint({ config, maxShardBytes });
        const checkpoint = loadCheckpoint(directory);
        try {
          expect(checkpoint.config).toEqual(config);
          expect([...checkpoint.tensors.keys()]).toEqual([...expectedTensors(config).keys()]);
          for (const [name, tensor] of checkpoint.tensors) {
            expect(tensor).toEqual({ name, dtype, shape: expectedTensors(config).get(name) });
            expect(checkpoint.readBytes(name)).toEqual(bytes.get(name));
            const exact = valuesOf(dtype, bytes.get(name)!);
            expect(checkpoint.readFloat64(name)).toEqual(exact);
            expect(checkpoint.readFloat32(name)).toEqual(Float32Array.from(exact));
          }
        } finally {
          checkpoint.close();
        }
      });
    }
  }

  it('writes shards and an index as transformers does when the data exceeds maxShardBytes', () => {
    const { directory } = writeKnownCheckpoint({ maxShardBytes: 600 });
    const files = readdirSync(directory).sort();
    const shards = files.filter((f) => f.endsWith('.safetensors'));
    expect(shards.length).toBeGreaterThan(1);
    expect(shards[0]).toBe(`model-00001-of-${String(shards.length).padStart(5, '0')}.safetensors`);
    expect(files).toContain('model.safetensors.index.json');
    expect(files).not.toContain('model.safetensors');
    const index = JSON.parse(readFileSync(join(directory, 'model.safetensors.index.json'), 'utf8'));
    expect(Object.keys(index.weight_map).sort()).toEqual([...expectedTensors(microConfig).keys()].sort());
    const total = specsOf(microConfig).reduce((sum, spec) => sum + knownBytes(spec).length, 0);
    expect(index.metadata.total_size).toBe(total);
  });

  it('reads a range of elements (one embedding row)', () => {
    const { directory, bytes } = writeKnownCheckpoint({ config: { ...microConfig, dtype: 'bf16' } });
    const checkpoint = loadCheckpoint(directory);
    const row = 3 * microConfig.hiddenSize;
    const all = valuesOf('bf16', bytes.get('model.embed_tokens.weight')!);
    expect(checkpoint.readFloat64('model.embed_tokens.weight', { offset: row, count: microConfig.hiddenSize })).toEqual(
      all.subarray(row, row + microConfig.hiddenSize),
    );
    expect(() => checkpoint.readBytes('model.embed_tokens.weight', { offset: all.length - 1, count: 2 })).toThrow(
      /range/,
    );
    expect(() => checkpoint.readBytes('model.layers.7.mlp.up_proj.weight')).toThrow(/name/);
    checkpoint.close();
    expect(() => checkpoint.readBytes('model.norm.weight')).toThrow(CheckpointError);
    expect(() => checkpoint.readBytes('model.norm.weight')).toThrow(/closed/);
  });

  it('accepts and ignores lm_head.weight in a tied model, and rotary inv_freq buffers', () => {
    const config = { ...microConfig, tieWordEmbeddings: true };
    const specs = [
      ...specsOf(config),
      { name: 'lm_head.weight', dtype: 'fp32' as const, shape: [11, 8] },
      { name: 'model.layers.0.self_attn.rotary_emb.inv_freq', dtype: 'fp32' as const, shape: [2] },
    ];
    const { directory } = writeKnownCheckpoint({ config, specs });
    const checkpoint = loadCheckpoint(directory);
    expect(checkpoint.tensors.has('lm_head.weight')).toBe(false);
    expect(checkpoint.tensors.has('model.layers.0.self_attn.rotary_emb.inv_freq')).toBe(false);
    expect(checkpoint.tensors.size).toBe(expectedTensors(config).size);
    checkpoint.close();
  });

  it('loads stored dtypes that differ from config.dtype, reporting each', () => {
    const specs = specsOf(microConfig).map((spec) =>
      spec.name.includes('norm') ? spec : { ...spec, dtype: 'bf16' as const },
    );
    const { directory } = writeKnownCheckpoint({ specs });
    const checkpoint = loadCheckpoint(directory);
    expect(checkpoint.tensors.get('model.norm.weight')!.dtype).toBe('fp32');
    expect(checkpoint.tensors.get('lm_head.weight')!.dtype).toBe('bf16');
    checkpoint.close();
  });
});

describe('bad checkpoints: one clear error each, nothing loaded half-way', () => {
  it('a missing folder', () =>
    expectCheckpointError('/nonexistent/prhs-checkpoint', '/nonexistent/prhs-checkpoint', 'does not exist'));

  it('a file instead of a folder', () => {
    const file = join(temporaryFolder(), 'model.safetensors');
    writeFileSync(file, 'x');
    expectCheckpointError(file, 'not a folder');
  });

  it('a folder without config.json', () => {
    const { directory } = writeKnownCheckpoint();
    rmSync(join(directory, 'config.json'));
    expectCheckpointError(directory, 'config.json', 'does not exist');
  });

  it('a config.json that is not JSON', () => {
    const { directory } = writeKnownCheckpoint();
    writeFileSync(join(directory, 'config.json'), '{"architectures": [');
    expectCheckpointError(directory, 'config.json', 'not valid JSON');
  });

  it('an unsupported architecture', () => {
    const { directory } = writeKnownCheckpoint();
    writeFileSync(
      join(directory, 'config.json'),
      JSON.stringify({ ...modelConfigToJson(microConfig), architectures: ['GPTNeoXForCausalLM'] }),
    );
    const error = expectCheckpointError(directory, 'config.json', '"architectures"', 'GPTNeoXForCausalLM');
    expect(error.cause).toBeInstanceOf(ModelConfigError);
  });

  it('no weights file', () => {
    const { directory } = writeKnownCheckpoint();
    rmSync(join(directory, 'model.safetensors'));
    writeFileSync(join(directory, 'pytorch_model.bin'), '');
    expectCheckpointError(
      directory,
      'no model.safetensors or model.safetensors.index.json',
      'pytorch_model.bin is not',
    );
  });

  it('a missing tensor, named', () => {
    const specs = specsOf(microConfig).filter((spec) => spec.name !== 'model.layers.0.mlp.up_proj.weight');
    const error = expectCheckpointError(
      writeKnownCheckpoint({ specs }).directory,
      'tensor "model.layers.0.mlp.up_proj.weight"',
      'missing',
    );
    expect(error.tensor).toBe('model.layers.0.mlp.up_proj.weight');
  });

  it('an extra tensor, named', () => {
    const specs = [
      ...specsOf(microConfig),
      { name: 'model.layers.0.mlp.extra_proj.weight', dtype: 'fp32' as const, shape: [2, 2] },
    ];
    expectCheckpointError(
      writeKnownCheckpoint({ specs }).directory,
      'tensor "model.layers.0.mlp.extra_proj.weight"',
      'unexpected',
    );
  });

  it('lm_head.weight in an untied model is required; in a tied model its shape is still checked', () => {
    const config = { ...microConfig, tieWordEmbeddings: true };
    const specs = [...specsOf(config), { name: 'lm_head.weight', dtype: 'fp32' as const, shape: [11, 4] }];
    expectCheckpointError(
      writeKnownCheckpoint({ config, specs }).directory,
      'tensor "lm_head.weight"',
      '[11, 4]',
      '[11, 8]',
    );
  });

  it('a shape that disagrees with the config: expected and received', () => {
    const specs = specsOf(microConfig).map((spec) =>
      spec.name.endsWith('k_proj.weight') ? { ...spec, shape: [8, 8] } : spec,
    );
    expectCheckpointError(
      writeKnownCheckpoint({ specs }).directory,
      'tensor "model.layers.0.self_attn.k_proj.weight"',
      'shape [8, 8]',
      'needs [4, 8]',
    );
  });

  it('an unsupported dtype', () => {
    const { header, dataBytes } = contiguousHeader(microConfig);
    const norm = header['model.norm.weight']!;
    header['model.norm.weight'] = {
      ...norm,
      dtype: 'F64',
      data_offsets: [norm.data_offsets[0], norm.data_offsets[0] + 64],
    };
    const directory = writeRawCheckpoint(microConfig, header, new Uint8Array(dataBytes + 64));
    expectCheckpointError(
      directory,
      'model.safetensors',
      'tensor "model.norm.weight"',
      'dtype "F64" is not supported',
      'F32, F16 or BF16',
    );
    header['model.norm.weight'] = { ...norm, dtype: 'I8' };
    expectCheckpointError(writeRawCheckpoint(microConfig, header, new Uint8Array(dataBytes)), 'dtype "I8"');
  });

  it('truncated data', () => {
    const { directory } = writeKnownCheckpoint();
    const file = join(directory, 'model.safetensors');
    truncateSync(file, readFileSync(file).length - 3);
    expectCheckpointError(directory, 'model.safetensors', 'tensor "lm_head.weight"', 'truncated');
  });

  it('a file cut inside its header', () => {
    const { directory } = writeKnownCheckpoint();
    truncateSync(join(directory, 'model.safetensors'), 20);
    expectCheckpointError(directory, 'model.safetensors', 'header bytes but the file has 12');
  });

  it('overlapping tensor data', () => {
    const { header, dataBytes } = contiguousHeader(microConfig);
    const q = header['model.layers.0.self_attn.q_proj.weight']!;
    const k = header['model.layers.0.self_attn.k_proj.weight']!;
    header['model.layers.0.self_attn.k_proj.weight'] = {
      ...k,
      data_offsets: [q.data_offsets[0] + 4, q.data_offsets[0] + 4 + 128],
    };
    expectCheckpointError(writeRawCheckpoint(microConfig, header, new Uint8Array(dataBytes)), 'overlaps');
  });

  it('data_offsets that do not span the shape', () => {
    const { header, dataBytes } = contiguousHeader(microConfig);
    const norm = header['model.norm.weight']!;
    header['model.norm.weight'] = { ...norm, data_offsets: [norm.data_offsets[0], norm.data_offsets[1] - 4] };
    expectCheckpointError(
      writeRawCheckpoint(microConfig, header, new Uint8Array(dataBytes)),
      'tensor "model.norm.weight"',
      'needs 32 bytes, data_offsets span 28',
    );
  });

  it('a header that is not JSON', () => {
    const directory = temporaryFolder();
    writeFileSync(join(directory, 'config.json'), JSON.stringify(modelConfigToJson(microConfig)));
    const bad = Buffer.concat([Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"a":')]);
    writeFileSync(join(directory, 'model.safetensors'), bad);
    expectCheckpointError(directory, 'model.safetensors', 'not valid JSON');
  });

  it('a shard the index names but the folder lacks', () => {
    const { directory } = writeKnownCheckpoint({ maxShardBytes: 600 });
    const shard = readdirSync(directory).find((f) => f.startsWith('model-00002-'))!;
    rmSync(join(directory, shard));
    expectCheckpointError(directory, shard, 'shard missing', 'model.safetensors.index.json names it');
  });

  it('an index whose weight_map disagrees with the shard headers', () => {
    const { directory } = writeKnownCheckpoint({ maxShardBytes: 600 });
    const indexFile = join(directory, 'model.safetensors.index.json');
    const index = JSON.parse(readFileSync(indexFile, 'utf8'));
    const shards = [...new Set(Object.values(index.weight_map))] as string[];
    index.weight_map['model.embed_tokens.weight'] = shards[1];
    writeFileSync(indexFile, JSON.stringify(index));
    expectCheckpointError(
      directory,
      'tensor "model.embed_tokens.weight"',
      `sends it to ${join(directory, shards[1]!)}`,
      `stored in ${join(directory, shards[0]!)}`,
    );
  });

  it('an index that lists a tensor its shard lacks', () => {
    const { directory } = writeKnownCheckpoint({ maxShardBytes: 600 });
    const indexFile = join(directory, 'model.safetensors.index.json');
    const index = JSON.parse(readFileSync(indexFile, 'utf8'));
    index.weight_map['model.layers.0.mlp.extra.weight'] = Object.values(index.weight_map)[0];
    writeFileSync(indexFile, JSON.stringify(index));
    expectCheckpointError(directory, 'tensor "model.layers.0.mlp.extra.weight"', 'whose header does not hold it');
  });

  it('a shard file outside the folder', () => {
    const { directory } = writeKnownCheckpoint({ maxShardBytes: 600 });
    const indexFile = join(directory, 'model.safetensors.index.json');
    const index = JSON.parse(readFileSync(indexFile, 'utf8'));
    index.weight_map['model.norm.weight'] = '../model-00001-of-00002.safetensors';
    writeFileSync(indexFile, JSON.stringify(index));
    expectCheckpointError(directory, 'model.safetensors.index.json', 'the name of a file in the checkpoint folder');
  });

  it('a tensor stored in two shards', () => {
    const { directory } = writeKnownCheckpoint({ maxShardBytes: 600 });
    const norm = { dtype: 'F32', shape: [8], data_offsets: [0, 32] as const };
    writeRawSafetensors(join(directory, 'extra.safetensors'), { 'model.norm.weight': norm }, new Uint8Array(32));
    const indexFile = join(directory, 'model.safetensors.index.json');
    const index = JSON.parse(readFileSync(indexFile, 'utf8'));
    index.weight_map['model.layers.0.input_layernorm.weight'] = 'extra.safetensors';
    writeFileSync(indexFile, JSON.stringify(index));
    writeRawSafetensors(
      join(directory, 'extra.safetensors'),
      { 'model.layers.0.input_layernorm.weight': norm, 'model.norm.weight': { ...norm, data_offsets: [32, 64] } },
      new Uint8Array(64),
    );
    expectCheckpointError(
      directory,
      'extra.safetensors',
      'tensor "model.layers.0.input_layernorm.weight"',
      'stored twice: also in',
      'model-00001-of-',
    );
  });

  it('a weights "file" that is a folder (unreadable even as root)', () => {
    const { directory } = writeKnownCheckpoint();
    rmSync(join(directory, 'model.safetensors'));
    mkdirSync(join(directory, 'model.safetensors'));
    expectCheckpointError(directory, 'model.safetensors', 'cannot read', 'EISDIR');
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable weights file', () => {
    const { directory } = writeKnownCheckpoint();
    chmodSync(join(directory, 'model.safetensors'), 0o000);
    expectCheckpointError(directory, 'model.safetensors', 'permission denied');
  });

  it.skipIf(!existsSync('/proc/self/fd'))('closes every file it opened when a later shard is bad', () => {
    const { directory } = writeKnownCheckpoint({ maxShardBytes: 600 });
    const last = readdirSync(directory)
      .filter((f) => f.endsWith('.safetensors'))
      .sort()
      .at(-1)!;
    truncateSync(join(directory, last), readFileSync(join(directory, last)).length - 1);
    const before = openDescriptors();
    expectCheckpointError(directory, 'truncated');
    expect(openDescriptors()).toBe(before);
    const good = writeKnownCheckpoint({ maxShardBytes: 600 });
    const checkpoint = loadCheckpoint(good.directory);
    expect(openDescriptors()).toBeGreaterThan(before);
    checkpoint.close();
    expect(openDescriptors()).toBe(before);
  });

  it('a truncation after loading is reported when the tensor is read', () => {
    const { directory } = writeKnownCheckpoint();
    const checkpoint = loadCheckpoint(directory);
    const file = join(directory, 'model.safetensors');
    truncateSync(file, readFileSync(file).length - 40);
    expect(() => checkpoint.readBytes('lm_head.weight')).toThrow(/tensor "lm_head.weight": truncated/);
    checkpoint.close();
  });

  it('an empty target folder for the loader is reported as lacking config.json', () => {
    const directory = join(temporaryFolder(), 'empty');
    mkdirSync(directory);
    expect(existsSync(directory)).toBe(true);
    expectCheckpointError(directory, 'config.json');
  });
});
