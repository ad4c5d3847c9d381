/** HF tensor names of LLaMA-family checkpoints (`model.layers.{i}.…`, `model.norm.weight`, `lm_head.weight`). */

/** `model.layers.{layer}.{name}`, e.g. layerTensor(0, 'self_attn.q_proj.weight'). */
export function layerTensor(layer: number, name: string): string {
  return `model.layers.${layer}.${name}`;
}

/** `model.{name}`, e.g. modelTensor('embed_tokens.weight'). */
export function modelTensor(name: string): string {
  return `model.${name}`;
}
