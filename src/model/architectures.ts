/**
 * The three supported architectures: how config.json names them (`architectures`, or
 * `model_type` when that list is absent) and the defaults transformers' config classes give the
 * keys a config.json may omit (LlamaConfig, MistralConfig, Qwen2Config).
 */
import type { ModelArchitecture } from './config.js';
import { describeValue, ModelConfigError } from './configError.js';

export const modelArchitectures: readonly ModelArchitecture[] = [
  'LlamaForCausalLM',
  'MistralForCausalLM',
  'Qwen2ForCausalLM',
];

export const modelTypes: Readonly<Record<ModelArchitecture, string>> = {
  LlamaForCausalLM: 'llama',
  MistralForCausalLM: 'mistral',
  Qwen2ForCausalLM: 'qwen2',
};

export interface ArchitectureDefaults {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly layers: number;
  readonly queryHeads: number;
  /** null: num_attention_heads (multi-head attention). */
  readonly kvHeads: number | null;
  readonly maxPositionEmbeddings: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
}

export const architectureDefaults: Readonly<Record<ModelArchitecture, ArchitectureDefaults>> = {
  LlamaForCausalLM: {
    vocabSize: 32000,
    hiddenSize: 4096,
    intermediateSize: 11008,
    layers: 32,
    queryHeads: 32,
    kvHeads: null,
    maxPositionEmbeddings: 2048,
    bosTokenId: 1,
    eosTokenId: 2,
  },
  MistralForCausalLM: {
    vocabSize: 32000,
    hiddenSize: 4096,
    intermediateSize: 14336,
    layers: 32,
    queryHeads: 32,
    kvHeads: 8,
    maxPositionEmbeddings: 4096 * 32,
    bosTokenId: 1,
    eosTokenId: 2,
  },
  Qwen2ForCausalLM: {
    vocabSize: 151936,
    hiddenSize: 4096,
    intermediateSize: 22016,
    layers: 32,
    queryHeads: 32,
    kvHeads: 32,
    maxPositionEmbeddings: 32768,
    bosTokenId: null,
    eosTokenId: null,
  },
};

/** The architecture a config.json declares: its one `architectures` entry, else its `model_type`. */
export function architectureOfJson(json: Readonly<Record<string, unknown>>): ModelArchitecture {
  const listed = json.architectures;
  if (listed !== undefined && listed !== null) {
    if (!Array.isArray(listed) || listed.length !== 1 || !modelArchitectures.includes(listed[0] as ModelArchitecture)) {
      throw new ModelConfigError(
        'architectures',
        `a list of one of ${modelArchitectures.join(', ')}`,
        describeValue(listed),
      );
    }
    return listed[0] as ModelArchitecture;
  }
  const byType = Object.entries(modelTypes).find(([, type]) => type === json.model_type);
  if (!byType) {
    throw new ModelConfigError(
      'architectures',
      `a list of one of ${modelArchitectures.join(', ')} (or model_type ${Object.values(modelTypes).join(', ')})`,
      `architectures absent, model_type ${describeValue(json.model_type)}`,
    );
  }
  return byType[0] as ModelArchitecture;
}
