/**
 * The CUDA engine's dense decode speed (bench/model/run-device.sh, run-dense.sh): for each point, an
 * engine with seeded random weights generated on the GPU (no checkpoint to load), its KV cache
 * filled with random K/V to the context (no prefill: the engine's benchDecode says so), then the
 * median of the CUDA-graph decode steps timed with CUDA events. Beside each: tokens/s, the bytes one
 * step reads (weights + K/V rows), the GB/s achieved on them, and the bound those bytes allow at the
 * copy bandwidth measured in the same call (device-to-device cudaMemcpy, read + write counted).
 *
 * Usage: node modelBench.mjs OUT.json SHAPE:BATCH:CONTEXT[,...] [--steps N] [--warmup N] [--profile N]
 * (SHAPE: a preset of src/model/presets.ts; --profile: bench/model/decodeBenchRun.ts)
 */
import type { CudaEngine } from '../../src/model/engines/cudaEngine.js';
import { decodeSpeed } from '../../src/model/bench/decodeSpeed.js';
import {
  printProfile,
  profileFields,
  runDecodeBench,
  type DecodeBenchPoint,
  type DecodeBenchSettings,
} from './decodeBenchRun.js';

function measureDense(engine: CudaEngine, point: DecodeBenchPoint, settings: DecodeBenchSettings): object[] {
  const { shape, batch, context } = point;
  const { steps, warmup, profileSteps, copyGBs } = settings;
  const r = engine.benchDecode({ steps, warmup, context, profileSteps });
  const speed = decodeSpeed({ batch, timing: r, copyGBs });
  const row = {
    shape,
    batch,
    context,
    dtype: engine.spec.dtype,
    medianMs: r.medianMs,
    minMs: r.minMs,
    tokensPerSecond: speed.tokensPerSecond,
    weightBytes: r.weightBytes,
    kvBytes: r.kvBytes,
    achievedGBs: speed.achievedGBs,
    boundMs: speed.boundMs,
    fractionOfBound: speed.fractionOfBound,
    chunks: r.chunks,
    chunkTokens: r.chunkTokens,
    memoryBytes: engine.memory(),
    cache: r.cache,
    linearVariant: process.env.PRHS_LINEAR_VARIANT ?? 'auto',
    attentionVariant: process.env.PRHS_ATTENTION_VARIANT ?? 'async',
    programmaticLaunch: process.env.PRHS_PDL ?? '1',
    ...profileFields(r),
  };
  console.log(
    `${shape} B${batch} ctx ${context}: ${row.medianMs.toFixed(3)} ms/step (${row.tokensPerSecond.toFixed(0)} tok/s), ${(speed.bytes.total / 1e9).toFixed(2)} GB/step at ${row.achievedGBs.toFixed(0)} GB/s, bound ${row.boundMs.toFixed(3)} ms (${(100 * row.fractionOfBound).toFixed(0)}% of copy); ${r.chunks} chunks of ${r.chunkTokens}`,
  );
  printProfile(r);
  return [row];
}

try {
  process.exitCode = runDecodeBench(process.argv.slice(2), {
    name: 'modelBench',
    defaultSteps: 50,
    defaultWarmup: 10,
    measure: measureDense,
  });
} catch (error) {
  console.error(`model bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
