/**
 * The full causal pass of the reference: all T tokens through the model layer by layer, with no
 * KV cache: each layer computes q, k, v of every position, then position t attends to positions
 * 0 … t. It shares the float64 primitives (norm, projections, RoPE, softmax) with the cached
 * decode path, so the two agree bit for bit exactly when the cache bookkeeping (positions,
 * appends, head mapping) is right (claim model.decode-equals-causal-pass).
 */
import { logitsUnchecked, weightedSumUnchecked } from '../../core/attention.js';
import { softmaxUnchecked } from '../../core/softmax.js';
import { layerTensor, modelTensor } from '../tensorName.js';
import { attentionScale } from '../numerics/roundedNumerics.js';
import type { Float64Numerics } from './float64Numerics.js';

/** Logits of every position, [T][vocabSize], for the token sequence `tokens` at positions 0 … T−1. */
export function causalForward(numerics: Float64Numerics, tokens: ArrayLike<number>): Float64Array[] {
  const c = numerics.config;
  const T = tokens.length;
  const n = numerics;
  let x = Array.from({ length: T }, (_, t) => n.embed(tokens[t]!));
  for (let layer = 0; layer < c.layers; layer++) {
    const w = (name: string): string => layerTensor(layer, name);
    const h = x.map((row) => n.rmsNorm(row, w('input_layernorm.weight')));
    const q = h.map((row) =>
      n.linear(row, w('self_attn.q_proj.weight'), c.qkvBias ? w('self_attn.q_proj.bias') : null),
    );
    const k = h.map((row) =>
      n.linear(row, w('self_attn.k_proj.weight'), c.qkvBias ? w('self_attn.k_proj.bias') : null),
    );
    const v = h.map((row) =>
      n.linear(row, w('self_attn.v_proj.weight'), c.qkvBias ? w('self_attn.v_proj.bias') : null),
    );
    q.forEach((row, t) => n.rope(row, c.queryHeads, t));
    k.forEach((row, t) => n.rope(row, c.kvHeads, t));
    const attended = causalAttention(
      q,
      headMajor(k, c.kvHeads, c.headDim),
      headMajor(v, c.kvHeads, c.headDim),
      c.queryHeads,
      c.kvHeads,
      c.headDim,
      attentionScale(c),
    );
    x = x.map((row, t) => {
      const next = row.slice();
      n.addInPlace(
        next,
        n.linear(attended[t]!, w('self_attn.o_proj.weight'), c.outputBias ? w('self_attn.o_proj.bias') : null),
      );
      const h2 = n.rmsNorm(next, w('post_attention_layernorm.weight'));
      const mlp = n.swiglu(n.linear(h2, w('mlp.gate_proj.weight'), null), n.linear(h2, w('mlp.up_proj.weight'), null));
      n.addInPlace(next, n.linear(mlp, w('mlp.down_proj.weight'), null));
      return next;
    });
  }
  const head = c.tieWordEmbeddings ? modelTensor('embed_tokens.weight') : 'lm_head.weight';
  return x.map((row) => n.linear(n.rmsNorm(row, modelTensor('norm.weight')), head, null));
}

/** Rows [T][heads·d] → one array [heads, T, d], so each head's keys are contiguous. */
function headMajor(rows: Float64Array[], heads: number, headDim: number): Float64Array {
  const T = rows.length;
  const out = new Float64Array(heads * T * headDim);
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < heads; h++) out.set(rows[t]!.subarray(h * headDim, (h + 1) * headDim), (h * T + t) * headDim);
  }
  return out;
}

/** Position t of query head h attends to positions 0 … t of KV head ⌊h / group⌋. */
function causalAttention(
  q: Float64Array[],
  K: Float64Array,
  V: Float64Array,
  queryHeads: number,
  kvHeads: number,
  headDim: number,
  scale: number,
): Float64Array[] {
  const T = q.length;
  const group = queryHeads / kvHeads;
  return q.map((row, t) => {
    const out = new Float64Array(queryHeads * headDim);
    for (let h = 0; h < queryHeads; h++) {
      const base = Math.floor(h / group) * T * headDim;
      const weights = softmaxUnchecked(logitsUnchecked(row, h * headDim, K, base, t + 1, headDim, scale));
      weightedSumUnchecked(weights, V, base, t + 1, headDim, out, h * headDim);
    }
    return out;
  });
}
