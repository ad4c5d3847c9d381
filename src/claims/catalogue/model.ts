/** The model claims (theory/model.md): the float64 reference forward of LLaMA-family decoders is self-consistent. */
import type { ClaimStatement } from '../claim.js';

export const modelClaims: readonly ClaimStatement[] = [
  {
    id: 'model.decode-equals-causal-pass',
    title: 'Decoding token by token with the KV cache equals the full causal pass',
    statement:
      'For every LLaMA/Mistral/Qwen2 model the reference implements and every token sequence, the logits of position t from cached decoding (one token at a time, K/V appended to the cache) equal, bit for bit, those of the full causal pass that recomputes every position of every layer with no cache.',
    domain:
      'any config the reference accepts (GQA, q/k/v and o_proj biases, tied heads, RoPE none/linear/llama3, fp32/fp16/bf16 weights), T ≤ max_position_embeddings',
    source: 'ours',
    expected: 'holds',
  },
  {
    id: 'model.rope-relative-position',
    title: 'RoPE scores depend only on relative position',
    statement:
      'For rotary embedding with any inverse frequencies θ and vectors q, k ∈ R^d: R(mθ)q · R(nθ)k = R((m+s)θ)q · R((n+s)θ)k for every shift s; the computed scores agree within ‖q‖‖k‖(E(m,n) + E(m+s,n+s)), E(a,b) = ε_a + ε_b + ε_a ε_b + γ_d(1+ε_a)(1+ε_b), ε_p = 2(p+5)·2⁻⁵³.',
    domain: 'd even, positions m, n ≤ 4096, shifts s ≤ 2¹⁷, any base θ ∈ [1, 10⁶]',
    source: 'derived',
    expected: 'holds',
  },
  {
    id: 'model.gqa-equals-expanded-mha',
    title: 'GQA equals the multi-head model with repeated K/V projections',
    statement:
      'A model with Hkv KV heads and Hq = g·Hkv query heads gives bit-for-bit the logits of the multi-head model (Hkv = Hq) whose k_proj/v_proj rows and biases repeat each KV head for the g query heads of its group; with Hkv = Hq the expansion is the identity, so the GQA code path is multi-head attention.',
    domain: 'Hkv divides Hq; any config the reference accepts',
    source: 'ours',
    expected: 'holds',
  },
  {
    id: 'model.sparse-all-equals-dense',
    title: 'A sparse step keeping every token equals the dense step',
    statement:
      'Decoding with, at every layer and head, the kept list 0, 1, …, t (every cached position, in order) gives bit for bit the logits of dense decoding.',
    domain: 'any config the reference accepts, any token sequence',
    source: 'ours',
    expected: 'holds',
  },
];
