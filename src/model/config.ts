/**
 * The model configuration of a LLaMA-family decoder (LlamaForCausalLM, MistralForCausalLM,
 * Qwen2ForCausalLM), read from and written to a Hugging Face `config.json`. Key names and
 * defaults follow transformers' own LlamaConfig, MistralConfig and Qwen2Config, so a config.json
 * means here what it means there; anything the float64 reference does not implement (MLP biases,
 * sliding windows, RoPE types other than default/linear/llama3, activations other than SiLU) is
 * refused with an error naming the field rather than silently computed differently.
 */
import type { StorageDtype } from '../numeric/storage.js';
import { architectureDefaults, architectureOfJson, modelArchitectures, modelTypes } from './architectures.js';
import { describeValue, ModelConfigError } from './configError.js';
import { ConfigFields } from './configFields.js';
import { parseRopeScaling, ropeScalingToJson, validateRopeScaling } from './ropeScaling.js';

export { describeValue, ModelConfigError } from './configError.js';
export { modelArchitectures } from './architectures.js';

export type ModelArchitecture = 'LlamaForCausalLM' | 'MistralForCausalLM' | 'Qwen2ForCausalLM';

/** Weight storage dtypes: the same strings as StorageDtype. */
export type WeightDtype = StorageDtype;
export const weightDtypes: readonly WeightDtype[] = ['fp32', 'fp16', 'bf16'];

export type RopeScaling =
  | { readonly type: 'none' }
  | { readonly type: 'linear'; readonly factor: number }
  | {
      readonly type: 'llama3';
      readonly factor: number;
      readonly lowFreqFactor: number;
      readonly highFreqFactor: number;
      readonly originalMaxPositionEmbeddings: number;
    };

export interface ModelConfig {
  readonly architecture: ModelArchitecture;
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly layers: number;
  readonly queryHeads: number;
  readonly kvHeads: number;
  /** config head_dim if present, else hidden_size / num_attention_heads. */
  readonly headDim: number;
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  readonly ropeScaling: RopeScaling;
  readonly maxPositionEmbeddings: number;
  readonly tieWordEmbeddings: boolean;
  /** Biases on q_proj, k_proj, v_proj. Qwen2: always; Llama: attention_bias; Mistral: never. */
  readonly qkvBias: boolean;
  /** A bias on o_proj. Llama: attention_bias; Qwen2 and Mistral: never. */
  readonly outputBias: boolean;
  /** From "torch_dtype" or "dtype" (float32/float16/bfloat16); float32 when neither is present. */
  readonly dtype: WeightDtype;
  readonly bosTokenId: number | null;
  /** The first id when config.json lists several. */
  readonly eosTokenId: number | null;
}

const torchDtypes: Readonly<Record<string, WeightDtype>> = { float32: 'fp32', float16: 'fp16', bfloat16: 'bf16' };
const dtypeNames: Readonly<Record<WeightDtype, string>> = { fp32: 'float32', fp16: 'float16', bf16: 'bfloat16' };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseDtype(json: Readonly<Record<string, unknown>>): WeightDtype {
  const key = json.dtype !== undefined && json.dtype !== null ? 'dtype' : 'torch_dtype';
  const value = json[key];
  if (value === undefined || value === null) return 'fp32';
  const dtype = typeof value === 'string' ? torchDtypes[value] : undefined;
  if (!dtype) throw new ModelConfigError(key, 'one of float32, float16, bfloat16', describeValue(value));
  return dtype;
}

