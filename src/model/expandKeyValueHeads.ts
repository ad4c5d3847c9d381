/**
 * The multi-head model equivalent to a GQA model: each KV head's k_proj/v_proj rows (and biases)
 * repeated for every query head of its group, so query head h reads its own copy of KV head
 * ⌊h / group⌋ (claim model.gqa-equals-expanded-mha).
 */
import type { ModelConfig } from './config.js';
import { layerTensor } from './tensorName.js';
import { fromTensors, type WeightSource } from './weightSource.js';
import { expectedTensors } from './tensorNames.js';

/** Rows [kvHeads·headDim, width] → [queryHeads·headDim, width], head h taking KV head ⌊h / group⌋. */
function repeatHeads(rows: Float64Array, config: ModelConfig, width: number): Float64Array {
  const { queryHeads, kvHeads, headDim } = config;
  const group = queryHeads / kvHeads;
  const out = new Float64Array(queryHeads * headDim * width);
  for (let h = 0; h < queryHeads; h++) {
    const from = Math.floor(h / group) * headDim * width;
    out.set(rows.subarray(from, from + headDim * width), h * headDim * width);
  }
  return out;
}

export function expandKeyValueHeads(source: WeightSource): WeightSource {
  const config = source.config;
  const expanded: ModelConfig = { ...config, kvHeads: config.queryHeads };
  const tensors = new Map<string, Float64Array>();
  for (const name of expectedTensors(config).keys()) tensors.set(name, source.readFloat64(name));
  for (let layer = 0; layer < config.layers; layer++) {
    for (const projection of ['k_proj', 'v_proj']) {
      const weight = layerTensor(layer, `self_attn.${projection}.weight`);
      tensors.set(weight, repeatHeads(tensors.get(weight)!, config, config.hiddenSize));
      if (config.qkvBias) {
        const bias = layerTensor(layer, `self_attn.${projection}.bias`);
        tensors.set(bias, repeatHeads(tensors.get(bias)!, config, 1));
      }
    }
  }
  return fromTensors(expanded, tensors);
}
