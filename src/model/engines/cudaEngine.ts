/**
 * The CUDA engine (native/cuda/model): fp16 or bf16 weights, activations and paged KV cache on the
 * GPU, fp32 sums and residual stream, the decode step captured in a CUDA graph. This wraps the
 * addon's ModelEngine class: it derives the engine spec from a ModelConfig (RoPE inverse
 * frequencies computed here in float64, with the config's scaling, and rounded to fp32 by the
 * addon as HF keeps them) and uploads every tensor by its HF name. Precision and the cross-check
 * against HF transformers: theory/kernel-error.md, "CUDA model engine".
 */
import { loadNativeAddon } from '../../backends/nativeAddon.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { ModelConfig, WeightDtype } from '../config.js';
import type { DecodeEngine } from '../engine.js';
import { modelInverseFrequencies } from '../rope.js';
import { expectedTensors } from '../tensorNames.js';
import { interpretCheckedStep, type CudaCheckStep, type NativeCheckedStep } from './cudaCheck.js';
import {
  resolveCudaSelection,
  summariseSelection,
  type CudaSelection,
  type NativeSelection,
  type SelectionCounts,
  type SelectionStatsSummary,
} from './cudaSelection.js';
import { engineSize, type EngineSize } from './numericsEngine.js';

export type CudaEngineDtype = 'fp16' | 'bf16';

/** The addon's constructor argument (native/cuda/model/engineBinding.hpp, parseSpec). */
export interface CudaEngineSpec {
  readonly layers: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly queryHeads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  readonly rmsNormEps: number;
  readonly ropeInverseFrequencies: Float64Array;
  readonly qkvBias: boolean;
  readonly outputBias: boolean;
  readonly tiedEmbeddings: boolean;
  readonly dtype: CudaEngineDtype;
  readonly batch: number;
  readonly capacity: number;
  readonly pageSize: 16;
}

export interface CudaDecodeBench {
  readonly medianMs: number;
  readonly minMs: number;
  /** Weight bytes one step reads (the embedding rows excluded unless tied to the LM head). */
  readonly weightBytes: number;
  /** K and V bytes one step reads at the median step's context. */
  readonly kvBytes: number;
  readonly chunks: number;
  readonly chunkTokens: number;
  /** How the cache was filled: random K/V to the context, not a prefill. */
  readonly cache: string;
  /** Mean positions attended per (layer, sequence, KV head) over the timed steps (the context when dense). */
  readonly selectedTokens: number;
  /** Share of those head-steps whose selection scored keys (0 when dense). */
  readonly retrievalRate: number;
  /** Bytes the selection itself reads and writes per step at that retrieval rate (0 when dense). */
  readonly selectionBytes: number;
  /** With profileSteps: GPU ms per step of each launch group over un-graphed steps, in step order. */
  readonly profile?: readonly KernelGroupTime[];
  /** With profileSteps: the sum of those groups, one un-graphed step. */
  readonly profileStepMs?: number;
  readonly profileSteps?: number;
}

/** One launch group of the profile mode (the time up to its event since the previous group's event). */
export interface KernelGroupTime {
  readonly group: string;
  readonly ms: number;
  /** Launch groups of this name per step (layers × groups per layer). */
  readonly launches: number;
}

/** Options of benchDecode: profileSteps adds that many un-graphed, profiled steps after the timed ones. */
export interface CudaDecodeBenchOptions {
  readonly steps: number;
  readonly warmup: number;
  readonly context: number;
  readonly seed?: number;
  readonly profileSteps?: number;
}

/** The addon's ModelEngine instance. */
export interface NativeModelEngine {
  setTensor(name: string, dtype: WeightDtype, shape: readonly number[], bytes: Uint8Array): void;
  randomizeWeights(options: { seed: number }): void;
  append(tokens: Int32Array, count: number): Float32Array;
  reset(): void;
  dispose(): void;
  memory(): number;
  length(): number;
  benchDecode(options: CudaDecodeBenchOptions & { seed: number }): CudaDecodeBench;
  setSelection(selection: NativeSelection): void;
  selectionCounts(): SelectionCounts[];
  setCheck(options: { everySteps: number }): void;
  checks(): NativeCheckedStep[];
}

