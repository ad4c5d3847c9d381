/**
 * The float64 reference arithmetic of the decoder: exact weights (fp16/bf16/fp32 values are exact
 * in float64), float64 everywhere (`RoundedNumerics` with no rounding), a float64 KV cache. It is
 * the specification every engine is checked against (theory/model.md).
 */
import { logitsUnchecked, weightedSumUnchecked } from '../../core/attention.js';
import { softmaxUnchecked } from '../../core/softmax.js';
import type { ModelConfig } from '../config.js';
import type { KeptLists } from '../decoder.js';
import { RoundedNumerics, type TensorWeights } from '../numerics/roundedNumerics.js';
import { noRounding } from '../numerics/rounding.js';

/** Where the reference reads its weights: exact float64 values by HF tensor name. */
export type Float64Weights = TensorWeights<Float64Array>;

export class Float64Numerics extends RoundedNumerics<Float64Array> {
  /** Per (layer, sequence): keys and values [kvHeads, capacity, headDim]. */
  private readonly keys: Float64Array[];
  private readonly values: Float64Array[];

  constructor(
    config: ModelConfig,
    weights: Float64Weights,
    readonly sequences: number,
    readonly capacity: number,
  ) {
    super(config, weights, noRounding);
    const size = config.kvHeads * capacity * config.headDim;
    this.keys = Array.from({ length: config.layers * sequences }, () => new Float64Array(size));
    this.values = Array.from({ length: config.layers * sequences }, () => new Float64Array(size));
  }

  protected product(x: Float64Array, weight: Float64Array): Float64Array {
    const inputs = x.length;
    const outputs = weight.length / inputs;
    const out = new Float64Array(outputs);
    for (let o = 0; o < outputs; o++) {
      let sum = 0;
      const row = o * inputs;
      for (let i = 0; i < inputs; i++) sum += weight[row + i]! * x[i]!;
      out[o] = sum;
    }
    return out;
  }

  appendKeyValue(layer: number, sequence: number, position: number, k: Float64Array, v: Float64Array): void {
    const { kvHeads, headDim } = this.config;
    const slot = layer * this.sequences + sequence;
    for (let h = 0; h < kvHeads; h++) {
      const at = (h * this.capacity + position) * headDim;
      this.keys[slot]!.set(k.subarray(h * headDim, (h + 1) * headDim), at);
      this.values[slot]!.set(v.subarray(h * headDim, (h + 1) * headDim), at);
    }
  }

  attention(layer: number, sequence: number, length: number, q: Float64Array, kept: KeptLists | null): Float64Array {
    const { queryHeads, kvHeads, headDim } = this.config;
    const slot = layer * this.sequences + sequence;
    const K = this.keys[slot]!;
    const V = this.values[slot]!;
    const out = new Float64Array(queryHeads * headDim);
    const group = queryHeads / kvHeads;
    for (let h = 0; h < queryHeads; h++) {
      const base = Math.floor(h / group) * this.capacity * headDim;
      if (kept === null) {
        const weights = softmaxUnchecked(logitsUnchecked(q, h * headDim, K, base, length, headDim, this.scale));
        weightedSumUnchecked(weights, V, base, length, headDim, out, h * headDim);
      } else {
        this.sparseHead(q, h, K, V, base, kept, out);
      }
    }
    return out;
  }

  /** Softmax over the listed positions only (renormalised), summed in list order. */
  private sparseHead(
    q: Float64Array,
    h: number,
    K: Float64Array,
    V: Float64Array,
    base: number,
    kept: KeptLists,
    out: Float64Array,
  ): void {
    const headDim = this.config.headDim;
    const positions: number[] = [];
    for (let j = 0; j < kept.selected; j++) {
      const i = kept.indices[h * kept.selected + j]!;
      if (i >= 0) positions.push(i);
    }
    const logits = new Float64Array(positions.length);
    const one = new Float64Array(1);
    for (let j = 0; j < positions.length; j++)
      logits[j] = logitsUnchecked(q, h * headDim, K, base + positions[j]! * headDim, 1, headDim, this.scale, one)[0]!;
    const weights = softmaxUnchecked(logits);
    for (let c = 0; c < headDim; c++) out[h * headDim + c] = 0;
    for (let j = 0; j < positions.length; j++) {
      const w = weights[j]!;
      if (w === 0) continue;
      const row = base + positions[j]! * headDim;
      for (let c = 0; c < headDim; c++) out[h * headDim + c]! += w * V[row + c]!;
    }
  }
}
