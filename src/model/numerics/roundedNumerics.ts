/**
 * The element-wise half of a decoder arithmetic (embedding rows, RMSNorm, biases, RoPE, SwiGLU,
 * residual adds), written once with its `Rounding` passed in: none for the float64 reference,
 * Math.fround for the fp32 engines.
 *
 * The subclasses supply what differs: the matrix product of `linear`, and the KV cache and the
 * attention over it.
 */
import type { ModelConfig } from '../config.js';
import type { DecoderNumerics, KeptLists } from '../decoder.js';
import { applyRope, modelInverseFrequencies } from '../rope.js';
import { modelTensor } from '../tensorName.js';
import type { Rounding } from './rounding.js';

/** Weights by HF tensor name, as float32 or float64 values (exact for fp16/bf16/fp32 checkpoints). */
export interface TensorWeights<W extends Float32Array | Float64Array> {
  tensor(name: string): W;
}

/** HF's attention scale head_dim^-0.5. */
export function attentionScale(config: ModelConfig): number {
  return config.headDim ** -0.5;
}

export abstract class RoundedNumerics<W extends Float32Array | Float64Array> implements DecoderNumerics {
  /** RoPE's inverse frequencies, rounded (HF computes θ in float32 for fp32 models). */
  private readonly inverse: Float64Array;
  /** The attention scale, rounded. */
  protected readonly scale: number;

  protected constructor(
    readonly config: ModelConfig,
    private readonly weights: TensorWeights<W>,
    private readonly round: Rounding,
  ) {
    this.inverse = modelInverseFrequencies(config).map(round);
    this.scale = round(attentionScale(config));
  }

  /** x·Wᵀ without the bias: W is [out, in]; x is [in]; returns [out]. */
  protected abstract product(x: Float64Array, weight: W): Float64Array;

  abstract appendKeyValue(layer: number, sequence: number, position: number, k: Float64Array, v: Float64Array): void;

  abstract attention(
    layer: number,
    sequence: number,
    length: number,
    q: Float64Array,
    kept: KeptLists | null,
  ): Float64Array;

  embed(token: number): Float64Array {
    const hidden = this.config.hiddenSize;
    return Float64Array.from(
      this.weights.tensor(modelTensor('embed_tokens.weight')).subarray(token * hidden, (token + 1) * hidden),
    );
  }

  rmsNorm(x: Float64Array, weight: string): Float64Array {
    const r = this.round;
    const w = this.weights.tensor(weight);
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum = r(sum + r(x[i]! * x[i]!));
    const inverseRms = r(1 / r(Math.sqrt(r(r(sum / x.length) + r(this.config.rmsNormEps)))));
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = r(w[i]! * r(x[i]! * inverseRms));
    return out;
  }

  linear(x: Float64Array, weight: string, bias: string | null): Float64Array {
    const y = this.product(x, this.weights.tensor(weight));
    if (bias !== null) {
      const b = this.weights.tensor(bias);
      for (let o = 0; o < y.length; o++) y[o] = this.round(y[o]! + b[o]!);
    }
    return y;
  }

  rope(x: Float64Array, heads: number, position: number): void {
    applyRope(x, { heads, headDim: this.config.headDim, position, inverse: this.inverse, round: this.round });
  }

  swiglu(gate: Float64Array, up: Float64Array): Float64Array {
    const r = this.round;
    const out = new Float64Array(gate.length);
    for (let i = 0; i < gate.length; i++) {
      const silu = r(gate[i]! / r(1 + r(Math.exp(-gate[i]!))));
      out[i] = r(silu * up[i]!);
    }
    return out;
  }

  addInPlace(x: Float64Array, y: Float64Array): void {
    for (let i = 0; i < x.length; i++) x[i] = this.round(x[i]! + y[i]!);
  }
}
