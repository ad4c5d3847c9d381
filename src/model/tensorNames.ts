/**
 * The tensors of a LLaMA-family checkpoint under Hugging Face's names, with their shapes
 * (linear weights are [out, in], as torch.nn.Linear stores them). Two kinds of extra tensor are
 * accepted and ignored: `lm_head.weight` in a tied model (when its shape is [vocab, hidden]; the
 * tied model reads the embedding, as transformers does), and the `rotary_emb.inv_freq` buffers
 * that older transformers saved (RoPE is recomputed from the config).
 */
import type { ModelConfig } from './config.js';

/** Expected tensor names and shapes, in the order transformers lists them. */
export function expectedTensors(config: ModelConfig): ReadonlyMap<string, readonly number[]> {
  const c = config;
  const queryWidth = c.queryHeads * c.headDim;
  const kvWidth = c.kvHeads * c.headDim;
  const tensors = new Map<string, readonly number[]>();
  tensors.set('model.embed_tokens.weight', [c.vocabSize, c.hiddenSize]);
  for (let i = 0; i < c.layers; i++) {
    const layer = `model.layers.${i}`;
    tensors.set(`${layer}.input_layernorm.weight`, [c.hiddenSize]);
    for (const [projection, width] of [
      ['q_proj', queryWidth],
      ['k_proj', kvWidth],
      ['v_proj', kvWidth],
    ] as const) {
      tensors.set(`${layer}.self_attn.${projection}.weight`, [width, c.hiddenSize]);
      if (c.qkvBias) tensors.set(`${layer}.self_attn.${projection}.bias`, [width]);
    }
    tensors.set(`${layer}.self_attn.o_proj.weight`, [c.hiddenSize, queryWidth]);
    if (c.outputBias) tensors.set(`${layer}.self_attn.o_proj.bias`, [c.hiddenSize]);
    tensors.set(`${layer}.post_attention_layernorm.weight`, [c.hiddenSize]);
    tensors.set(`${layer}.mlp.gate_proj.weight`, [c.intermediateSize, c.hiddenSize]);
    tensors.set(`${layer}.mlp.up_proj.weight`, [c.intermediateSize, c.hiddenSize]);
    tensors.set(`${layer}.mlp.down_proj.weight`, [c.hiddenSize, c.intermediateSize]);
  }
  tensors.set('model.norm.weight', [c.hiddenSize]);
  if (!c.tieWordEmbeddings) tensors.set('lm_head.weight', [c.vocabSize, c.hiddenSize]);
  return tensors;
}

/**
 * Whether a tensor outside expectedTensors may be present and ignored: the shape it must have
 * (null: any shape), or undefined when the tensor is not allowed.
 */
export function ignoredTensorShape(config: ModelConfig, name: string): readonly number[] | null | undefined {
  if (name === 'lm_head.weight' && config.tieWordEmbeddings) return [config.vocabSize, config.hiddenSize];
  const rotary = /^model\.layers\.(\d+)\.self_attn\.rotary_emb\.inv_freq$/.exec(name);
  if (rotary && Number(rotary[1]) < config.layers) return null;
  return undefined;
}

/** RMSNorm weights (initialised to one, not random). */
export function isNormWeight(name: string): boolean {
  return name.endsWith('layernorm.weight') || name === 'model.norm.weight';
}

/** Number of elements of a shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
