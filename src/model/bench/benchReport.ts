/** The `prhs model bench` report (schemas/model-bench.schema.json): one decode point, its bytes and its bound. */
import type { ModelConfig } from '../config.js';
import { decodeSpeed, type DecodeSpeed, type DecodeTiming } from './decodeSpeed.js';
import type { EngineSelection } from './engineSelection.js';

export const modelBenchSchema = 'prhs-model-bench/1';

export interface BenchPoint {
  /** The preset name (--shape) or the checkpoint folder (--checkpoint). */
  readonly model: { readonly shape?: string; readonly checkpoint?: string };
  readonly config: ModelConfig;
  readonly dtype: 'fp16' | 'bf16';
  readonly batch: number;
  readonly context: number;
  readonly steps: number;
  readonly warmup: number;
  readonly selection: EngineSelection | null;
}

export interface BenchEnvironment {
  readonly device: string;
  readonly computeCapability?: string;
  readonly copyGBs: number;
  /** PRHS_LINEAR_VARIANT as the process saw it (auto when unset: warp below 8 token rows, mma from 8). */
  readonly linearVariant: string;
}

export interface ModelBenchReport extends DecodeSpeed {
  readonly schema: typeof modelBenchSchema;
  readonly device: string;
  readonly computeCapability: string | null;
  readonly linearVariant: string;
  readonly model: {
    readonly shape: string | null;
    readonly checkpoint: string | null;
    readonly layers: number;
    readonly hiddenSize: number;
    readonly intermediateSize: number;
    readonly queryHeads: number;
    readonly kvHeads: number;
    readonly headDim: number;
    readonly vocabSize: number;
  };
  readonly dtype: 'fp16' | 'bf16';
  readonly batch: number;
  readonly context: number;
  readonly steps: number;
  readonly warmup: number;
  readonly copyGBs: number;
  readonly selection: {
    readonly selector: string;
    readonly budget: number | null;
    readonly selectedTokens: number | null;
    readonly retrievalRate: number | null;
  } | null;
  readonly memoryBytes: number;
}

export function modelBenchReport(
  point: BenchPoint,
  environment: BenchEnvironment,
  timing: DecodeTiming,
  memoryBytes: number,
): ModelBenchReport {
  const c = point.config;
  const s = point.selection;
  return {
    schema: modelBenchSchema,
    device: environment.device,
    computeCapability: environment.computeCapability ?? null,
    linearVariant: environment.linearVariant,
    model: {
      shape: point.model.shape ?? null,
      checkpoint: point.model.checkpoint ?? null,
      layers: c.layers,
      hiddenSize: c.hiddenSize,
      intermediateSize: c.intermediateSize,
      queryHeads: c.queryHeads,
      kvHeads: c.kvHeads,
      headDim: c.headDim,
      vocabSize: c.vocabSize,
    },
    dtype: point.dtype,
    batch: point.batch,
    context: point.context,
    steps: point.steps,
    warmup: point.warmup,
    copyGBs: environment.copyGBs,
    selection: s && {
      selector: s.kind,
      budget: s.budget ?? null,
      selectedTokens: timing.selectedTokens ?? null,
      retrievalRate: timing.retrievalRate ?? null,
    },
    memoryBytes,
    ...decodeSpeed({ batch: point.batch, timing, copyGBs: environment.copyGBs }),
  };
}

const gb = (bytes: number) => (bytes / 1e9).toFixed(3);

/** The human-readable lines of a report. */
export function benchReportText(r: ModelBenchReport): string {
  const what = r.model.shape ?? r.model.checkpoint ?? '?';
  const selection = r.selection
    ? `${r.selection.selector}${r.selection.budget === null ? '' : ` at budget ${r.selection.budget}`}`
    : 'dense';
  const rate = r.selection?.retrievalRate ?? null;
  const retrieval = rate === null ? '' : `, retrieval rate ${(100 * rate).toFixed(1)}%`;
  return (
    [
      `prhs model bench: ${what} ${r.dtype} on ${r.device}, batch ${r.batch}, context ${r.context}, ${selection}${retrieval} (linear variant ${r.linearVariant})`,
      `  ${r.medianMs.toFixed(3)} ms per step (min ${r.minMs.toFixed(3)}), ${r.tokensPerSecond.toFixed(0)} tokens/s`,
      `  ${gb(r.bytes.total)} GB per step (weights ${gb(r.bytes.weights)}, KV ${gb(r.bytes.kv)}, selection ${gb(r.bytes.selection)}) at ${r.achievedGBs.toFixed(0)} GB/s`,
      `  bound at the copy bandwidth ${r.copyGBs.toFixed(0)} GB/s: ${r.boundMs.toFixed(3)} ms (${(100 * r.fractionOfBound).toFixed(1)}% of the bound)`,
    ].join('\n') + '\n'
  );
}
