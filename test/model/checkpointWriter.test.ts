import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { ModelConfigError } from '../../src/model/config.js';
import { loadCheckpoint } from '../../src/model/checkpoint.js';
import { planShards, writeCheckpoint } from '../../src/model/checkpointWriter.js';
import { knownBytes, microConfig, specsOf, temporaryFolder, writeKnownCheckpoint } from './checkpointFixtures.js';

function siblings(directory: string): string[] {
  return readdirSync(dirname(directory));
}

describe('writeCheckpoint', () => {
  it('writes safetensors headers as transformers expects: format pt metadata, 8-byte aligned data', () => {
    const { directory } = writeKnownCheckpoint();
    const file = readFileSync(join(directory, 'model.safetensors'));
    const headerLength = Number(file.readBigUInt64LE(0));
    expect((8 + headerLength) % 8).toBe(0);
    const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8'));
    expect(header.__metadata__).toEqual({ format: 'pt' });
    expect(header['model.layers.0.self_attn.k_proj.weight']).toEqual({
      dtype: 'F32',
      shape: [4, 8],
      data_offsets: [expect.any(Number), expect.any(Number)],
    });
    const config = JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8'));
    expect(config.architectures).toEqual(['LlamaForCausalLM']);
  });

  it('streams a tensor given as chunks', () => {
    const specs = specsOf(microConfig);
    const directory = join(temporaryFolder(), 'chunked');
    writeCheckpoint({
      directory,
      config: microConfig,
      tensors: specs,
      fill: function* (name) {
        const bytes = knownBytes(specs.find((s) => s.name === name)!);
        for (let i = 0; i < bytes.length; i += 12) yield bytes.subarray(i, i + 12);
      },
    });
    const checkpoint = loadCheckpoint(directory);
    for (const spec of specs) expect(checkpoint.readBytes(spec.name)).toEqual(knownBytes(spec));
    checkpoint.close();
  });

  it('reports progress up to the total', () => {
    const seen: number[] = [];
    const specs = specsOf(microConfig);
    writeCheckpoint({
      directory: join(temporaryFolder(), 'm'),
      config: microConfig,
      tensors: specs,
      fill: (name) => knownBytes(specs.find((s) => s.name === name)!),
      onProgress: (p) => seen.push(p.bytesWritten / p.totalBytes),
    });
    expect(seen.length).toBe(specs.length);
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((x, i) => i === 0 || x > seen[i - 1]!)).toBe(true);
  });

  it('refuses to overwrite a non-empty folder unless asked, and then replaces it', () => {
    const first = writeKnownCheckpoint();
    expect(() => writeKnownCheckpoint({ directory: first.directory })).toThrow(InvalidArgumentError);
    expect(() => writeKnownCheckpoint({ directory: first.directory })).toThrow(/directory: .*non-empty folder/);
    const specs = specsOf(microConfig, 'bf16');
    writeCheckpoint({
      directory: first.directory,
      config: { ...microConfig, dtype: 'bf16' },
      tensors: specs,
      fill: (name) => knownBytes(specs.find((s) => s.name === name)!),
      overwrite: true,
    });
    const checkpoint = loadCheckpoint(first.directory);
    expect(checkpoint.config.dtype).toBe('bf16');
    checkpoint.close();
    expect(siblings(first.directory)).toEqual(['model']);
  });

  it('writes into an existing empty folder', () => {
    const directory = join(temporaryFolder(), 'empty');
    mkdirSync(directory);
    writeKnownCheckpoint({ directory });
    expect(readdirSync(directory).sort()).toEqual(['config.json', 'model.safetensors']);
  });

  it('refuses a file in the way', () => {
    const directory = join(temporaryFolder(), 'file');
    writeFileSync(directory, 'x');
    expect(() => writeKnownCheckpoint({ directory })).toThrow(/existing file/);
  });

  it('leaves nothing behind when fill gives the wrong number of bytes', () => {
    const directory = join(temporaryFolder(), 'model');
    const specs = specsOf(microConfig);
    const short = () =>
      writeCheckpoint({
        directory,
        config: microConfig,
        tensors: specs,
        fill: (name) => knownBytes(specs.find((s) => s.name === name)!).subarray(1),
      });
    expect(short).toThrow(InvalidArgumentError);
    expect(short).toThrow(/fill: expected 352 bytes for tensor "model.embed_tokens.weight"/);
    const long = () =>
      writeCheckpoint({ directory, config: microConfig, tensors: specs, fill: () => new Uint8Array(100_000) });
    expect(long).toThrow(/more than that/);
    expect(siblings(directory)).toEqual([]);
  });

  it('refuses duplicate names, bad dtypes and bad shapes, naming the entry', () => {
    const specs = specsOf(microConfig);
    const write = (tensors: typeof specs) => () =>
      writeCheckpoint({
        directory: join(temporaryFolder(), 'm'),
        config: microConfig,
        tensors,
        fill: () => new Uint8Array(0),
      });
    expect(write([...specs, specs[0]!])).toThrow(/tensors\[12\]\.name/);
    expect(write([{ ...specs[0]!, dtype: 'fp8' as never }])).toThrow(/tensors\[0\]\.dtype/);
    expect(write([{ ...specs[0]!, shape: [2, -1] }])).toThrow(/tensors\[0\]\.shape/);
  });

  it('refuses a config that cannot be written as config.json', () => {
    expect(() => writeKnownCheckpoint({ config: { ...microConfig, kvHeads: 3 }, specs: [] })).toThrow(ModelConfigError);
  });
});

describe('planShards', () => {
  it('packs tensors in order up to the limit and gives an oversized tensor a shard of its own', () => {
    const spec = (name: string, n: number) => ({ name, dtype: 'fp32' as const, shape: [n] });
    const plan = planShards([spec('a', 10), spec('b', 10), spec('c', 100), spec('d', 5), spec('e', 5)], 80);
    expect(plan.map((shard) => shard.map((s) => s.name))).toEqual([['a', 'b'], ['c'], ['d', 'e']]);
    expect(planShards([spec('a', 10)], 1).length).toBe(1);
  });
});