/** Refuses the features of these architectures that the reference forward does not implement. */
function refuseUnsupported(fields: ConfigFields, architecture: ModelArchitecture, maxPositionEmbeddings: number): void {
  const activation = fields.raw('hidden_act') ?? 'silu';
  if (activation !== 'silu')
    throw new ModelConfigError(
      'hidden_act',
      '"silu" (the SwiGLU MLP of LLaMA-family models)',
      describeValue(activation),
    );
  if (fields.boolean('mlp_bias', false))
    throw new ModelConfigError('mlp_bias', 'false (biases on gate/up/down_proj are not supported)', 'true');
  if (architecture === 'MistralForCausalLM') {
    // MistralConfig's default window is 4096; a window at least as long as the context is dense attention.
    const absent = fields.raw('sliding_window') === undefined;
    const window = absent ? 4096 : fields.raw('sliding_window');
    if (window !== null && (typeof window !== 'number' || window < maxPositionEmbeddings)) {
      const received = absent
        ? "nothing (the key is absent, and MistralConfig's default is 4096)"
        : describeValue(window);
      throw new ModelConfigError(
        'sliding_window',
        `null or a window ≥ max_position_embeddings (${maxPositionEmbeddings}); sliding-window attention is not supported`,
        received,
      );
    }
  }
  if (architecture === 'Qwen2ForCausalLM') {
    if (fields.boolean('use_sliding_window', false))
      throw new ModelConfigError('use_sliding_window', 'false (sliding-window attention is not supported)', 'true');
  }
  const layerTypes = fields.raw('layer_types');
  if (layerTypes !== undefined && layerTypes !== null) {
    if (!Array.isArray(layerTypes) || layerTypes.some((t) => t !== 'full_attention')) {
      throw new ModelConfigError(
        'layer_types',
        'null or a list of "full_attention" (sliding-window layers are not supported)',
        describeValue(layerTypes),
      );
    }
  }
}

/** Checks the relations between sizes that every LLaMA-family decoder needs. */
export function validateModelConfig(config: ModelConfig): void {
  const c = config;
  if (!modelArchitectures.includes(c.architecture)) {
    throw new ModelConfigError(
      'architectures',
      `one of ${modelArchitectures.join(', ')}`,
      describeValue(c.architecture),
    );
  }
  const sizes: [string, number][] = [
    ['vocab_size', c.vocabSize],
    ['hidden_size', c.hiddenSize],
    ['intermediate_size', c.intermediateSize],
    ['num_hidden_layers', c.layers],
    ['num_attention_heads', c.queryHeads],
    ['num_key_value_heads', c.kvHeads],
    ['head_dim', c.headDim],
    ['max_position_embeddings', c.maxPositionEmbeddings],
  ];
  for (const [field, value] of sizes) {
    if (!Number.isSafeInteger(value) || value < 1)
      throw new ModelConfigError(field, 'a positive integer', describeValue(value));
  }
  if (c.hiddenSize % c.queryHeads !== 0) {
    throw new ModelConfigError(
      'num_attention_heads',
      `a divisor of hidden_size (${c.hiddenSize})`,
      String(c.queryHeads),
    );
  }
  if (c.queryHeads % c.kvHeads !== 0) {
    throw new ModelConfigError(
      'num_key_value_heads',
      `a divisor of num_attention_heads (${c.queryHeads})`,
      String(c.kvHeads),
    );
  }
  if (c.headDim % 2 !== 0)
    throw new ModelConfigError('head_dim', 'an even number (rotary embedding rotates pairs)', String(c.headDim));
  for (const [field, value] of [
    ['rms_norm_eps', c.rmsNormEps],
    ['rope_theta', c.ropeTheta],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0)
      throw new ModelConfigError(field, 'a finite positive number', describeValue(value));
  }
  validateRopeScaling(c.ropeScaling);
  if (!weightDtypes.includes(c.dtype))
    throw new ModelConfigError('torch_dtype', 'one of fp32, fp16, bf16', describeValue(c.dtype));
  for (const [field, value] of [
    ['bos_token_id', c.bosTokenId],
    ['eos_token_id', c.eosTokenId],
  ] as const) {
    if (value !== null && (!Number.isSafeInteger(value) || value < 0))
      throw new ModelConfigError(field, 'a non-negative integer or null', describeValue(value));
  }
  validateBiases(c);
}

/** The attention biases each architecture can express in config.json. */
function validateBiases(c: ModelConfig): void {
  const received = `qkvBias ${c.qkvBias}, outputBias ${c.outputBias}`;
  if (c.architecture === 'Qwen2ForCausalLM' && (!c.qkvBias || c.outputBias))
    throw new ModelConfigError('attention_bias', 'Qwen2: q/k/v biases and no o_proj bias', received);
  if (c.architecture === 'MistralForCausalLM' && (c.qkvBias || c.outputBias))
    throw new ModelConfigError('attention_bias', 'Mistral: no attention biases', received);
  if (c.architecture === 'LlamaForCausalLM' && c.qkvBias !== c.outputBias)
    throw new ModelConfigError('attention_bias', 'Llama: one attention_bias for q/k/v/o_proj alike', received);
}