type NativeModelEngineClass = new (spec: CudaEngineSpec) => NativeModelEngine;

/** Where the weights come from: a loaded Checkpoint (raw bytes, uploaded as stored) or any source of exact values. */
export interface CudaWeightSource {
  readonly config: ModelConfig;
  readFloat32(name: string): Float32Array;
  readBytes?(name: string): Uint8Array;
  readonly tensors?: ReadonlyMap<string, { readonly dtype: WeightDtype; readonly shape: readonly number[] }>;
}

export interface CudaEngineOptions extends EngineSize {
  /** Engine dtype (default: the checkpoint's, fp16 for an fp32 checkpoint). */
  readonly dtype?: CudaEngineDtype;
}

/** The engine dtype for a config: the option, else the config's dtype, with fp32 checkpoints run in fp16. */
export function cudaEngineDtype(config: ModelConfig, dtype?: CudaEngineDtype): CudaEngineDtype {
  if (dtype !== undefined && dtype !== 'fp16' && dtype !== 'bf16')
    throw new InvalidArgumentError('dtype', 'fp16 or bf16', String(dtype), 'range');
  return dtype ?? (config.dtype === 'bf16' ? 'bf16' : 'fp16');
}

export function cudaEngineSpec(config: ModelConfig, options: CudaEngineOptions = {}): CudaEngineSpec {
  const { batch, capacity } = engineSize(config, options);
  if (batch > 64)
    throw new InvalidArgumentError('batch', 'an integer in [1, 64] (the CUDA engine)', String(batch), 'range');
  return {
    layers: config.layers,
    hiddenSize: config.hiddenSize,
    intermediateSize: config.intermediateSize,
    queryHeads: config.queryHeads,
    kvHeads: config.kvHeads,
    headDim: config.headDim,
    vocabSize: config.vocabSize,
    rmsNormEps: config.rmsNormEps,
    ropeInverseFrequencies: modelInverseFrequencies(config),
    qkvBias: config.qkvBias,
    outputBias: config.outputBias,
    tiedEmbeddings: config.tieWordEmbeddings,
    dtype: cudaEngineDtype(config, options.dtype),
    batch,
    capacity,
    pageSize: 16,
  };
}

/** The addon's ModelEngine class, or an error saying why there is none. */
export function loadCudaModelEngineClass(): NativeModelEngineClass {
  const load = loadNativeAddon('cuda', 'prhs_cuda.node', 'PRHS_CUDA_ADDON');
  if (!load.ok) throw new Error(`the CUDA engine needs the CUDA addon: ${load.reason}`);
  const info = load.addon.info();
  if (info.device === undefined || info.device === '')
    throw new Error('the CUDA engine needs a GPU: the CUDA addon reports no device');
  const engineClass = (load.addon as unknown as { ModelEngine?: NativeModelEngineClass }).ModelEngine;
  if (typeof engineClass !== 'function')
    throw new Error(`${load.path} has no ModelEngine (a stale build; run \`npm run build:cuda\`)`);
  return engineClass;
}

export class CudaEngine implements DecodeEngine {
  readonly backend = 'cuda' as const;
  private native: NativeModelEngine | null;

  constructor(
    readonly config: ModelConfig,
    readonly spec: CudaEngineSpec,
    native: NativeModelEngine,
  ) {
    this.native = native;
  }

  get batch(): number {
    return this.spec.batch;
  }

  get capacity(): number {
    return this.spec.capacity;
  }

  get length(): number {
    return this.engine().length();
  }

  /** Bytes of GPU memory the engine holds (weights, KV cache, activations, workspace). */
  memory(): number {
    return this.engine().memory();
  }

