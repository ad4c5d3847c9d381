/**
 * The decoder in fp32 arithmetic with a KV cache in the model's storage dtype: the precision
 * model of the native engines. The element-wise operations (RMSNorm, RoPE, SiLU, residual adds)
 * are computed here with every operation rounded to fp32 (Math.fround after each +, −, ×, ÷, √
 * is exactly IEEE fp32; exp, sin and cos are within an ulp of fp32's). The two heavy operations
 * come from a `Float32Kernels`: the native CPU kernels (the CPU engine) or naive sequential fp32
 * loops (the yardstick of the engine cross-check: an engine's error must stay within twice the
 * naive implementation's).
 *
 * The query is rounded to the storage dtype before attention, as an fp16/bf16 model's is.
 */
import type { AttentionInputs, IndexLists } from '../../backends/kernelBackend.js';
import { encodeStorage, type StorageArray } from '../../numeric/storage.js';
import type { ModelConfig } from '../config.js';
import type { DecoderNumerics, KeptLists } from '../decoder.js';
import { attentionScale } from '../reference/float64Numerics.js';
import { modelInverseFrequencies } from '../rope.js';
import { modelTensor } from '../tensorName.js';

const f = Math.fround;

/** fp32 weights by HF tensor name (fp16/bf16 values are exact in fp32). */
export interface Float32Weights {
  tensor(name: string): Float32Array;
}

/** The two heavy operations of an fp32 engine. */
export interface Float32Kernels {
  /** x·Wᵀ for W [outputs, x.length], fp32 accumulation. */
  linear(weight: Float32Array, x: Float32Array, outputs: number): Float32Array;
  /** Dense attention (lists null) or attention over index lists, one KV head's group. */
  attention(inputs: AttentionInputs, lists: IndexLists | null): ArrayLike<number>;
}

export class Float32Numerics implements DecoderNumerics {
  private readonly inverse: Float32Array;
  private readonly scale: number;
  /** Per (layer, sequence, kvHead): [capacity, headDim] in the storage dtype. */
  private readonly keys: StorageArray[];
  private readonly values: StorageArray[];

  constructor(
    readonly config: ModelConfig,
    private readonly weights: Float32Weights,
    private readonly kernels: Float32Kernels,
    readonly sequences: number,
    readonly capacity: number,
  ) {
    // HF computes θ in float32; the angle position·θ is rounded to fp32 too.
    this.inverse = Float32Array.from(modelInverseFrequencies(config));
    this.scale = f(attentionScale(config));
    const slots = config.layers * sequences * config.kvHeads;
    const size = capacity * config.headDim;
    const make = (): StorageArray => (config.dtype === 'fp32' ? new Float32Array(size) : new Uint16Array(size));
    this.keys = Array.from({ length: slots }, make);
    this.values = Array.from({ length: slots }, make);
  }

  embed(token: number): Float64Array {
    const hidden = this.config.hiddenSize;
    return Float64Array.from(
      this.weights.tensor(modelTensor('embed_tokens.weight')).subarray(token * hidden, (token + 1) * hidden),
    );
  }

  rmsNorm(x: Float64Array, weight: string): Float64Array {
    const w = this.weights.tensor(weight);
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum = f(sum + f(x[i]! * x[i]!));
    const inverseRms = f(1 / f(Math.sqrt(f(f(sum / x.length) + f(this.config.rmsNormEps)))));
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = f(w[i]! * f(x[i]! * inverseRms));
    return out;
  }

  linear(x: Float64Array, weight: string, bias: string | null): Float64Array {
    const w = this.weights.tensor(weight);
    const outputs = w.length / x.length;
    const y = Float64Array.from(this.kernels.linear(w, Float32Array.from(x), outputs));
    if (bias !== null) {
      const b = this.weights.tensor(bias);
      for (let o = 0; o < outputs; o++) y[o] = f(y[o]! + b[o]!);
    }
    return y;
  }

  rope(x: Float64Array, heads: number, position: number): void {
    const d = this.config.headDim;
    const half = d / 2;
    for (let c = 0; c < half; c++) {
      const angle = f(position * this.inverse[c]!);
      const cos = f(Math.cos(angle));
      const sin = f(Math.sin(angle));
      for (let h = 0; h < heads; h++) {
        const a = x[h * d + c]!;
        const b = x[h * d + c + half]!;
        x[h * d + c] = f(f(a * cos) - f(b * sin));
        x[h * d + c + half] = f(f(b * cos) + f(a * sin));
      }
    }
  }

  swiglu(gate: Float64Array, up: Float64Array): Float64Array {
    const out = new Float64Array(gate.length);
    for (let i = 0; i < gate.length; i++) {
      const silu = f(gate[i]! / f(1 + f(Math.exp(-gate[i]!))));
      out[i] = f(silu * up[i]!);
    }
    return out;
  }

  addInPlace(x: Float64Array, y: Float64Array): void {
    for (let i = 0; i < x.length; i++) x[i] = f(x[i]! + y[i]!);
  }

  appendKeyValue(layer: number, sequence: number, position: number, k: Float64Array, v: Float64Array): void {
    const { kvHeads, headDim, dtype } = this.config;
    for (let h = 0; h < kvHeads; h++) {
      const slot = (layer * this.sequences + sequence) * kvHeads + h;
      this.keys[slot]!.set(encodeStorage(dtype, k.subarray(h * headDim, (h + 1) * headDim)), position * headDim);
      this.values[slot]!.set(encodeStorage(dtype, v.subarray(h * headDim, (h + 1) * headDim)), position * headDim);
    }
  }

  attention(layer: number, sequence: number, length: number, q: Float64Array, kept: KeptLists | null): Float64Array {
    const { queryHeads, kvHeads, headDim, dtype } = this.config;
    const group = queryHeads / kvHeads;
    const out = new Float64Array(queryHeads * headDim);
    for (let h = 0; h < kvHeads; h++) {
      const slot = (layer * this.sequences + sequence) * kvHeads + h;
      const inputs: AttentionInputs = {
        dtype,
        shape: { batch: 1, queryHeads: group, kvHeads: 1, tokens: length, headDim, valueDim: headDim },
        query: encodeStorage(dtype, q.subarray(h * group * headDim, (h + 1) * group * headDim)),
        keys: this.keys[slot]!.subarray(0, length * headDim),
        values: this.values[slot]!.subarray(0, length * headDim),
        scale: this.scale,
      };
      const lists =
        kept === null
          ? null
          : {
              indices: kept.indices.subarray(h * group * kept.selected, (h + 1) * group * kept.selected),
              selected: kept.selected,
            };
      const result = this.kernels.attention(inputs, lists);
      for (let i = 0; i < group * headDim; i++) out[h * group * headDim + i] = result[i]!;
    }
    return out;
  }
}