/** Parses a Hugging Face config.json object (already JSON-decoded). */
export function parseModelConfig(json: unknown): ModelConfig {
  if (!isObject(json)) throw new ModelConfigError('(config)', 'a JSON object', describeValue(json));
  const architecture = architectureOfJson(json);
  const defaults = architectureDefaults[architecture];
  const fields = new ConfigFields(json);
  const hiddenSize = fields.positiveInteger('hidden_size', defaults.hiddenSize);
  const queryHeads = fields.positiveInteger('num_attention_heads', defaults.queryHeads);
  if (hiddenSize % queryHeads !== 0)
    throw new ModelConfigError('num_attention_heads', `a divisor of hidden_size (${hiddenSize})`, String(queryHeads));
  const maxPositionEmbeddings = fields.positiveInteger('max_position_embeddings', defaults.maxPositionEmbeddings);
  refuseUnsupported(fields, architecture, maxPositionEmbeddings);
  const attentionBias = architecture === 'LlamaForCausalLM' ? fields.boolean('attention_bias', false) : false;
  const { ropeTheta, ropeScaling } = parseRopeScaling(json, maxPositionEmbeddings);
  const config: ModelConfig = {
    architecture,
    vocabSize: fields.positiveInteger('vocab_size', defaults.vocabSize),
    hiddenSize,
    intermediateSize: fields.positiveInteger('intermediate_size', defaults.intermediateSize),
    layers: fields.positiveInteger('num_hidden_layers', defaults.layers),
    queryHeads,
    // Absent: the class default (Mistral 8); null: multi-head attention, as every one of the three classes does.
    kvHeads: fields.positiveInteger(
      'num_key_value_heads',
      json.num_key_value_heads === null ? queryHeads : (defaults.kvHeads ?? queryHeads),
    ),
    headDim: fields.positiveInteger('head_dim', hiddenSize / queryHeads),
    rmsNormEps: fields.positiveNumber('rms_norm_eps', 1e-6),
    ropeTheta,
    ropeScaling,
    maxPositionEmbeddings,
    tieWordEmbeddings: fields.boolean('tie_word_embeddings', false),
    qkvBias: architecture === 'Qwen2ForCausalLM' ? true : attentionBias,
    outputBias: attentionBias,
    dtype: parseDtype(json),
    bosTokenId: fields.tokenId('bos_token_id', defaults.bosTokenId),
    eosTokenId: fields.tokenId('eos_token_id', defaults.eosTokenId),
  };
  validateModelConfig(config);
  return config;
}

/**
 * The config.json object of a ModelConfig, with the keys transformers reads: RoPE both as the
 * legacy `rope_theta` + `rope_scaling` (transformers 4) and as `rope_parameters` (transformers 5),
 * and the dtype as both `torch_dtype` and `dtype`. parseModelConfig(modelConfigToJson(c)) equals c.
 */
export function modelConfigToJson(config: ModelConfig): Record<string, unknown> {
  validateModelConfig(config);
  const c = config;
  const { ropeScaling, ropeParameters } = ropeScalingToJson(c.ropeTheta, c.ropeScaling);
  const json: Record<string, unknown> = {
    architectures: [c.architecture],
    model_type: modelTypes[c.architecture],
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.layers,
    num_attention_heads: c.queryHeads,
    num_key_value_heads: c.kvHeads,
    head_dim: c.headDim,
    hidden_act: 'silu',
    max_position_embeddings: c.maxPositionEmbeddings,
    initializer_range: 0.02,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: ropeScaling,
    rope_parameters: ropeParameters,
    tie_word_embeddings: c.tieWordEmbeddings,
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenId,
    torch_dtype: dtypeNames[c.dtype],
    dtype: dtypeNames[c.dtype],
    use_cache: true,
    attention_dropout: 0.0,
  };
  if (c.architecture === 'LlamaForCausalLM')
    Object.assign(json, { attention_bias: c.qkvBias, mlp_bias: false, pretraining_tp: 1 });
  if (c.architecture === 'MistralForCausalLM') json.sliding_window = null;
  if (c.architecture === 'Qwen2ForCausalLM')
    Object.assign(json, { use_sliding_window: false, sliding_window: null, max_window_layers: c.layers });
  return json;
}
