import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ModelConfigError,
  modelConfigToJson,
  parseModelConfig,
  type ModelArchitecture,
  type ModelConfig,
  type RopeScaling,
  type WeightDtype,
} from '../../src/model/config.js';
import { modelPresets } from '../../src/model/presets.js';

// config.json files as published (abridged to the keys that matter).
const llama2 = {
  architectures: ['LlamaForCausalLM'],
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 4096,
  initializer_range: 0.02,
  intermediate_size: 11008,
  max_position_embeddings: 4096,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 32,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  tie_word_embeddings: false,
  torch_dtype: 'float16',
  transformers_version: '4.31.0.dev0',
  use_cache: true,
  vocab_size: 32000,
};
const llama31 = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  hidden_act: 'silu',
  hidden_size: 4096,
  initializer_range: 0.02,
  intermediate_size: 14336,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: {
    factor: 8.0,
    low_freq_factor: 1.0,
    high_freq_factor: 4.0,
    original_max_position_embeddings: 8192,
    rope_type: 'llama3',
  },
  rope_theta: 500000.0,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  use_cache: true,
  vocab_size: 128256,
};
const mistral02 = {
  architectures: ['MistralForCausalLM'],
  attention_dropout: 0.0,
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 4096,
  initializer_range: 0.02,
  intermediate_size: 14336,
  max_position_embeddings: 32768,
  model_type: 'mistral',
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_theta: 1000000.0,
  sliding_window: null,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  use_cache: true,
  vocab_size: 32000,
};
const qwen2 = {
  architectures: ['Qwen2ForCausalLM'],
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151643,
  hidden_act: 'silu',
  hidden_size: 3584,
  initializer_range: 0.02,
  intermediate_size: 18944,
  max_position_embeddings: 131072,
  max_window_layers: 28,
  model_type: 'qwen2',
  num_attention_heads: 28,
  num_hidden_layers: 28,
  num_key_value_heads: 4,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 131072,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 152064,
};
// transformers 5 writes RoPE as one rope_parameters object and the dtype as "dtype".
const llama32Hf5 = {
  architectures: ['LlamaForCausalLM'],
  bos_token_id: 128000,
  eos_token_id: 128001,
  head_dim: 64,
  hidden_size: 2048,
  intermediate_size: 8192,
  max_position_embeddings: 131072,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 16,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: true,
  dtype: 'bfloat16',
  rope_parameters: {
    rope_type: 'llama3',
    rope_theta: 500000.0,
    factor: 32.0,
    low_freq_factor: 1.0,
    high_freq_factor: 4.0,
    original_max_position_embeddings: 8192,
  },
  vocab_size: 128256,
};

function expectConfigError(json: unknown, field: string, ...fragments: string[]): void {
  let caught: unknown;
  try {
    parseModelConfig(json);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ModelConfigError);
  expect((caught as ModelConfigError).field).toBe(field);
  expect((caught as Error).message).toContain(`"${field}"`);
  for (const fragment of fragments) expect((caught as Error).message).toContain(fragment);
}

