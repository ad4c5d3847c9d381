/**
 * The decode engine interface: one LLaMA-family model with a KV cache for `batch` sequences, on
 * one backend (the float64 reference, the CPU kernels, or the CUDA engine). Every engine runs the
 * same model semantics (src/model/reference/decoderStep.ts is the specification); they differ in
 * arithmetic and speed, and `prhs model check` compares them.
 */
import type { BackendName } from '../backends/kernelBackend.js';
import type { ModelConfig } from './config.js';

export interface DecodeEngine {
  readonly backend: BackendName;
  readonly config: ModelConfig;
  /** Sequences decoded side by side. */
  readonly batch: number;
  /** Most tokens one sequence's cache holds. */
  readonly capacity: number;
  /** Tokens in each sequence's cache (all sequences advance together). */
  readonly length: number;
  /**
   * Appends `count` tokens to every sequence: `tokens` is [batch, count] row-major. Returns the
   * logits of the last appended position, [batch, vocabSize] (float32 for the native engines,
   * float64 for the reference).
   */
  append(tokens: Int32Array, count: number): Float32Array | Float64Array;
  /** Empties every cache. */
  reset(): void;
  /** Frees native memory; the engine is unusable afterwards. */
  dispose(): void;
}
