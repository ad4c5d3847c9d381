import { describe, expect, it } from 'vitest';
import { modelPresets } from '../../src/model/presets.js';
import { expectedTensors, ignoredTensorShape, isNormWeight } from '../../src/model/tensorNames.js';

describe('expectedTensors', () => {
  it('lists the Hugging Face names and [out, in] shapes of a GQA model', () => {
    const tensors = expectedTensors(modelPresets.tiny);
    expect(tensors.size).toBe(1 + 2 * 9 + 2);
    expect(tensors.get('model.embed_tokens.weight')).toEqual([258, 64]);
    expect(tensors.get('model.layers.1.self_attn.q_proj.weight')).toEqual([64, 64]);
    expect(tensors.get('model.layers.1.self_attn.k_proj.weight')).toEqual([32, 64]);
    expect(tensors.get('model.layers.0.self_attn.o_proj.weight')).toEqual([64, 64]);
    expect(tensors.get('model.layers.0.mlp.gate_proj.weight')).toEqual([160, 64]);
    expect(tensors.get('model.layers.0.mlp.down_proj.weight')).toEqual([64, 160]);
    expect(tensors.get('model.layers.0.post_attention_layernorm.weight')).toEqual([64]);
    expect(tensors.get('lm_head.weight')).toEqual([258, 64]);
    expect([...tensors.keys()].at(-2)).toBe('model.norm.weight');
  });

  it('adds q/k/v biases for Qwen2 and o_proj biases for Llama attention_bias', () => {
    const qwen = expectedTensors(modelPresets['qwen2-7b']);
    expect(qwen.get('model.layers.27.self_attn.k_proj.bias')).toEqual([512]);
    expect(qwen.has('model.layers.0.self_attn.o_proj.bias')).toBe(false);
    const biased = expectedTensors({ ...modelPresets.tiny, qkvBias: true, outputBias: true });
    expect(biased.get('model.layers.0.self_attn.o_proj.bias')).toEqual([64]);
    expect(expectedTensors(modelPresets.tiny).has('model.layers.0.self_attn.q_proj.bias')).toBe(false);
  });

  it('leaves lm_head out of a tied model, and accepts it there (ignored) only with the right shape', () => {
    const tied = modelPresets['llama-1b'];
    expect(expectedTensors(tied).has('lm_head.weight')).toBe(false);
    expect(ignoredTensorShape(tied, 'lm_head.weight')).toEqual([128256, 2048]);
    expect(ignoredTensorShape(modelPresets.tiny, 'lm_head.weight')).toBeUndefined();
  });

  it('accepts rotary inv_freq buffers of existing layers only', () => {
    expect(ignoredTensorShape(modelPresets.tiny, 'model.layers.1.self_attn.rotary_emb.inv_freq')).toBeNull();
    expect(ignoredTensorShape(modelPresets.tiny, 'model.layers.2.self_attn.rotary_emb.inv_freq')).toBeUndefined();
    expect(ignoredTensorShape(modelPresets.tiny, 'model.layers.0.mlp.extra.weight')).toBeUndefined();
  });

  it('tells the norm weights apart', () => {
    expect(isNormWeight('model.layers.3.input_layernorm.weight')).toBe(true);
    expect(isNormWeight('model.norm.weight')).toBe(true);
    expect(isNormWeight('model.layers.3.mlp.up_proj.weight')).toBe(false);
  });
});
