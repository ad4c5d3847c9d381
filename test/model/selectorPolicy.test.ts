import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../src/model/config.js';
import { modelPresets } from '../../src/model/presets.js';
import { memoryWeightSource } from '../../src/model/weightSource.js';
import { selectorNames } from '../../src/selectors/registry.js';
import { referenceEngineWithSelector } from './referenceEngineWithSelector.js';

const tiny = modelPresets.tiny as ModelConfig;
const source = memoryWeightSource(tiny, { seed: 11, std: 0.3 });
const capacity = 40;
const prompt = Int32Array.from({ length: 12 }, (_, i) => (i * 29 + 3) % tiny.vocabSize);
const continuation = Int32Array.from({ length: 20 }, (_, i) => (i * 53 + 7) % tiny.vocabSize);

function run(selector: string | null, budget: number) {
  const { engine, policy } = referenceEngineWithSelector({
    source,
    capacity,
    decodeFrom: prompt.length,
    selector,
    budget,
  });
  engine.append(prompt, prompt.length);
  const logits = engine.append(continuation, continuation.length);
  return { logits, policy };
}

describe('selectors inside the decode loop', () => {
  const dense = run(null, 0).logits;
  // PSAW prunes the P_ℓ(t) oldest tokens of deep layers by its depth schedule whatever the budget
  // (src/selectors/psaw.ts), so a full budget does not make it dense.
  it('psaw with a full budget still prunes deep layers (its schedule, not its budget)', () => {
    expect(Math.max(...run('psaw', capacity).policy!.stats.delta)).toBeGreaterThan(0);
  });
  for (const name of selectorNames.filter((n) => n !== 'psaw')) {
    it(`${name} with a budget of the whole context equals the dense run bit for bit`, () => {
      const { logits, policy } = run(name, capacity);
      expect(Array.from(logits)).toEqual(Array.from(dense));
      expect(Math.max(...policy!.stats.delta)).toBe(0);
    });
  }
  it('at budget 8 the oracle keeps its dropped mass below every other selector on average, and records one δ per head-step', () => {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const oracle = run('oracle', 8).policy!.stats;
    expect(oracle.delta.length).toBe(continuation.length * tiny.layers * tiny.queryHeads);
    for (const name of ['streamingllm', 'cis', 'h2o', 'quest'])
      expect(mean(run(name, 8).policy!.stats.delta)).toBeGreaterThanOrEqual(mean(oracle.delta));
  });
});
