/**
 * `prhs model bench`: the CUDA engine's decode step at one batch and context, dense or with a
 * selector on the GPU, beside the bound its bytes allow at the copy bandwidth measured in the same
 * process (src/model/bench/). Every argument is checked before the GPU is touched.
 */
import { loadNativeAddon, type NativeAddon } from '../../backends/nativeAddon.js';
import { InvalidArgumentError, PrhsError } from '../../core/errors.js';
import { benchReportText, modelBenchReport, type BenchPoint } from '../../model/bench/benchReport.js';
import { measureCopyGBs } from '../../model/bench/copyBandwidth.js';
import type { DecodeTiming } from '../../model/bench/decodeSpeed.js';
import { applyEngineSelection, engineSelection } from '../../model/bench/engineSelection.js';
import { loadCheckpoint, type Checkpoint } from '../../model/checkpoint.js';
import {
  createCudaEngine,
  createRandomCudaEngine,
  cudaEngineDtype,
  type CudaEngine,
} from '../../model/engines/cudaEngine.js';
import { modelPreset } from '../../model/presets.js';
import { integerOption, nonEmptyOption, stringOption, type ParsedArgs } from '../args.js';
import type { CommandIO } from '../command.js';
import { writeReport } from '../writeReport.js';

/** Cache slots past the timed steps (benchDecode fills to the context, then appends warmup + steps). */
const capacitySlack = 16;
const maxBatch = 64;

interface BenchPlan extends BenchPoint {
  readonly checkpointDirectory: string | null;
  readonly capacity: number;
  readonly seed: number;
}

const linearVariants = ['auto', 'warp', 'deep', 'mma'];

/** PRHS_LINEAR_VARIANT (native/cuda/model/linearSkinny.cu reads it once per process): checked here so a typo is bad input, not a failed step. */
function linearVariant(): string {
  const value = process.env.PRHS_LINEAR_VARIANT;
  if (value === undefined || value === '') return 'auto';
  if (!linearVariants.includes(value))
    throw new InvalidArgumentError('PRHS_LINEAR_VARIANT', linearVariants.join(', '), JSON.stringify(value), 'domain');
  return value;
}

function dtypeOption(args: ParsedArgs): 'fp16' | 'bf16' | undefined {
  const value = stringOption(args, 'dtype');
  if (value !== undefined && value !== 'fp16' && value !== 'bf16')
    throw new InvalidArgumentError('--dtype', 'fp16 or bf16', JSON.stringify(value), 'domain');
  return value;
}

/** Every option checked; the checkpoint's config read (its weights are not loaded here). */
function benchPlan(args: ParsedArgs, checkpointConfig: (directory: string) => BenchPoint['config']): BenchPlan {
  const shape = nonEmptyOption(args, 'shape', 'a preset name');
  const directory = nonEmptyOption(args, 'checkpoint', 'a checkpoint folder');
  if ((shape === undefined) === (directory === undefined))
    throw new InvalidArgumentError(
      '--shape',
      'exactly one of --shape NAME and --checkpoint DIR',
      shape === undefined ? 'neither' : 'both',
      'domain',
    );
  const batch = integerOption(args, 'batch', 1) ?? 1;
  if (batch > maxBatch)
    throw new InvalidArgumentError(
      '--batch',
      `an integer in [1, ${maxBatch}] (the CUDA engine's decode batch)`,
      String(batch),
      'range',
    );
  const context = integerOption(args, 'context', 1) ?? 4096;
  const steps = integerOption(args, 'steps', 1) ?? 50;
  const warmup = integerOption(args, 'warmup', 0) ?? 10;
  const seed = integerOption(args, 'seed', 0) ?? 1;
  const dtypeChoice = dtypeOption(args);
  const selection = engineSelection(stringOption(args, 'selector'), integerOption(args, 'budget', 1), context);
  const capacity = context + warmup + steps + capacitySlack;
  let config = shape !== undefined ? modelPreset(shape, '--shape') : checkpointConfig(directory!);
  if (shape !== undefined) {
    // Random weights: max_position_embeddings only sizes the cache, and RoPE past it costs the same.
    config = { ...config, maxPositionEmbeddings: Math.max(config.maxPositionEmbeddings, capacity) };
  } else if (capacity > config.maxPositionEmbeddings) {
    const most = config.maxPositionEmbeddings - warmup - steps - capacitySlack;
    throw new InvalidArgumentError(
      '--context',
      `at most ${most} (max_position_embeddings ${config.maxPositionEmbeddings} less ${warmup} warmup, ${steps} steps and ${capacitySlack} spare)`,
      String(context),
      'range',
    );
  }
  const model = shape !== undefined ? { shape } : { checkpoint: directory! };
  return {
    model,
    config,
    dtype: cudaEngineDtype(config, dtypeChoice),
    batch,
    context,
    steps,
    warmup,
    selection,
    checkpointDirectory: directory ?? null,
    capacity,
    seed,
  };
}

