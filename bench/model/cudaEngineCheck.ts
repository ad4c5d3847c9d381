/**
 * The CUDA engine against HF transformers on the same checkpoint and card (bench/model/run-device.sh;
 * bundled by bench/model/bundle.sh). Reads the reference written by hf_reference.py (HF float64
 * logits and greedy tokens, HF fp16/bf16 logits on the same tokens) and checks, per shape:
 *
 *  1. logits: fed the float64 run's tokens, our max-abs logit error over the vocabulary, worst step
 *     and sequence, is at most 2x HF fp16/bf16's own error measured the same way
 *     (theory/kernel-error.md, "CUDA model engine");
 *  2. greedy: decoding on its own, our tokens equal HF float64's at every step up to the first one
 *     where HF float64's top-1 margin is at most 2E, with E = 2x HF's error the allowed logit error
 *     (past such a step a correct engine may pick the other token and the sequences part);
 *  3. with --faults: the engine's errors for a token outside the vocabulary, a context beyond the
 *     capacity, a tensor never set, and an engine larger than the free GPU memory.
 *
 * The report also carries `logitsDigest`, the SHA-256 of every logit of the forced run (prefill and
 * decode steps, float32 bytes): two kernel variants that sum in the same order must give the same
 * digest (bench/model/run-dense.sh compares them).
 *
 * Usage: node cudaEngineCheck.mjs CHECKPOINT_DIR REFERENCE.safetensors OUT.json [--label NAME] [--faults]
 * Exit 0 pass, 1 fail, 2 bad input.
 */
import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../../src/io/atomicWrite.js';
import { loadCheckpoint, type Checkpoint } from '../../src/model/checkpoint.js';
import { compareWithHf, decodeLikeReference, readHfReference } from '../../src/model/check/hfReferenceCheck.js';
import {
  createCudaEngine,
  loadCudaModelEngineClass,
  cudaEngineSpec,
  type CudaEngine,
} from '../../src/model/engines/cudaEngine.js';

function expectError(
  what: string,
  run: () => unknown,
  check: (e: { message?: string; argument?: string; code?: string }) => boolean,
): { what: string; pass: boolean; message: string } {
  try {
    run();
    return { what, pass: false, message: 'no error' };
  } catch (error) {
    const e = error as { message?: string; argument?: string; code?: string };
    return { what, pass: check(e), message: String(e.message) };
  }
}

function faultChecks(checkpoint: Checkpoint, engine: CudaEngine): { what: string; pass: boolean; message: string }[] {
  const c = checkpoint.config;
  engine.reset();
  const results = [
    expectError(
      'token outside the vocabulary',
      () => engine.append(new Int32Array(engine.batch).fill(c.vocabSize), 1),
      (e) => e.argument === 'tokens[0]',
    ),
    expectError(
      'context beyond the capacity',
      () => engine.append(new Int32Array(engine.batch * (engine.capacity + 1)), engine.capacity + 1),
      (e) => e.argument === 'count',
    ),
  ];
  const EngineClass = loadCudaModelEngineClass();
  const empty = new EngineClass(cudaEngineSpec(c, { batch: 1, capacity: 16 }));
  results.push(
    expectError(
      'tensor never set',
      () => empty.append(new Int32Array(1), 1),
      (e) => e.code === 'ERR_PRHS_MODEL_INCOMPLETE' && /model\.embed_tokens\.weight/.test(String(e.message)),
    ),
  );
  empty.dispose();
  results.push(
    expectError(
      'more GPU memory than free',
      () => new EngineClass(cudaEngineSpec({ ...c, maxPositionEmbeddings: 1 << 24 }, { batch: 64, capacity: 1 << 24 })),
      (e) => e.code === 'ERR_PRHS_GPU_MEMORY' && /bytes are free/.test(String(e.message)),
    ),
  );
  return results;
}

function main(argv: readonly string[]): number {
  const positional = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--label');
  const label = argv.includes('--label') ? argv[argv.indexOf('--label') + 1]! : positional[0]!;
  if (positional.length !== 3) {
    console.error('usage: cudaEngineCheck CHECKPOINT_DIR REFERENCE.safetensors OUT.json [--label NAME] [--faults]');
    return 2;
  }
  const [directory, referencePath, outPath] = positional as [string, string, string];
  const checkpoint = loadCheckpoint(directory);
  const c = checkpoint.config;
  const vocab = c.vocabSize;
  const ref = readHfReference(referencePath, vocab);
  const start = performance.now();
  const engine = createCudaEngine(checkpoint, {
    batch: ref.batch,
    capacity: Math.min(c.maxPositionEmbeddings, ref.promptLength + ref.steps + 16),
  });
  const loadMs = performance.now() - start;
  const comparison = compareWithHf(engine, ref);
  const { ourError, hfHalfError: hfError, greedy } = comparison;
  const { compared, matched } = greedy;
  const digest = createHash('sha256');
  for (const step of decodeLikeReference(engine, ref, ref.tokens).logits) {
    digest.update(new Uint8Array(step.buffer, step.byteOffset, step.byteLength));
  }
  const logitsDigest = digest.digest('hex');
  const faults = argv.includes('--faults') ? faultChecks(checkpoint, engine) : [];
  const pass = comparison.pass && faults.every((f) => f.pass);
  const report = {
    label,
    checkpoint: directory,
    reference: ref.metadata,
    architecture: c.architecture,
    engineDtype: engine.spec.dtype,
    batch: ref.batch,
    promptLength: ref.promptLength,
    steps: ref.steps,
    ...comparison,
    logitsDigest,
    linearVariant: process.env.PRHS_LINEAR_VARIANT ?? 'auto',
    attentionVariant: process.env.PRHS_ATTENTION_VARIANT ?? 'async',
    programmaticLaunch: process.env.PRHS_PDL ?? '1',
    faults,
    pass,
    memoryBytes: engine.memory(),
    loadMs,
  };
  engine.dispose();
  checkpoint.close();
  writeFileAtomic(outPath, `${JSON.stringify(report)}\n`);
  console.log(
    `cuda engine check ${label}: ${pass ? 'PASS' : 'FAIL'}: logits max-abs error ${ourError.toExponential(2)} vs HF ${ref.metadata.dtype ?? ''} ${hfError.toExponential(2)} (ratio ${(ourError / hfError).toFixed(2)}, need ≤ 2); greedy ${matched}/${compared} identical where the fp64 margin > ${greedy.threshold.toExponential(1)}${faults.length ? `; faults ${faults.filter((f) => f.pass).length}/${faults.length}` : ''}; load ${(loadMs / 1000).toFixed(1)} s, prefill ${comparison.prefillMs.toFixed(0)} ms; logits ${logitsDigest.slice(0, 16)}`,
  );
  for (const f of faults) if (!f.pass) console.log(`  fault check failed: ${f.what}: ${f.message}`);
  return pass ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`cuda engine check: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
