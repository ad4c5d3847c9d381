/**
 * Check mode of the CUDA engine: at sampled decode steps the engine also runs the dense step on
 * the same cache and records, per layer and (sequence, query head), float64 values computed on the
 * GPU from the cached rows (native/cuda/model/selectionKernels.cu, checkKernel). This file turns
 * those records into named fields and the bounds they are held to (theory/model.md, "Check mode:
 * the output bound and its fp32 slack").
 */
import type { CudaEngineDtype } from './cudaEngine.js';

/** Field order of one record (CheckField in native/cuda/model/selectionKernels.hpp). */
const FIELD = {
  delta: 0,
  maxValueNorm: 1,
  exactGap: 2,
  engineGap: 3,
  denseError: 4,
  sparseError: 5,
  kept: 6,
  logitMagnitude: 7,
  certifiedDelta: 8,
} as const;
export const CHECK_FIELDS = 9;

export interface CudaCheckHead {
  readonly layer: number;
  readonly sequence: number;
  readonly queryHead: number;
  readonly kvHead: number;
  readonly kept: number;
  /** Dropped mass of the dense softmax (float64 from the cached rows). */
  readonly delta: number;
  /**
   * Certified δ̂ of the kept list (theory/certified.md, from page summaries of the cached keys, on
   * the GPU): δ ≤ δ̂ ≤ 1 for the exact δ; held to δ̂ ≥ certifiedDeltaFloor(...) of the recorded δ.
   */
  readonly certifiedDelta: number;
  readonly maxValueNorm: number;
  /** 2δ·max‖v‖₂: what δ allows for ‖o − ô‖₂ in exact arithmetic. */
  readonly bound: number;
  /** ‖o − ô‖₂ of the exact (float64) dense and sparse outputs: at most `bound` up to float64 rounding. */
  readonly exactGap: number;
  /** ‖o − ô‖₂ of the engine's two launches (fp32 sums, dtype outputs). */
  readonly outputGap: number;
  /** `bound` widened by the fp32 and output-rounding slack: what outputGap is held to. */
  readonly engineBound: number;
  readonly denseError: number;
  readonly sparseError: number;
  /** max_t scale·Σ|q_c k_tc|: bounds the fp32 logit error. */
  readonly logitMagnitude: number;
}

export interface CudaCheckStep {
  /** Tokens cached before the step (the step's query is at this position). */
  readonly position: number;
  readonly logitsMaxAbsChange: number;
  readonly heads: readonly CudaCheckHead[];
  /** Kept positions (ascending) of every (layer, sequence, KV head), index (layer·batch + sequence)·kvHeads + kvHead. */
  readonly keptLists: readonly Int32Array[];
}

export interface NativeCheckedStep {
  readonly position: number;
  readonly logitsMaxAbsChange: number;
  readonly records: Float64Array;
  readonly fields: number;
  readonly kept: Int32Array;
  readonly keptCount: Int32Array;
}

const UNIT_FP32 = 2 ** -24;
const UNIT_FP64 = 2 ** -53;
const UNIT_STORAGE: Record<CudaEngineDtype, number> = { fp16: 2 ** -11, bf16: 2 ** -8 };

/** γ_n = n·u / (1 − n·u) (Higham): the relative error bound of n roundings. */
export function gamma(n: number, unit: number): number {
  if (n * unit >= 1) return Infinity;
  return (n * unit) / (1 - n * unit);
}

export interface EngineGapBoundInput {
  readonly delta: number;
  readonly maxValueNorm: number;
  readonly logitMagnitude: number;
  /** Visible positions at the step. */
  readonly length: number;
  readonly headDim: number;
  readonly dtype: CudaEngineDtype;
}

/**
 * What ‖o_engine − ô_engine‖₂ may be: 2δ·e^{2η}·M + 2(ε + u)·M with M = max‖v‖₂, η = γ_{d+1}·(logit
 * magnitude) the fp32 logit error (shared by both launches, so it only reweights the softmax),
 * ε = 2γ_{2N+8} the fp32 accumulation, exponential and normalisation error of one output, u the
 * storage rounding of the output. Derivation: theory/model.md.
 */
export function engineGapBound(input: EngineGapBoundInput): number {
  const eta = gamma(input.headDim + 1, UNIT_FP32) * input.logitMagnitude;
  const accumulation = 2 * gamma(2 * input.length + 8, UNIT_FP32);
  return (
    2 * input.delta * Math.exp(2 * eta) * input.maxValueNorm +
    2 * (accumulation + UNIT_STORAGE[input.dtype]) * input.maxValueNorm
  );
}

