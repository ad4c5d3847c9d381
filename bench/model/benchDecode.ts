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
import {
  decodeBenchMain,
  printProfile,
  timeDecode,
  type DecodeBenchPoint,
  type DecodeBenchSettings,
} from './decodeBenchRun.js';

function measureDense(engine: CudaEngine, point: DecodeBenchPoint, settings: DecodeBenchSettings): object[] {
  const { shape, batch, context } = point;
  const { timing: r, speed, fields } = timeDecode(engine, point, settings);
  const row = {
    ...fields,
    chunks: r.chunks,
    chunkTokens: r.chunkTokens,
    memoryBytes: engine.memory(),
    linearVariant: process.env.PRHS_LINEAR_VARIANT ?? 'auto',
    attentionVariant: process.env.PRHS_ATTENTION_VARIANT ?? 'async',
    programmaticLaunch: process.env.PRHS_PDL ?? '1',
  };
  console.log(
    `${shape} B${batch} ctx ${context}: ${r.medianMs.toFixed(3)} ms/step (${speed.tokensPerSecond.toFixed(0)} tok/s), ${(speed.bytes.total / 1e9).toFixed(2)} GB/step at ${speed.achievedGBs.toFixed(0)} GB/s, bound ${speed.boundMs.toFixed(3)} ms (${(100 * speed.fractionOfBound).toFixed(0)}% of copy); ${r.chunks} chunks of ${r.chunkTokens}`,
  );
  printProfile(r);
  return [row];
}

decodeBenchMain({ name: 'modelBench', defaultSteps: 50, defaultWarmup: 10, measure: measureDense });
