/**
 * The CUDA engine's decode speed (bench/model/run-device.sh): for each point, an engine with
 * seeded random weights generated on the GPU (no checkpoint to load), its KV cache filled with
 * random K/V to the context (no prefill: the engine's benchDecode says so), then the median of the
 * CUDA-graph decode steps timed with CUDA events. Beside each: tokens/s, the bytes one step reads
 * (weights + K/V rows), the GB/s achieved on them, and the bound those bytes allow at the copy
 * bandwidth measured in the same call (device-to-device cudaMemcpy, read + write counted).
 *
 * With --profile N, N more un-graphed steps per point report the GPU time of each launch group
 * (CUDA events between groups; native/cuda/model/stepProfiler.hpp), printed and kept as `profile`.
 *
 * Usage: node modelBench.mjs OUT.json SHAPE:BATCH:CONTEXT[,...] [--steps N] [--warmup N] [--profile N]
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
    console.error('usage: modelBench OUT.json SHAPE:BATCH:CONTEXT[,...] [--steps N] [--warmup N] [--profile N]');
    return 2;
  }
  const steps = option(argv, '--steps', 50);
  const warmup = option(argv, '--warmup', 10);
  const profileSteps = option(argv, '--profile', 0);
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
      maxPositionEmbeddings: Math.max(preset.maxPositionEmbeddings, context + warmup + steps + profileSteps + 16),
    };
    const capacity = context + warmup + steps + profileSteps + 16;
    const engine = createRandomCudaEngine(config, { batch, capacity, seed: 1 });
    try {
      const r = engine.benchDecode({ steps, warmup, context, profileSteps });
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
        linearVariant: process.env.PRHS_LINEAR_VARIANT ?? 'auto',
        attentionVariant: process.env.PRHS_ATTENTION_VARIANT ?? 'async',
        programmaticLaunch: process.env.PRHS_PDL ?? '1',
        ...(r.profile ? { profile: r.profile, profileStepMs: r.profileStepMs, profileSteps: r.profileSteps } : {}),
      });
      const x = rows[rows.length - 1]!;
      console.log(
        `${shape} B${batch} ctx ${context}: ${x.medianMs.toFixed(3)} ms/step (${x.tokensPerSecond.toFixed(0)} tok/s), ${(bytes / 1e9).toFixed(2)} GB/step at ${x.achievedGBs.toFixed(0)} GB/s, bound ${boundMs.toFixed(3)} ms (${(100 * x.fractionOfBound).toFixed(0)}% of copy); ${r.chunks} chunks of ${r.chunkTokens}`,
      );
      for (const g of r.profile ?? []) {
        console.log(`  ${g.group.padEnd(30)} ${g.ms.toFixed(3).padStart(8)} ms/step over ${g.launches} launches`);
      }
      if (r.profile) console.log(`  ${'un-graphed step'.padEnd(30)} ${r.profileStepMs!.toFixed(3).padStart(8)} ms`);
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
