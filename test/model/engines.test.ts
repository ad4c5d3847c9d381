import { describe, expect, it } from 'vitest';
import { checkEngine } from '../../src/model/check/engineCheck.js';
import type { ModelConfig } from '../../src/model/config.js';
import { createCpuEngine, createNaiveFloat32Engine } from '../../src/model/engines/cpuEngine.js';
import { createReferenceEngine } from '../../src/model/engines/referenceEngine.js';
import { modelPresets } from '../../src/model/presets.js';
import { memoryWeightSource } from '../../src/model/weightSource.js';
import { loadBackend } from '../../src/backends/registry.js';

const cpuLoaded = loadBackend('cpu').loaded;
const tiny = modelPresets.tiny as ModelConfig;
const prompts = (batch: number, length: number): Int32Array =>
  Int32Array.from({ length: batch * length }, (_, i) => (i * 37 + 11) % tiny.vocabSize);

describe.skipIf(!cpuLoaded)('CPU engine against the float64 reference', () => {
  // Weight scales chosen so the reference's top-1 margins leave room for a greedy verdict at each dtype's error.
  for (const [dtype, qkvBias, std] of [
    ['fp32', false, 0.5],
    ['fp16', true, 0.5],
    ['bf16', false, 0.15],
  ] as const) {
    it(`${dtype}${qkvBias ? ' with q/k/v biases' : ''}: logits within twice the naive fp32 error and identical greedy tokens`, () => {
      const config: ModelConfig = {
        ...tiny,
        dtype,
        qkvBias,
        architecture: qkvBias ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM',
      };
      const source = memoryWeightSource(config, { seed: 7, std });
      const size = { batch: 2, capacity: 48 };
      const result = checkEngine({
        reference: createReferenceEngine(source, size),
        engine: createCpuEngine(source, size),
        naive: createNaiveFloat32Engine(source, size),
        prompts: prompts(2, 16),
        promptLength: 16,
        steps: 24,
      });
      expect(result.withinTwiceNaive, JSON.stringify(result)).toBe(true);
      expect(result.engineError).toBeGreaterThan(0);
      // bf16's rounding of q, K and V (2⁻⁸) leaves this random model's top-1 margins below the
      // greedy threshold, so only fp32 and fp16 must reach a greedy verdict here.
      if (dtype !== 'bf16') expect(result.greedyCompared, JSON.stringify(result)).toBeGreaterThanOrEqual(8);
      expect(result.greedyIdentical).toBe(true);
    });
  }

  it('fails an engine that skips the last cache position (a planted off-by-one)', () => {
    const source = memoryWeightSource({ ...tiny, dtype: 'fp16' }, { seed: 3, std: 0.3 });
    const size = { batch: 1, capacity: 40 };
    const engine = createCpuEngine(source, size);
    // Every head keeps positions 0 … t−1 only: the token's own key and value are never attended.
    engine.setSelectionPolicy({
      select: ({ position }) => {
        if (position === 0) return null;
        const indices = new Int32Array(tiny.queryHeads * position);
        for (let h = 0; h < tiny.queryHeads; h++) for (let i = 0; i < position; i++) indices[h * position + i] = i;
        return { indices, selected: position };
      },
    });
    const result = checkEngine({
      reference: createReferenceEngine(source, size),
      engine,
      naive: createNaiveFloat32Engine(source, size),
      prompts: prompts(1, 8),
      promptLength: 8,
      steps: 16,
    });
    expect(result.withinTwiceNaive).toBe(false);
    expect(result.pass).toBe(false);
  });

  it('keeping every position equals the dense CPU engine bit for bit', () => {
    const source = memoryWeightSource({ ...tiny, dtype: 'bf16' }, { seed: 5, std: 0.3 });
    const dense = createCpuEngine(source, { capacity: 32 });
    const sparse = createCpuEngine(source, { capacity: 32 });
    sparse.setSelectionPolicy({
      select: ({ position }) => {
        const selected = position + 1;
        const indices = new Int32Array(tiny.queryHeads * selected);
        for (let h = 0; h < tiny.queryHeads; h++) for (let i = 0; i < selected; i++) indices[h * selected + i] = i;
        return { indices, selected };
      },
    });
    const tokens = prompts(1, 20);
    expect(Array.from(sparse.append(tokens, 20))).toEqual(Array.from(dense.append(tokens, 20)));
  });
});

describe('engine input checks', () => {
  const source = memoryWeightSource(tiny, { seed: 1, std: 0.1 });
  it('rejects a token id outside the vocabulary, naming it, and leaves the cache unchanged', () => {
    const engine = createReferenceEngine(source, { capacity: 8 });
    expect(() => engine.append(Int32Array.of(3, 258), 2)).toThrow(
      /tokens\[1\]: expected a token id in \[0, 258\), received 258/,
    );
    expect(engine.length).toBe(0);
  });
  it('rejects a context longer than the cache', () => {
    const engine = createReferenceEngine(source, { capacity: 4 });
    engine.append(Int32Array.of(1, 2, 3), 3);
    expect(() => engine.append(Int32Array.of(1, 2), 2)).toThrow(
      /at most 1 more tokens per sequence \(cache capacity 4, 3 used\)/,
    );
    expect(engine.length).toBe(3);
  });
  it('rejects a capacity beyond max_position_embeddings and a bad batch', () => {
    expect(() => createReferenceEngine(source, { capacity: 513 })).toThrow(
      /capacity: expected an integer in \[1, 512\]/,
    );
    expect(() => createReferenceEngine(source, { batch: 0 })).toThrow(/batch: expected an integer in \[1, 4096\]/);
  });
});