/** What the float64 gap may be: the bound plus float64 rounding of both sums (N + d terms each). */
export function exactGapBound(delta: number, maxValueNorm: number, length: number, headDim: number): number {
  return 2 * delta * maxValueNorm + 4 * gamma(length + headDim + 8, UNIT_FP64) * maxValueNorm;
}

export interface CertifiedDeltaFloorInput {
  /** The recorded δ (float64 sums of the check kernel). */
  readonly delta: number;
  readonly logitMagnitude: number;
  /** Visible positions at the step. */
  readonly length: number;
  readonly headDim: number;
}

/**
 * The least δ̂ may be, given the recorded δ: δ̂ bounds the exact δ of the exact logits, and the
 * recorded δ (float64 logits, exponentials and sums) is at most F·(δ + N·2⁻¹⁰⁷⁴) with
 * F = (1 + u)·(1 + γ_{N+256})/(1 − γ_{N+256})·κ²·e^{2η}·(1 + 16u), κ = (1 + 2⁻⁵²)·e^{u·A},
 * η = γ_{d+2}·(logit magnitude), A = 2·(logit magnitude)·(1 + γ_{d+1})/(1 − γ_{d+1}), u = 2⁻⁵³.
 * Derivation: theory/model.md, "Check mode: the certified δ̂".
 */
export function certifiedDeltaFloor(input: CertifiedDeltaFloorInput): number {
  const { delta, logitMagnitude, length, headDim } = input;
  const eta = gamma(headDim + 2, UNIT_FP64) * logitMagnitude;
  const spread = (2 * logitMagnitude * (1 + gamma(headDim + 1, UNIT_FP64))) / (1 - gamma(headDim + 1, UNIT_FP64));
  const kappa = (1 + 2 ** -52) * Math.exp(UNIT_FP64 * spread);
  const sums = gamma(length + 256, UNIT_FP64);
  const factor =
    (((1 + UNIT_FP64) * (1 + sums)) / (1 - sums)) * kappa * kappa * Math.exp(2 * eta) * (1 + 16 * UNIT_FP64);
  return delta / factor - length * 2 ** -1074;
}

export interface CheckShape {
  readonly layers: number;
  readonly batch: number;
  readonly queryHeads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly dtype: CudaEngineDtype;
}

/** Named records of one checked step. */
export function interpretCheckedStep(step: NativeCheckedStep, shape: CheckShape): CudaCheckStep {
  if (step.fields !== CHECK_FIELDS)
    throw new Error(
      `check records have ${step.fields} fields, this build expects ${CHECK_FIELDS} (rebuild the CUDA addon)`,
    );
  const heads: CudaCheckHead[] = [];
  const { layers, batch, queryHeads, kvHeads, headDim, dtype } = shape;
  const length = step.position + 1;
  const group = queryHeads / kvHeads;
  for (let layer = 0; layer < layers; layer++) {
    for (let sequence = 0; sequence < batch; sequence++) {
      for (let queryHead = 0; queryHead < queryHeads; queryHead++) {
        const at = ((layer * batch + sequence) * queryHeads + queryHead) * CHECK_FIELDS;
        const field = (name: keyof typeof FIELD) => step.records[at + FIELD[name]]!;
        const delta = field('delta');
        const maxValueNorm = field('maxValueNorm');
        const logitMagnitude = field('logitMagnitude');
        heads.push({
          layer,
          sequence,
          queryHead,
          kvHead: Math.floor(queryHead / group),
          kept: field('kept'),
          delta,
          certifiedDelta: field('certifiedDelta'),
          maxValueNorm,
          bound: 2 * delta * maxValueNorm,
          exactGap: field('exactGap'),
          outputGap: field('engineGap'),
          engineBound: engineGapBound({ delta, maxValueNorm, logitMagnitude, length, headDim, dtype }),
          denseError: field('denseError'),
          sparseError: field('sparseError'),
          logitMagnitude,
        });
      }
    }
  }
  const lists = layers * batch * kvHeads;
  const stride = lists === 0 ? 0 : step.kept.length / lists;
  const keptLists = Array.from({ length: lists }, (_, i) =>
    step.kept.subarray(i * stride, i * stride + step.keptCount[i]!),
  );
  return { position: step.position, logitsMaxAbsChange: step.logitsMaxAbsChange, heads, keptLists };
}
