/**
 * Model shapes for seeded random checkpoints (`prhs model init --shape NAME`), each a full
 * ModelConfig with the sizes, RoPE, biases and tying of the published model it is named after,
 * so speed runs and cross-checks need no download. `tiny` is for tests: byte-level vocabulary
 * (256 bytes, then BOS and EOS), GQA with two query heads per KV head.
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { ModelConfig, RopeScaling } from './config.js';

const llama3Scaling = (factor: number): RopeScaling => ({
  type: 'llama3',
  factor,
  lowFreqFactor: 1,
  highFreqFactor: 4,
  originalMaxPositionEmbeddings: 8192,
});

const presetConfigs = {
  tiny: {
    architecture: 'LlamaForCausalLM',
    vocabSize: 258,
    hiddenSize: 64,
    intermediateSize: 160,
    layers: 2,
    queryHeads: 4,
    kvHeads: 2,
    headDim: 16,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    ropeScaling: { type: 'none' },
    maxPositionEmbeddings: 512,
    tieWordEmbeddings: false,
    qkvBias: false,
    outputBias: false,
    dtype: 'fp32',
    bosTokenId: 256,
    eosTokenId: 257,
  },
  /** LLaMA-3.2-1B. */
  'llama-1b': {
    architecture: 'LlamaForCausalLM',
    vocabSize: 128256,
    hiddenSize: 2048,
    intermediateSize: 8192,
    layers: 16,
    queryHeads: 32,
    kvHeads: 8,
    headDim: 64,
    rmsNormEps: 1e-5,
    ropeTheta: 500000,
    ropeScaling: llama3Scaling(32),
    maxPositionEmbeddings: 131072,
    tieWordEmbeddings: true,
    qkvBias: false,
    outputBias: false,
    dtype: 'bf16',
    bosTokenId: 128000,
    eosTokenId: 128001,
  },
  /** LLaMA-2-7B (multi-head attention). */
  'llama2-7b': {
    architecture: 'LlamaForCausalLM',
    vocabSize: 32000,
    hiddenSize: 4096,
    intermediateSize: 11008,
    layers: 32,
    queryHeads: 32,
    kvHeads: 32,
    headDim: 128,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    ropeScaling: { type: 'none' },
    maxPositionEmbeddings: 4096,
    tieWordEmbeddings: false,
    qkvBias: false,
    outputBias: false,
    dtype: 'fp16',
    bosTokenId: 1,
    eosTokenId: 2,
  },
  /** LLaMA-3.1-8B (GQA 8). */
  'llama3-8b': {
    architecture: 'LlamaForCausalLM',
    vocabSize: 128256,
    hiddenSize: 4096,
    intermediateSize: 14336,
    layers: 32,
    queryHeads: 32,
    kvHeads: 8,
    headDim: 128,
    rmsNormEps: 1e-5,
    ropeTheta: 500000,
    ropeScaling: llama3Scaling(8),
    maxPositionEmbeddings: 131072,
    tieWordEmbeddings: false,
    qkvBias: false,
    outputBias: false,
    dtype: 'bf16',
    bosTokenId: 128000,
    eosTokenId: 128001,
  },
  /** Mistral-7B-v0.2 (no sliding window). */
  'mistral-7b': {
    architecture: 'MistralForCausalLM',
    vocabSize: 32000,
    hiddenSize: 4096,
    intermediateSize: 14336,
    layers: 32,
    queryHeads: 32,
    kvHeads: 8,
    headDim: 128,
    rmsNormEps: 1e-5,
    ropeTheta: 1e6,
    ropeScaling: { type: 'none' },
    maxPositionEmbeddings: 32768,
    tieWordEmbeddings: false,
    qkvBias: false,
    outputBias: false,
    dtype: 'bf16',
    bosTokenId: 1,
    eosTokenId: 2,
  },
  /** Qwen2-7B (q/k/v biases, GQA 7). */
  'qwen2-7b': {
    architecture: 'Qwen2ForCausalLM',
    vocabSize: 152064,
    hiddenSize: 3584,
    intermediateSize: 18944,
    layers: 28,
    queryHeads: 28,
    kvHeads: 4,
    headDim: 128,
    rmsNormEps: 1e-6,
    ropeTheta: 1e6,
    ropeScaling: { type: 'none' },
    maxPositionEmbeddings: 32768,
    tieWordEmbeddings: false,
    qkvBias: true,
    outputBias: false,
    dtype: 'bf16',
    bosTokenId: 151643,
    eosTokenId: 151643,
  },
} satisfies Readonly<Record<string, ModelConfig>>;

export type ModelPresetName = keyof typeof presetConfigs;
export const modelPresets: Readonly<Record<ModelPresetName, ModelConfig>> = presetConfigs;
export const modelPresetNames = Object.keys(modelPresets) as ModelPresetName[];

/** The preset called `name`; an error naming `argument` and listing the presets otherwise. */
export function modelPreset(name: string, argument = 'shape'): ModelConfig {
  if (!Object.hasOwn(modelPresets, name))
    throw new InvalidArgumentError(argument, `one of ${modelPresetNames.join(', ')}`, JSON.stringify(name), 'domain');
  return modelPresets[name as ModelPresetName];
}