describe('parseModelConfig on published config.json shapes', () => {
  it('reads Llama-2-7B: multi-head, no RoPE scaling, fp16', () => {
    const c = parseModelConfig(llama2);
    expect(c).toMatchObject({
      architecture: 'LlamaForCausalLM',
      vocabSize: 32000,
      hiddenSize: 4096,
      intermediateSize: 11008,
      layers: 32,
      queryHeads: 32,
      kvHeads: 32,
      headDim: 128,
      ropeTheta: 10000,
      ropeScaling: { type: 'none' },
      maxPositionEmbeddings: 4096,
      dtype: 'fp16',
      qkvBias: false,
      outputBias: false,
      tieWordEmbeddings: false,
      bosTokenId: 1,
      eosTokenId: 2,
      rmsNormEps: 1e-5,
    });
  });

  it('reads Llama-3.1-8B: GQA, llama3 RoPE scaling, the first of several EOS ids', () => {
    const c = parseModelConfig(llama31);
    expect(c.kvHeads).toBe(8);
    expect(c.ropeTheta).toBe(500000);
    expect(c.ropeScaling).toEqual({
      type: 'llama3',
      factor: 8,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 8192,
    });
    expect(c.eosTokenId).toBe(128001);
    expect(c.dtype).toBe('bf16');
  });

  it('reads Mistral-7B-v0.2 (sliding_window null) and Qwen2-7B (q/k/v biases, sliding window off)', () => {
    expect(parseModelConfig(mistral02)).toMatchObject({
      architecture: 'MistralForCausalLM',
      kvHeads: 8,
      ropeTheta: 1e6,
      maxPositionEmbeddings: 32768,
      qkvBias: false,
      outputBias: false,
    });
    expect(parseModelConfig(qwen2)).toMatchObject({
      architecture: 'Qwen2ForCausalLM',
      hiddenSize: 3584,
      queryHeads: 28,
      kvHeads: 4,
      headDim: 128,
      qkvBias: true,
      outputBias: false,
      rmsNormEps: 1e-6,
    });
  });

  it('reads the transformers 5 form (rope_parameters, dtype) and an explicit head_dim', () => {
    const c = parseModelConfig(llama32Hf5);
    expect(c).toMatchObject({ ropeTheta: 500000, headDim: 64, dtype: 'bf16', tieWordEmbeddings: true });
    expect(c.ropeScaling).toEqual({
      type: 'llama3',
      factor: 32,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 8192,
    });
  });

  it('reads the older rope_scaling spelling {type: linear}', () => {
    expect(parseModelConfig({ ...llama2, rope_scaling: { type: 'linear', factor: 2 } }).ropeScaling).toEqual({
      type: 'linear',
      factor: 2,
    });
  });

  it("applies transformers' defaults to absent keys", () => {
    const llama = parseModelConfig({ model_type: 'llama' });
    expect(llama).toMatchObject({
      architecture: 'LlamaForCausalLM',
      vocabSize: 32000,
      intermediateSize: 11008,
      kvHeads: 32,
      maxPositionEmbeddings: 2048,
      rmsNormEps: 1e-6,
      ropeTheta: 10000,
      dtype: 'fp32',
      bosTokenId: 1,
      eosTokenId: 2,
    });
    const qwen = parseModelConfig({ architectures: ['Qwen2ForCausalLM'] });
    expect(qwen).toMatchObject({
      vocabSize: 151936,
      intermediateSize: 22016,
      kvHeads: 32,
      bosTokenId: null,
      eosTokenId: null,
    });
    expect(parseModelConfig({ architectures: ['MistralForCausalLM'], sliding_window: null })).toMatchObject({
      kvHeads: 8,
      intermediateSize: 14336,
      maxPositionEmbeddings: 131072,
    });
    expect(
      parseModelConfig({ architectures: ['MistralForCausalLM'], sliding_window: null, num_key_value_heads: null })
        .kvHeads,
    ).toBe(32);
  });

  it('reads Llama attention_bias as biases on q/k/v and o_proj', () => {
    expect(parseModelConfig({ ...llama2, attention_bias: true })).toMatchObject({ qkvBias: true, outputBias: true });
  });
});

