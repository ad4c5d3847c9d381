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
 * Usage: node cudaEngineCheck.mjs CHECKPOINT_DIR REFERENCE.safetensors OUT.json [--label NAME] [--faults]
 * Exit 0 pass, 1 fail, 2 bad input.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../src/io/atomicWrite.js';
import { loadCheckpoint, type Checkpoint } from '../../src/model/checkpoint.js';
import { argmax, maxAbsDifference, topMargin } from '../../src/model/check/greedy.js';
import { createCudaEngine, loadCudaModelEngineClass, cudaEngineSpec, type CudaEngine } from '../../src/model/engines/cudaEngine.js';
import { decodeSafetensors } from '../../src/traces/safetensors.js';

interface Reference {
  readonly fp64: Float64Array | Float32Array; // [steps, batch, vocab]
  readonly half: Float64Array | Float32Array; // [steps, batch, vocab]
  readonly tokens: Int32Array; // [batch, steps] HF float64 greedy
  readonly prompt: Int32Array; // [batch, promptLength]
  readonly steps: number;
  readonly batch: number;
  readonly promptLength: number;
  readonly metadata: Readonly<Record<string, string>>;
}

function readReference(path: string, vocab: number): Reference {
  const { tensors, metadata } = decodeSafetensors(readFileSync(path));
  const get = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`${path}: no tensor ${name}`);
    return t;
  };
  const fp64 = get('logits_fp64');
  const [steps, batch, v] = fp64.shape as [number, number, number];
  if (v !== vocab) throw new Error(`${path}: logits over ${v} ids, the checkpoint has ${vocab}`);
  const prompt = get('prompt');
  return {
    fp64: fp64.data,
    half: get('logits_half').data,
    tokens: Int32Array.from(get('tokens').data),
    prompt: Int32Array.from(prompt.data),
    steps,
    batch,
    promptLength: prompt.shape[1]!,
    metadata,
  };
}

/** Our logits at every step, fed `tokens` after the prompt (teacher forcing), or our own argmax when null. */
function decode(engine: CudaEngine, ref: Reference, forced: Int32Array | null): { logits: Float32Array[]; tokens: Int32Array; prefillMs: number; stepMs: number } {
  const vocab = engine.config.vocabSize;
  engine.reset();
  let start = performance.now();
  const logits = [engine.append(ref.prompt, ref.promptLength)];
  const prefillMs = performance.now() - start;
  const tokens = new Int32Array(ref.batch * ref.steps);
  start = performance.now();
  for (let s = 0; s < ref.steps; s++) {
    const next = new Int32Array(ref.batch);
    for (let b = 0; b < ref.batch; b++) {
      const chosen = forced ? forced[b * ref.steps + s]! : argmax(logits[s]!, b * vocab, vocab);
      tokens[b * ref.steps + s] = chosen;
      next[b] = chosen;
    }
    if (s + 1 < ref.steps) logits.push(engine.append(next, 1));
  }
  return { logits, tokens, prefillMs, stepMs: (performance.now() - start) / Math.max(1, ref.steps - 1) };
}