  append(tokens: Int32Array, count: number): Float32Array {
    return this.engine().append(tokens, count);
  }

  reset(): void {
    this.engine().reset();
  }

  /**
   * PrHS in the decode loop from the next decode step on (prefill stays dense): per layer and
   * (sequence, KV head), after RoPE, on the GPU. {kind: 'dense'} removes it. Resets the counters and
   * the checks; CIS anchors start afresh.
   */
  setSelection(selection: CudaSelection): void {
    this.engine().setSelection(resolveCudaSelection(selection, this.capacity));
  }

  /** Mean kept and retrieval rate per layer over the decode steps since setSelection or reset(). */
  lastSelectionStats(): SelectionStatsSummary {
    return summariseSelection(this.engine().selectionCounts());
  }

  /** Check mode: every `everySteps`-th decode step (0: off) also runs the dense step; see lastCheck(). */
  setCheck(options: { everySteps: number }): void {
    const every = options?.everySteps;
    if (typeof every !== 'number' || !Number.isInteger(every) || every < 0 || every > 2 ** 30) {
      throw new InvalidArgumentError(
        'everySteps',
        'an integer in [0, 2^30] (0: check mode off)',
        String(every),
        typeof every === 'number' ? 'range' : 'type',
      );
    }
    this.engine().setCheck({ everySteps: every });
  }

  /** The checked steps since setCheck, setSelection or reset(), in order. */
  lastCheck(): CudaCheckStep[] {
    const { layers, queryHeads, kvHeads, headDim } = this.config;
    const shape = { layers, batch: this.batch, queryHeads, kvHeads, headDim, dtype: this.spec.dtype };
    return this.engine()
      .checks()
      .map((step) => interpretCheckedStep(step, shape));
  }

  /**
   * Median ms per decode step (CUDA events) over random K/V filled to `context`; empties the cache.
   * With a selection the step includes it (at the retrieval rate of this run; check mode is off).
   */
  benchDecode(options: CudaDecodeBenchOptions): CudaDecodeBench {
    return this.engine().benchDecode({ seed: 1, ...options });
  }

  dispose(): void {
    this.native?.dispose();
    this.native = null;
  }

  private engine(): NativeModelEngine {
    if (!this.native) throw new Error('the CUDA engine was disposed');
    return this.native;
  }
}

/** Uploads every tensor of the model: stored bytes where the source has them, else exact fp32 values. */
function uploadWeights(native: NativeModelEngine, source: CudaWeightSource): void {
  for (const [name, shape] of expectedTensors(source.config)) {
    const stored = source.tensors?.get(name);
    if (source.readBytes && stored) {
      native.setTensor(name, stored.dtype, shape, source.readBytes(name));
    } else {
      const values = source.readFloat32(name);
      native.setTensor(name, 'fp32', shape, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
  }
}

/** A CUDA engine holding the source's weights. */
export function createCudaEngine(source: CudaWeightSource, options: CudaEngineOptions = {}): CudaEngine {
  const spec = cudaEngineSpec(source.config, options);
  const EngineClass = loadCudaModelEngineClass();
  const native = new EngineClass(spec);
  try {
    uploadWeights(native, source);
  } catch (error) {
    native.dispose();
    throw error;
  }
  return new CudaEngine(source.config, spec, native);
}

/** A CUDA engine with seeded random weights generated on the GPU (benchmarks: no checkpoint to load). */
export function createRandomCudaEngine(
  config: ModelConfig,
  options: CudaEngineOptions & { readonly seed: number },
): CudaEngine {
  const spec = cudaEngineSpec(config, options);
  const EngineClass = loadCudaModelEngineClass();
  const native = new EngineClass(spec);
  try {
    native.randomizeWeights({ seed: options.seed });
  } catch (error) {
    native.dispose();
    throw error;
  }
  return new CudaEngine(config, spec, native);
}