describe('parseModelConfig refuses, naming the field', () => {
  it('an unknown architecture', () =>
    expectConfigError(
      { ...llama2, architectures: ['GPT2LMHeadModel'] },
      'architectures',
      'GPT2LMHeadModel',
      'LlamaForCausalLM',
    ));
  it('no architecture and no known model_type', () =>
    expectConfigError({ model_type: 'gpt2' }, 'architectures', 'gpt2'));
  it('a non-integer size', () =>
    expectConfigError({ ...llama2, hidden_size: 4096.5 }, 'hidden_size', 'positive integer', '4096.5'));
  it('a size given as a string', () =>
    expectConfigError({ ...llama2, num_hidden_layers: '32' }, 'num_hidden_layers', '"32"'));
  it('heads that do not divide the hidden size', () =>
    expectConfigError(
      { ...llama2, num_attention_heads: 30, num_key_value_heads: 30 },
      'num_attention_heads',
      'divisor of hidden_size (4096)',
      '30',
    ));
  it('KV heads that do not divide the query heads', () =>
    expectConfigError(
      { ...llama2, num_key_value_heads: 5 },
      'num_key_value_heads',
      'divisor of num_attention_heads (32)',
      '5',
    ));
  it('an odd head_dim', () => expectConfigError({ ...llama2, head_dim: 127 }, 'head_dim', 'even', '127'));
  it('MLP biases', () => expectConfigError({ ...llama31, mlp_bias: true }, 'mlp_bias', 'not supported'));
  it('an activation other than SiLU', () =>
    expectConfigError({ ...llama2, hidden_act: 'gelu' }, 'hidden_act', '"gelu"'));
  it('a Mistral sliding window shorter than the context', () =>
    expectConfigError({ ...mistral02, sliding_window: 4096 }, 'sliding_window', '32768', '4096'));
  it("a Mistral config without sliding_window (MistralConfig's default window is 4096)", () => {
    const noWindow: Record<string, unknown> = { ...mistral02 };
    delete noWindow.sliding_window;
    expectConfigError(noWindow, 'sliding_window', 'absent');
  });
  it('Qwen2 use_sliding_window', () =>
    expectConfigError({ ...qwen2, use_sliding_window: true }, 'use_sliding_window', 'not supported'));
  it('sliding-window layer types', () =>
    expectConfigError(
      { ...qwen2, layer_types: ['full_attention', 'sliding_attention'] },
      'layer_types',
      'sliding_attention',
    ));
  it('an unsupported RoPE type', () =>
    expectConfigError(
      { ...llama31, rope_scaling: { rope_type: 'yarn', factor: 4 } },
      'rope_scaling.rope_type',
      'yarn',
      'llama3',
    ));
  it('llama3 scaling without low_freq_factor', () => {
    const scaling: Record<string, unknown> = { ...llama31.rope_scaling };
    delete scaling.low_freq_factor;
    expectConfigError({ ...llama31, rope_scaling: scaling }, 'rope_scaling.low_freq_factor', 'absent');
  });
  it('llama3 scaling with high_freq_factor ≤ low_freq_factor', () =>
    expectConfigError(
      { ...llama31, rope_scaling: { ...llama31.rope_scaling, high_freq_factor: 1 } },
      'rope_scaling.high_freq_factor',
      'greater than low_freq_factor',
    ));
  it('a linear factor that is not positive', () =>
    expectConfigError({ ...llama2, rope_scaling: { rope_type: 'linear', factor: 0 } }, 'rope_scaling.factor', '0'));
  it('an unsupported dtype', () =>
    expectConfigError({ ...llama2, torch_dtype: 'float8_e4m3fn' }, 'torch_dtype', 'float8_e4m3fn', 'bfloat16'));
  it('a negative rms_norm_eps', () =>
    expectConfigError({ ...llama2, rms_norm_eps: -1e-5 }, 'rms_norm_eps', '-0.00001'));
  it('a malformed token id', () => expectConfigError({ ...llama2, eos_token_id: -1 }, 'eos_token_id', '-1'));
  it('a config that is not an object', () => expect(() => parseModelConfig([1, 2])).toThrow(ModelConfigError));
});

