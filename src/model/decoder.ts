/**
 * One token of one sequence through a LLaMA-family decoder (LlamaForCausalLM, MistralForCausalLM,
 * Qwen2ForCausalLM), written once against `DecoderNumerics`, the arithmetic of one engine: the
 * float64 reference, the naive float32 yardstick, or the native CPU kernels. The order of
 * operations is HF transformers' (modeling_llama.py):
 *
 *   x = embed(token)
 *   per layer: h = RMSNorm(x); q, k, v = h·Wqᵀ (+b), h·Wkᵀ (+b), h·Wvᵀ (+b); RoPE(q), RoPE(k) at the
 *              token's position; a = attention of each query head over its KV head's cache (the
 *              token's own k, v appended first); x += a·Woᵀ (+b); h = RMSNorm(x);
 *              x += (SiLU(h·Wgateᵀ) ⊙ h·Wupᵀ)·Wdownᵀ
 *   logits = RMSNorm(x)·Wheadᵀ (Whead = the embedding when tied)
 */
import type { ModelConfig } from './config.js';
import { layerTensor, modelTensor } from './tensorName.js';

/**
 * Kept positions of every query head of one (layer, sequence): [queryHeads, selected], −1 = padding.
 * A head whose row is all padding (its selector kept nothing) attends to nothing: its output is zero.
 */
export interface KeptLists {
  readonly indices: Int32Array;
  readonly selected: number;
}

/** The arithmetic one engine uses. Vectors are float64 arrays holding that arithmetic's values. */
export interface DecoderNumerics {
  readonly config: ModelConfig;
  /** Row `token` of the embedding table: [hiddenSize]. */
  embed(token: number): Float64Array;
  /** weight ⊙ x / √(mean(x²) + ε). */
  rmsNorm(x: Float64Array, weight: string): Float64Array;
  /** x·Wᵀ (+ bias): W is [out, in]; x is [in]; returns [out]. */
  linear(x: Float64Array, weight: string, bias: string | null): Float64Array;
  /** Rotates `heads` head vectors of x in place to `position`. */
  rope(x: Float64Array, heads: number, position: number): void;
  /** SiLU(gate) ⊙ up. */
  swiglu(gate: Float64Array, up: Float64Array): Float64Array;
  /** x += y. */
  addInPlace(x: Float64Array, y: Float64Array): void;
  /** Appends k, v ([kvHeads, headDim]) to the cache of (layer, sequence) at `position`. */
  appendKeyValue(layer: number, sequence: number, position: number, k: Float64Array, v: Float64Array): void;
  /** Attention of q ([queryHeads, headDim]) over the cache positions 0 … length − 1, or over `kept`. */
  attention(layer: number, sequence: number, length: number, q: Float64Array, kept: KeptLists | null): Float64Array;
}

/** Chooses kept positions per layer; sees every layer's post-RoPE q, k, v first. */
export interface SelectionPolicy {
  /** Called once per layer and token, before attention; null keeps every position (dense). */
  select(request: SelectionRequest): KeptLists | null;
}

export interface SelectionRequest {
  readonly layer: number;
  readonly sequence: number;
  /** Position of this token; the cache holds positions 0 … position. */
  readonly position: number;
  /** Post-RoPE query [queryHeads, headDim], key and value [kvHeads, headDim] of this token. */
  readonly query: Float64Array;
  readonly key: Float64Array;
  readonly value: Float64Array;
}

/** Runs `token` at `position` of `sequence` through the decoder; returns the logits [vocabSize]. */
export function decodeToken(
  n: DecoderNumerics,
  sequence: number,
  token: number,
  position: number,
  policy: SelectionPolicy | null = null,
): Float64Array {
  const c = n.config;
  const x = n.embed(token);
  for (let layer = 0; layer < c.layers; layer++) {
    const w = (name: string): string => layerTensor(layer, name);
    const h = n.rmsNorm(x, w('input_layernorm.weight'));
    const q = n.linear(h, w('self_attn.q_proj.weight'), c.qkvBias ? w('self_attn.q_proj.bias') : null);
    const k = n.linear(h, w('self_attn.k_proj.weight'), c.qkvBias ? w('self_attn.k_proj.bias') : null);
    const v = n.linear(h, w('self_attn.v_proj.weight'), c.qkvBias ? w('self_attn.v_proj.bias') : null);
    n.rope(q, c.queryHeads, position);
    n.rope(k, c.kvHeads, position);
    n.appendKeyValue(layer, sequence, position, k, v);
    const kept = policy ? policy.select({ layer, sequence, position, query: q, key: k, value: v }) : null;
    const a = n.attention(layer, sequence, position + 1, q, kept);
    n.addInPlace(x, n.linear(a, w('self_attn.o_proj.weight'), c.outputBias ? w('self_attn.o_proj.bias') : null));
    const h2 = n.rmsNorm(x, w('post_attention_layernorm.weight'));
    const gate = n.linear(h2, w('mlp.gate_proj.weight'), null);
    const up = n.linear(h2, w('mlp.up_proj.weight'), null);
    n.addInPlace(x, n.linear(n.swiglu(gate, up), w('mlp.down_proj.weight'), null));
  }
  const final = n.rmsNorm(x, modelTensor('norm.weight'));
  return n.linear(final, c.tieWordEmbeddings ? modelTensor('embed_tokens.weight') : 'lm_head.weight', null);
}
