/**
 * The CUDA engine's decode speed (bench/model/run-device.sh): for each point, an engine with
 * seeded random weights generated on the GPU (no checkpoint to load), its KV cache filled with
 * random K/V to the context (no prefill: the engine's benchDecode says so), then the median of the
 * CUDA-graph decode steps timed with CUDA events. Beside each: tokens/s, the bytes one step reads
 * (weights + K/V rows), the GB/s achieved on them, and the bound those bytes allow at the copy
 * bandwidth measured in the same call (device-to-device cudaMemcpy, read + write counted).
 *
 * Usage: node modelBench.mjs OUT.json SHAPE:BATCH:CONTEXT[,...] [--steps N] [--warmup N]
 * (SHAPE: a preset of src/model/presets.ts)
 */
import { writeFileAtomic } from '../../src/io/atomicWrite.js';
import { loadNativeAddon } from '../../src/backends/nativeAddon.js';
import { modelPreset } from '../../src/model/presets.js';
import { createRandomCudaEngine } from '../../src/model/engines/cudaEngine.js';
import { measureCopyGBs } from '../../src/model/bench/copyBandwidth.js';
import { decodeSpeed } from '../../src/model/bench/decodeSpeed.js';

function option(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}

function main(argv: readonly string[]): number {
  const [outPath, points] = argv;
  if (!outPath || !points) {
    console.error('usage: modelBench OUT.json SHAPE:BATCH:CONTEXT[,...] [--steps N] [--warmup N]');
    return 2;
  }
  const steps = option(argv, '--steps', 50);
  const warmup = option(argv, '--warmup', 10);
  const load = loadNativeAddon('cuda', 'prhs_cuda.node', 'PRHS_CUDA_ADDON');
  if (!load.ok) throw new Error(load.reason);
  const info = load.addon.info() as { device?: string; computeCapability?: string };
  const copyGBs = measureCopyGBs(load.addon);
  const rows = [];
  for (const point of points.split(',')) {
    const [shape, batchText, contextText] = point.split(':');
    const batch = Number(batchText);
    const context = Number(contextText);
    const preset = modelPreset(shape!);
    // Random weights: max_position_embeddings only bounds the cache here.
    const config = {
      ...preset,
      maxPositionEmbeddings: Math.max(preset.maxPositionEmbeddings, context + warmup + steps + 16),
    };
    const engine = createRandomCudaEngine(config, { batch, capacity: context + warmup + steps + 16, seed: 1 });
    try {
      const r = engine.benchDecode({ steps, warmup, context });
      const speed = decodeSpeed({ batch, timing: r, copyGBs });
      const bytes = speed.bytes.total;
      const boundMs = speed.boundMs;
      rows.push({
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
        boundMs,
        fractionOfBound: speed.fractionOfBound,
        chunks: r.chunks,
        chunkTokens: r.chunkTokens,
        memoryBytes: engine.memory(),
        cache: r.cache,
      });
      const x = rows[rows.length - 1]!;
      console.log(
        `${shape} B${batch} ctx ${context}: ${x.medianMs.toFixed(3)} ms/step (${x.tokensPerSecond.toFixed(0)} tok/s), ${(bytes / 1e9).toFixed(2)} GB/step at ${x.achievedGBs.toFixed(0)} GB/s, bound ${boundMs.toFixed(3)} ms (${(100 * x.fractionOfBound).toFixed(0)}% of copy)`,
      );
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

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`model bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