describe('modelConfigToJson', () => {
  it.each(Object.keys(modelPresets))('round-trips the %s preset through config.json', (name) => {
    const preset: ModelConfig = modelPresets[name as keyof typeof modelPresets];
    const json = JSON.parse(JSON.stringify(modelConfigToJson(preset)));
    expect(parseModelConfig(json)).toEqual(preset);
  });

  it('writes the keys transformers reads, with RoPE in both the 4.x and 5.x forms', () => {
    const json = modelConfigToJson(modelPresets['llama3-8b']);
    expect(json).toMatchObject({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      num_key_value_heads: 8,
      rope_theta: 500000,
      torch_dtype: 'bfloat16',
      dtype: 'bfloat16',
      attention_bias: false,
      mlp_bias: false,
      hidden_act: 'silu',
    });
    expect(json.rope_scaling).toEqual({
      rope_type: 'llama3',
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 8192,
    });
    expect(json.rope_parameters).toEqual({
      rope_type: 'llama3',
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 8192,
      rope_theta: 500000,
    });
    expect(modelConfigToJson(modelPresets['mistral-7b'])).toMatchObject({
      model_type: 'mistral',
      sliding_window: null,
    });
    expect(modelConfigToJson(modelPresets['qwen2-7b'])).toMatchObject({
      model_type: 'qwen2',
      use_sliding_window: false,
    });
  });

  it('refuses a config that its architecture cannot express', () => {
    expect(() => modelConfigToJson({ ...modelPresets['mistral-7b'], qkvBias: true })).toThrow(ModelConfigError);
    expect(() => modelConfigToJson({ ...modelPresets['qwen2-7b'], qkvBias: false })).toThrow(/Qwen2/);
    expect(() => modelConfigToJson({ ...modelPresets.tiny, kvHeads: 3 })).toThrow(/num_key_value_heads/);
  });
});

describe('modelConfigToJson and parseModelConfig are inverse on every valid config', () => {
  const ropeScaling = fc.oneof(
    fc.constant<RopeScaling>({ type: 'none' }),
    fc.record({ type: fc.constant('linear' as const), factor: fc.double({ min: 1, max: 64, noNaN: true }) }),
    fc.record({
      type: fc.constant('llama3' as const),
      factor: fc.double({ min: 1, max: 64, noNaN: true }),
      lowFreqFactor: fc.double({ min: 0.5, max: 2, noNaN: true }),
      highFreqFactor: fc.double({ min: 2.5, max: 8, noNaN: true }),
      originalMaxPositionEmbeddings: fc.integer({ min: 1, max: 1 << 20 }),
    }),
  );
  const config: fc.Arbitrary<ModelConfig> = fc
    .record({
      architecture: fc.constantFrom<ModelArchitecture>('LlamaForCausalLM', 'MistralForCausalLM', 'Qwen2ForCausalLM'),
      kvHeads: fc.integer({ min: 1, max: 8 }),
      group: fc.integer({ min: 1, max: 8 }),
      headDimHalf: fc.integer({ min: 1, max: 128 }),
      hiddenPerHead: fc.integer({ min: 1, max: 256 }),
      vocabSize: fc.integer({ min: 1, max: 200_000 }),
      intermediateSize: fc.integer({ min: 1, max: 50_000 }),
      layers: fc.integer({ min: 1, max: 100 }),
      rmsNormEps: fc.double({ min: 1e-12, max: 1e-2, noNaN: true }),
      ropeTheta: fc.double({ min: 1, max: 1e7, noNaN: true }),
      ropeScaling,
      maxPositionEmbeddings: fc.integer({ min: 1, max: 1 << 20 }),
      tieWordEmbeddings: fc.boolean(),
      bias: fc.boolean(),
      dtype: fc.constantFrom<WeightDtype>('fp32', 'fp16', 'bf16'),
      bosTokenId: fc.option(fc.nat(), { nil: null }),
      eosTokenId: fc.option(fc.nat(), { nil: null }),
    })
    .map(({ kvHeads, group, headDimHalf, hiddenPerHead, bias, ...rest }) => ({
      ...rest,
      queryHeads: kvHeads * group,
      kvHeads,
      headDim: 2 * headDimHalf,
      hiddenSize: kvHeads * group * hiddenPerHead,
      qkvBias: rest.architecture === 'Qwen2ForCausalLM' || (rest.architecture === 'LlamaForCausalLM' && bias),
      outputBias: rest.architecture === 'LlamaForCausalLM' && bias,
    }));

  it('parse(toJson(c)) = c, through JSON text', () => {
    fc.assert(
      fc.property(config, (c) => {
        expect(parseModelConfig(JSON.parse(JSON.stringify(modelConfigToJson(c))))).toEqual(c);
      }),
      { numRuns: 300 },
    );
  });
});