function expectError(what: string, run: () => unknown, check: (e: { message?: string; argument?: string; code?: string }) => boolean): { what: string; pass: boolean; message: string } {
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
    expectError('token outside the vocabulary', () => engine.append(new Int32Array(engine.batch).fill(c.vocabSize), 1), (e) => e.argument === 'tokens[0]'),
    expectError('context beyond the capacity', () => engine.append(new Int32Array(engine.batch * (engine.capacity + 1)), engine.capacity + 1), (e) => e.argument === 'count'),
  ];
  const EngineClass = loadCudaModelEngineClass();
  const empty = new EngineClass(cudaEngineSpec(c, { batch: 1, capacity: 16 }));
  results.push(expectError('tensor never set', () => empty.append(new Int32Array(1), 1), (e) => e.code === 'ERR_PRHS_MODEL_INCOMPLETE' && /model\.embed_tokens\.weight/.test(String(e.message))));
  empty.dispose();
  results.push(expectError('more GPU memory than free', () => new EngineClass(cudaEngineSpec({ ...c, maxPositionEmbeddings: 1 << 24 }, { batch: 64, capacity: 1 << 24 })), (e) => e.code === 'ERR_PRHS_GPU_MEMORY' && /bytes are free/.test(String(e.message))));
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
  const ref = readReference(referencePath, vocab);
  let start = performance.now();
  const engine = createCudaEngine(checkpoint, { batch: ref.batch, capacity: Math.min(c.maxPositionEmbeddings, ref.promptLength + ref.steps + 16) });
  const loadMs = performance.now() - start;
  const forced = decode(engine, ref, ref.tokens);
  const perStep: { ours: number[]; hf: number[]; margin: number[] }[] = [];
  let ourError = 0;
  let hfError = 0;
  for (let s = 0; s < ref.steps; s++) {
    const row = { ours: [] as number[], hf: [] as number[], margin: [] as number[] };
    for (let b = 0; b < ref.batch; b++) {
      const at = (s * ref.batch + b) * vocab;
      const fp64 = ref.fp64.subarray(at, at + vocab);
      row.ours.push(maxAbsDifference(forced.logits[s]!.subarray(b * vocab, (b + 1) * vocab), fp64, 0, vocab));
      row.hf.push(maxAbsDifference(ref.half.subarray(at, at + vocab), fp64, 0, vocab));
      row.margin.push(topMargin(fp64, 0, vocab));
    }
    ourError = Math.max(ourError, ...row.ours);
    hfError = Math.max(hfError, ...row.hf);
    perStep.push(row);
  }
  const allowed = 2 * hfError;
  const free = decode(engine, ref, null);
  let compared = 0;
  let matched = 0;
  const mismatches: { sequence: number; step: number; ours: number; hf: number; margin: number }[] = [];
  for (let b = 0; b < ref.batch; b++) {
    for (let s = 0; s < ref.steps; s++) {
      if (!(perStep[s]!.margin[b]! > 2 * allowed)) break;
      compared++;
      const ours = free.tokens[b * ref.steps + s]!;
      const hf = ref.tokens[b * ref.steps + s]!;
      if (ours === hf) matched++;
      else mismatches.push({ sequence: b, step: s, ours, hf, margin: perStep[s]!.margin[b]! });
      if (ours !== hf) break;
    }
  }
  const faults = argv.includes('--faults') ? faultChecks(checkpoint, engine) : [];
  const logitsPass = ourError <= allowed;
  const greedyPass = mismatches.length === 0;
  const pass = logitsPass && greedyPass && faults.every((f) => f.pass);
  const report = {
    label, checkpoint: directory, reference: ref.metadata, architecture: c.architecture, engineDtype: engine.spec.dtype,
    batch: ref.batch, promptLength: ref.promptLength, steps: ref.steps, norm: 'max-abs over the vocabulary, worst step and sequence',
    ourError, hfHalfError: hfError, ratio: ourError / hfError, allowed, logitsPass,
    greedy: { threshold: 2 * allowed, compared, matched, mismatches, pass: greedyPass },
    faults, pass, memoryBytes: engine.memory(), loadMs, prefillMs: forced.prefillMs, decodeStepMsWallClock: forced.stepMs, perStep,
  };
  engine.dispose();
  checkpoint.close();
  writeFileAtomic(outPath, `${JSON.stringify(report)}\n`);
  start = performance.now();
  console.log(`cuda engine check ${label}: ${pass ? 'PASS' : 'FAIL'}: logits max-abs error ${ourError.toExponential(2)} vs HF ${ref.metadata.dtype ?? ''} ${hfError.toExponential(2)} (ratio ${(ourError / hfError).toFixed(2)}, need ≤ 2); greedy ${matched}/${compared} identical where the fp64 margin > ${(2 * allowed).toExponential(1)}${faults.length ? `; faults ${faults.filter((f) => f.pass).length}/${faults.length}` : ''}; load ${(loadMs / 1000).toFixed(1)} s, prefill ${forced.prefillMs.toFixed(0)} ms`);
  for (const f of faults) if (!f.pass) console.log(`  fault check failed: ${f.what}: ${f.message}`);
  return pass ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`cuda engine check: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
