/**
 * The naive fp32 kernels: textbook loops with every operation rounded to fp32 and sequential
 * sums (the FlashAttention rule's yardstick, as src/verify/naiveKernels.ts is for the attention
 * kernels, which this reuses).
 */
import type { AttentionInputs, IndexLists } from '../../backends/kernelBackend.js';
import { decodeInputs } from '../../backends/reference/float64Kernels.js';
import { naiveDecode, naiveSparse } from '../../verify/naiveKernels.js';
import type { Float32Kernels } from './float32Numerics.js';

const f = Math.fround;

export const naiveFloat32Kernels: Float32Kernels = {
  linear(weight: Float32Array, x: Float32Array, outputs: number): Float32Array {
    const inputs = x.length;
    const out = new Float32Array(outputs);
    for (let o = 0; o < outputs; o++) {
      let sum = 0;
      for (let i = 0; i < inputs; i++) sum = f(sum + f(weight[o * inputs + i]! * x[i]!));
      out[o] = sum;
    }
    return out;
  },
  attention(inputs: AttentionInputs, lists: IndexLists | null): Float64Array {
    const decoded = decodeInputs(inputs);
    return lists === null ? naiveDecode(decoded) : naiveSparse(decoded, lists);
  },
};