type CudaAddon = Omit<NativeAddon, 'info'> & {
  info(): ReturnType<NativeAddon['info']> & { computeCapability?: string };
};

function cudaAddon(): CudaAddon {
  const load = loadNativeAddon('cuda', 'prhs_cuda.node', 'PRHS_CUDA_ADDON');
  if (!load.ok) throw new PrhsError(`model bench needs the CUDA addon (npm run build:cuda) and a GPU: ${load.reason}`);
  const info = load.addon.info();
  if (info.device === undefined || info.device === '')
    throw new PrhsError('model bench needs a GPU: the CUDA addon reports no device');
  return load.addon as CudaAddon;
}

/** The engine's own errors as CLI errors: not enough GPU memory and rejected sizes are bad input (exit 2). */
function engineFailure(error: unknown, plan: BenchPlan): unknown {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_PRHS_GPU_MEMORY')
    return new PrhsError(
      `batch ${plan.batch} at context ${plan.context} (cache capacity ${plan.capacity}) does not fit: ${message}`,
    );
  if (code === 'ERR_PRHS_INVALID_ARGUMENT') return new PrhsError(`the CUDA engine refused this model: ${message}`);
  if (error instanceof Error && /needs the CUDA addon|needs a GPU|stale build/.test(message))
    return new PrhsError(message);
  return error;
}

function createEngine(plan: BenchPlan, checkpoint: Checkpoint | null): CudaEngine {
  const options = { batch: plan.batch, capacity: plan.capacity, dtype: plan.dtype };
  return checkpoint
    ? createCudaEngine(checkpoint, options)
    : createRandomCudaEngine(plan.config, { ...options, seed: plan.seed });
}

function timeDecode(plan: BenchPlan, checkpoint: Checkpoint | null): { timing: DecodeTiming; memoryBytes: number } {
  let engine: CudaEngine;
  try {
    engine = createEngine(plan, checkpoint);
  } catch (error) {
    throw engineFailure(error, plan);
  }
  try {
    if (plan.selection) applyEngineSelection(engine, plan.selection);
    const timing: DecodeTiming = engine.benchDecode({
      steps: plan.steps,
      warmup: plan.warmup,
      context: plan.context,
      seed: plan.seed,
    });
    return { timing, memoryBytes: engine.memory() };
  } catch (error) {
    throw engineFailure(error, plan);
  } finally {
    engine.dispose();
  }
}

export async function runBench(args: ParsedArgs, io: CommandIO): Promise<number> {
  let checkpoint: Checkpoint | null = null;
  try {
    const plan = benchPlan(args, (directory) => (checkpoint = loadCheckpoint(directory)).config);
    const out = nonEmptyOption(args, 'out', 'a path for the JSON report');
    const variant = linearVariant();
    const addon = cudaAddon();
    const info = addon.info();
    const copyGBs = measureCopyGBs(addon);
    const { timing, memoryBytes } = timeDecode(plan, checkpoint);
    const environment = {
      device: info.device!,
      computeCapability: info.computeCapability,
      copyGBs,
      linearVariant: variant,
    };
    const report = modelBenchReport(plan, environment, timing, memoryBytes);
    if (out !== undefined) writeReport('--out', out, `${JSON.stringify(report, null, 1)}\n`);
    io.stdout(args.options.json === true ? `${JSON.stringify(report)}\n` : benchReportText(report));
    return 0;
  } finally {
    (checkpoint as Checkpoint | null)?.close();
  }
}
