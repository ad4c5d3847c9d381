import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { decodeStorage } from '../../src/numeric/storage.js';
import { loadCheckpoint } from '../../src/model/checkpoint.js';
import { quantileTable, writeRandomCheckpoint } from '../../src/model/randomCheckpoint.js';
import { modelPresets } from '../../src/model/presets.js';
import { isNormWeight } from '../../src/model/tensorNames.js';
import { microConfig, temporaryFolder } from './checkpointFixtures.js';

function filesOf(directory: string): Map<string, Buffer> {
  return new Map(
    readdirSync(directory)
      .sort()
      .map((f) => [f, readFileSync(join(directory, f))]),
  );
}

describe('writeRandomCheckpoint', () => {
  it('is deterministic: same seed, same bytes; another seed, other bytes', () => {
    const root = temporaryFolder();
    const write = (name: string, seed: number, config = modelPresets.tiny) =>
      filesOf(writeRandomCheckpoint({ directory: join(root, name), config, seed }).directory);
    const [a, b] = [write('a', 7), write('b', 7)];
    expect([...b.keys()]).toEqual([...a.keys()]);
    // Buffer.equals: vitest's deep equality walks half a megabyte byte by byte.
    for (const [file, bytes] of a) expect(b.get(file)!.equals(bytes), file).toBe(true);
    const [c, d] = [write('c', 7, microConfig), write('d', 8, microConfig)];
    expect(d.get('model.safetensors')!.equals(c.get('model.safetensors')!)).toBe(false);
    expect(d.get('config.json')).toEqual(c.get('config.json'));
  });

  it('gives every tensor the same bytes whatever the sharding', () => {
    const root = temporaryFolder();
    const config = { ...microConfig, dtype: 'bf16' as const };
    const single = loadCheckpoint(writeRandomCheckpoint({ directory: join(root, 'one'), config, seed: 3 }).directory);
    const sharded = loadCheckpoint(
      writeRandomCheckpoint({ directory: join(root, 'many'), config, seed: 3, maxShardBytes: 300 }).directory,
    );
    expect(readdirSync(join(root, 'many')).length).toBeGreaterThan(3);
    for (const name of single.tensors.keys()) expect(sharded.readBytes(name)).toEqual(single.readBytes(name));
    single.close();
    sharded.close();
  });

  for (const dtype of ['fp32', 'fp16', 'bf16'] as const) {
    it(`draws weights and biases from the quantile table and sets norms to 1 (${dtype})`, () => {
      const config = { ...modelPresets.tiny, architecture: 'Qwen2ForCausalLM' as const, qkvBias: true, dtype };
      const std = 0.05;
      const checkpoint = loadCheckpoint(
        writeRandomCheckpoint({ directory: join(temporaryFolder(), 'q'), config, seed: 11, std }).directory,
      );
      const table = quantileTable(dtype, std);
      const allowed = new Set(
        decodeStorage(dtype, dtype === 'fp32' ? new Float32Array(table.buffer) : (table as Uint16Array)),
      );
      for (const [name, tensor] of checkpoint.tensors) {
        expect(tensor.dtype).toBe(dtype);
        const values = checkpoint.readFloat64(name);
        if (isNormWeight(name)) {
          expect(values.every((v) => v === 1)).toBe(true);
        } else {
          expect(values.every((v) => allowed.has(v))).toBe(true);
          expect(new Set(values).size).toBeGreaterThan(Math.min(values.length / 4, 100));
        }
      }
      expect(checkpoint.tensors.has('model.layers.1.self_attn.v_proj.bias')).toBe(true);
      checkpoint.close();
    });
  }

  it('refuses a seed outside [0, 2^32) and a std that is not positive', () => {
    const directory = join(temporaryFolder(), 'm');
    expect(() => writeRandomCheckpoint({ directory, config: microConfig, seed: -1 })).toThrow(InvalidArgumentError);
    expect(() => writeRandomCheckpoint({ directory, config: microConfig, seed: 2 ** 32 })).toThrow(/seed/);
    expect(() => writeRandomCheckpoint({ directory, config: microConfig, seed: 1, std: 0 })).toThrow(/std/);
  });
});

describe('quantileTable', () => {
  it('is the midpoint quantiles of N(0, std²): symmetric, sorted, variance within 0.1% of std²', () => {
    const table = new Float32Array(quantileTable('fp32', 1).buffer);
    expect(table.every((x, i) => x === -table[table.length - 1 - i]!)).toBe(true);
    expect(table.every((x, i) => i === 0 || x > table[i - 1]!)).toBe(true);
    // The discrete midpoint-quantile law loses only the mass beyond ±4.3σ: its variance is
    // 1 − 2.5e-4 (computed, not sampled), so a wrong table (e.g. uniform, or std 0.02 applied twice) fails.
    const variance = table.reduce((sum, x) => sum + x * x, 0) / table.length;
    expect(Math.abs(variance - 1)).toBeLessThan(1e-3);
  });
});
