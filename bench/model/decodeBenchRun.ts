/**
 * What the CUDA engine's decode benches share (benchDecode.ts, dense; selectionBench.ts, with
 * PrHS): the command line `OUT.json SHAPE:BATCH:CONTEXT[,...] [--steps N] [--warmup N] [--profile N]`
 * (SHAPE: a preset of src/model/presets.ts), the copy bandwidth measured once per call, one engine
 * per point with seeded random weights and room for the context plus the timed and profiled steps,
 * the per-launch-group profile printed, and the report written atomically. Each bench says what it
 * measures on a point's engine and what rows it reports.
 *
 * With --profile N, every timed configuration adds N un-graphed steps whose launch groups are timed
 * with CUDA events (native/cuda/model/stepProfiler.hpp); a selection's kernels are groups of their own.
 */
import { writeFileAtomic } from '../../src/io/atomicWrite.js';
import { loadNativeAddon } from '../../src/backends/nativeAddon.js';
import { modelPreset } from '../../src/model/presets.js';
import { createRandomCudaEngine, type CudaDecodeBench, type CudaEngine } from '../../src/model/engines/cudaEngine.js';
import { measureCopyGBs } from '../../src/model/bench/copyBandwidth.js';
import { decodeSpeed, type DecodeSpeed } from '../../src/model/bench/decodeSpeed.js';

export interface DecodeBenchPoint {
  readonly shape: string;
  readonly batch: number;
  readonly context: number;
}

/** The timing settings and the copy bandwidth every point of one call shares. */
export interface DecodeBenchSettings {
  readonly steps: number;
  readonly warmup: number;
  /** Un-graphed, profiled steps after the timed ones (0: none). */
  readonly profileSteps: number;
  readonly copyGBs: number;
}

export interface DecodeBench {
  /** The entry's name in the usage line and before an error on standard error. */
  readonly name: string;
  readonly defaultSteps: number;
  readonly defaultWarmup: number;
  /** Times one point's engine; returns its report rows (the engine is disposed afterwards). */
  readonly measure: (engine: CudaEngine, point: DecodeBenchPoint, settings: DecodeBenchSettings) => readonly object[];
}

function option(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}

function parsePoint(point: string): DecodeBenchPoint {
  const [shape, batchText, contextText] = point.split(':');
  return { shape: shape!, batch: Number(batchText), context: Number(contextText) };
}

/** The profile of a bench result as report fields (none without --profile). */
function profileFields(r: CudaDecodeBench): object {
  return r.profile ? { profile: r.profile, profileStepMs: r.profileStepMs, profileSteps: r.profileSteps } : {};
}

/** One timed configuration of a point's engine: its decode bench, the speed against the copy bandwidth, and the report fields every bench's row carries. */
export function timeDecode(
  engine: CudaEngine,
  point: DecodeBenchPoint,
  settings: DecodeBenchSettings,
): { timing: CudaDecodeBench; speed: DecodeSpeed; fields: object } {
  const { shape, batch, context } = point;
  const { steps, warmup, profileSteps, copyGBs } = settings;
  const timing = engine.benchDecode({ steps, warmup, context, profileSteps });
  const speed = decodeSpeed({ batch, timing, copyGBs });
  const fields = {
    shape,
    batch,
    context,
    dtype: engine.spec.dtype,
    medianMs: timing.medianMs,
    minMs: timing.minMs,
    tokensPerSecond: speed.tokensPerSecond,
    weightBytes: timing.weightBytes,
    kvBytes: timing.kvBytes,
    achievedGBs: speed.achievedGBs,
    boundMs: speed.boundMs,
    fractionOfBound: speed.fractionOfBound,
    cache: timing.cache,
    ...profileFields(timing),
  };
  return { timing, speed, fields };
}

/** Prints a bench result's profile, one line per launch group, then the un-graphed step's sum. */
export function printProfile(r: CudaDecodeBench): void {
  for (const g of r.profile ?? []) {
    console.log(`  ${g.group.padEnd(34)} ${g.ms.toFixed(3).padStart(8)} ms/step over ${g.launches} launches`);
  }
  if (r.profile) console.log(`  ${'un-graphed step'.padEnd(34)} ${r.profileStepMs!.toFixed(3).padStart(8)} ms`);
}

/** Runs a decode bench over the command line's points; returns the exit code. */
export function runDecodeBench(argv: readonly string[], bench: DecodeBench): number {
  const [outPath, points] = argv;
  if (!outPath || !points) {
    console.error(`usage: ${bench.name} OUT.json SHAPE:BATCH:CONTEXT[,...] [--steps N] [--warmup N] [--profile N]`);
    return 2;
  }
  const steps = option(argv, '--steps', bench.defaultSteps);
  const warmup = option(argv, '--warmup', bench.defaultWarmup);
  const profileSteps = option(argv, '--profile', 0);
  const load = loadNativeAddon('cuda', 'prhs_cuda.node', 'PRHS_CUDA_ADDON');
  if (!load.ok) throw new Error(load.reason);
  const info = load.addon.info() as { device?: string; computeCapability?: string };
  const copyGBs = measureCopyGBs(load.addon);
  const rows: object[] = [];
  for (const point of points.split(',').map(parsePoint)) {
    const capacity = point.context + warmup + steps + profileSteps + 16;
    const preset = modelPreset(point.shape);
    // Random weights: max_position_embeddings only bounds the cache here.
    const config = { ...preset, maxPositionEmbeddings: Math.max(preset.maxPositionEmbeddings, capacity) };
    const engine = createRandomCudaEngine(config, { batch: point.batch, capacity, seed: 1 });
    try {
      rows.push(...bench.measure(engine, point, { steps, warmup, profileSteps, copyGBs }));
    } finally {
      engine.dispose();
    }
  }
  writeFileAtomic(
    outPath,
    `${JSON.stringify({ device: info.device, computeCapability: info.computeCapability, copyGBs, steps, warmup, rows }, null, 1)}\n`,
  );
  return 0;
}

/** A bench script's entry: runDecodeBench on the process's arguments, its exit code set; an error is one line on standard error and exit 2. */
export function decodeBenchMain(bench: DecodeBench): void {
  try {
    process.exitCode = runDecodeBench(process.argv.slice(2), bench);
  } catch (error) {
    console.error(`${bench.name}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  }
}
