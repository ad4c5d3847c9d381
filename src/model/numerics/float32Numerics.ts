/**
 * The decoder in fp32 arithmetic with a KV cache in the model's storage dtype: the precision
 * model of the native engines. The element-wise operations (RMSNorm, RoPE, SiLU, residual adds)
 * are `RoundedNumerics`' with every operation rounded to fp32. The two heavy operations
 * come from a `Float32Kernels`: the native CPU kernels (the CPU engine) or naive sequential fp32
 * loops (the yardstick of the engine cross-check: an engine's error must stay within twice the
 * naive implementation's).
 *
 * The query is rounded to the storage dtype before attention, as an fp16/bf16 model's is.
 */
import type { AttentionInputs, IndexLists } from '../../backends/kernelBackend.js';
import { encodeStorage, type StorageArray } from '../../numeric/storage.js';
import type { ModelConfig } from '../config.js';
import type { KeptLists } from '../decoder.js';
import { RoundedNumerics, type TensorWeights } from './roundedNumerics.js';

/** fp32 weights by HF tensor name (fp16/bf16 values are exact in fp32). */
export type Float32Weights = TensorWeights<Float32Array>;

/** The two heavy operations of an fp32 engine. */
export interface Float32Kernels {
  /** x·Wᵀ for W [outputs, x.length], fp32 accumulation. */
  linear(weight: Float32Array, x: Float32Array, outputs: number): Float32Array;
  /** Dense attention (lists null) or attention over index lists, one KV head's group. */
  attention(inputs: AttentionInputs, lists: IndexLists | null): ArrayLike<number>;
}

export class Float32Numerics extends RoundedNumerics<Float32Array> {
  /** Per (layer, sequence, kvHead): [capacity, headDim] in the storage dtype. */
  private readonly keys: StorageArray[];
  private readonly values: StorageArray[];

  constructor(
    config: ModelConfig,
    weights: Float32Weights,
    private readonly kernels: Float32Kernels,
    readonly sequences: number,
    readonly capacity: number,
  ) {
    super(config, weights, Math.fround);
    const slots = config.layers * sequences * config.kvHeads;
    const size = capacity * config.headDim;
    const make = (): StorageArray => (config.dtype === 'fp32' ? new Float32Array(size) : new Uint16Array(size));
    this.keys = Array.from({ length: slots }, make);
    this.values = Array.from({ length: slots }, make);
  }

  protected product(x: Float64Array, weight: Float32Array): Float64Array {
    return Float64Array.from(this.kernels.linear(weight, Float32Array.from(x), weight.length / x.length));
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
      const { lists, empty } =
        kept === null ? { lists: null, empty: new Uint8Array(group) } : groupLists(kept, h, group);
      if (empty.every((e) => e === 1)) continue;
      const slot = (layer * this.sequences + sequence) * kvHeads + h;
      const inputs: AttentionInputs = {
        dtype,
        shape: { batch: 1, queryHeads: group, kvHeads: 1, tokens: length, headDim, valueDim: headDim },
        query: encodeStorage(dtype, q.subarray(h * group * headDim, (h + 1) * group * headDim)),
        keys: this.keys[slot]!.subarray(0, length * headDim),
        values: this.values[slot]!.subarray(0, length * headDim),
        scale: this.scale,
      };
      const result = this.kernels.attention(inputs, lists);
      for (let g = 0; g < group; g++) {
        if (empty[g] === 1) continue;
        for (let c = 0; c < headDim; c++) out[(h * group + g) * headDim + c] = result[g * headDim + c]!;
      }
    }
    return out;
  }
}

/**
 * The kept lists of KV head `kvHead`'s group of query heads. A head whose list is all padding
 * attends to nothing and its output stays zero, as in the float64 reference (a selector may keep
 * nothing: Quest below its page size when the partial page is empty). The kernels need a real
 * index in every row (the naive one divides 0 by 0, the native backend refuses the row), so such
 * a row gets position 0 and its result is discarded; rows are attended independently, so the
 * other heads' results do not change.
 */
function groupLists(kept: KeptLists, kvHead: number, group: number): { lists: IndexLists; empty: Uint8Array } {
  const { selected } = kept;
  const indices = kept.indices.slice(kvHead * group * selected, (kvHead + 1) * group * selected);
  const empty = new Uint8Array(group);
  for (let g = 0; g < group; g++) {
    const row = indices.subarray(g * selected, (g + 1) * selected);
    if (row.every((i) => i < 0)) {
      empty[g] = 1;
      if (selected > 0) row[0] = 0;
    }
  }
  return { lists: { indices, selected }, empty };
}
