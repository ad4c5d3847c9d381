import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { validateModelConfig } from '../../src/model/config.js';
import { modelPreset, modelPresetNames, modelPresets } from '../../src/model/presets.js';
import { elementCount, expectedTensors } from '../../src/model/tensorNames.js';

function parameterCount(name: keyof typeof modelPresets): number {
  let total = 0;
  for (const shape of expectedTensors(modelPresets[name]).values()) total += elementCount(shape);
  return total;
}

describe('model presets', () => {
  it('are valid configs', () => {
    for (const name of modelPresetNames) expect(() => validateModelConfig(modelPresets[name])).not.toThrow();
  });

  it('have the parameter counts of the published models they are named after', () => {
    expect(parameterCount('llama-1b')).toBe(1_235_814_400); // Llama-3.2-1B
    expect(parameterCount('llama2-7b')).toBe(6_738_415_616); // Llama-2-7b-hf
    expect(parameterCount('llama3-8b')).toBe(8_030_261_248); // Llama-3.1-8B
    expect(parameterCount('mistral-7b')).toBe(7_241_732_096); // Mistral-7B-v0.2
    expect(parameterCount('qwen2-7b')).toBe(7_615_616_512); // Qwen2-7B
  });

  it('tiny is the test shape: byte vocabulary plus BOS/EOS, GQA 2, head_dim 16', () => {
    expect(modelPresets.tiny).toMatchObject({
      layers: 2,
      hiddenSize: 64,
      intermediateSize: 160,
      queryHeads: 4,
      kvHeads: 2,
      headDim: 16,
      vocabSize: 258,
      bosTokenId: 256,
      eosTokenId: 257,
      maxPositionEmbeddings: 512,
    });
  });

  it('modelPreset names the argument and lists the presets on an unknown name', () => {
    expect(modelPreset('tiny')).toBe(modelPresets.tiny);
    expect(() => modelPreset('gpt-5')).toThrow(InvalidArgumentError);
    expect(() => modelPreset('toString')).toThrow(/shape: expected one of tiny, llama-1b/);
  });
});
