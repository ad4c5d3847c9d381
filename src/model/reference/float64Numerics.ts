/**
 * The float64 reference arithmetic of the decoder: exact weights (fp16/bf16/fp32 values are exact
 * in float64), float64 everywhere, a float64 KV cache. It is the specification every engine is
 * checked against (theory/model.md).
 */
import { logitsUnchecked, weightedSumUnchecked } from '../../core/attention.js';
import { softmaxUnchecked } from '../../core/softmax.js';
import type { ModelConfig } from '../config.js';
import type { DecoderNumerics, KeptLists } from '../decoder.js';
import { applyRope, modelInverseFrequencies } from '../rope.js';
import { modelTensor } from '../tensorName.js';

/** Where the reference reads its weights: exact float64 values by HF tensor name. */
export interface Float64Weights {
  tensor(name: string): Float64Array;
}

/** HF's attention scale head_dim^-0.5. */
export function attentionScale(config: ModelConfig): number {
  return config.headDim ** -0.5;
}

export class Float64Numerics implements DecoderNumerics {
  private readonly inverse: Float64Array;
  private readonly scale: number;
  /** Per (layer, sequence): keys and values [kvHeads, capacity, headDim]. */
  private readonly keys: Float64Array[];
  private readonly values: Float64Array[];

  constructor(
    readonly config: ModelConfig,
    private readonly weights: Float64Weights,
    readonly sequences: number,
    readonly capacity: number,
  ) {
    this.inverse = modelInverseFrequencies(config);
    this.scale = attentionScale(config);
    const size = config.kvHeads * capacity * config.headDim;
    this.keys = Array.from({ length: config.layers * sequences }, () => new Float64Array(size));
    this.values = Array.from({ length: config.layers * sequences }, () => new Float64Array(size));
  }

  embed(token: number): Float64Array {
    const hidden = this.config.hiddenSize;
    return this.weights.tensor(modelTensor('embed_tokens.weight')).slice(token * hidden, (token + 1) * hidden);
  }

  rmsNorm(x: Float64Array, weight: string): Float64Array {
    const w = this.weights.tensor(weight);
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum += x[i]! * x[i]!;
    const inverseRms = 1 / Math.sqrt(sum / x.length + this.config.rmsNormEps);
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = w[i]! * (x[i]! * inverseRms);
    return out;
  }

  linear(x: Float64Array, weight: string, bias: string | null): Float64Array {
    const w = this.weights.tensor(weight);
    const inputs = x.length;
    const outputs = w.length / inputs;
    const out = new Float64Array(outputs);
    for (let o = 0; o < outputs; o++) {
      let sum = 0;
      const row = o * inputs;
      for (let i = 0; i < inputs; i++) sum += w[row + i]! * x[i]!;
      out[o] = sum;
    }
    if (bias !== null) {
      const b = this.weights.tensor(bias);
      for (let o = 0; o < outputs; o++) out[o]! += b[o]!;
    }
    return out;
  }

  rope(x: Float64Array, heads: number, position: number): void {
    applyRope(x, 0, heads, this.config.headDim, position, this.inverse);
  }

  swiglu(gate: Float64Array, up: Float64Array): Float64Array {
    const out = new Float64Array(gate.length);
    for (let i = 0; i < gate.length; i++) out[i] = (gate[i]! / (1 + Math.exp(-gate[i]!))) * up[i]!;
    return out;
  }

  addInPlace(x: Float64Array, y: Float64Array): void {
    for (let i = 0; i < x.length; i++) x[i]! += y[i]!;
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
