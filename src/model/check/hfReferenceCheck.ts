/**
 * An engine against HF transformers on the same checkpoint (theory/kernel-error.md, "CUDA model
 * engine"). The reference file (bench/model/hf_reference.py) holds HF float64 logits and greedy
 * tokens, and HF fp16/bf16 logits on the same tokens. Two checks:
 *
 *  1. logits: fed the float64 run's tokens, our max-abs logit error over the vocabulary, worst step
 *     and sequence, is at most 2x HF fp16/bf16's own error measured the same way;
 *  2. greedy: decoding on its own, our tokens equal HF float64's at every step up to the first one
 *     where HF float64's top-1 margin is at most 2E, with E = 2x HF's error the allowed logit error
 *     (past such a step a correct engine may pick the other token and the sequences part).
 */
import { readFileSync } from 'node:fs';
import { decodeSafetensors } from '../../traces/safetensors.js';
import type { DecodeEngine } from '../engine.js';
import { argmax, maxAbsDifference, topMargin } from './greedy.js';

export interface HfReference {
  readonly fp64: Float64Array | Float32Array; // [steps, batch, vocab]
  readonly half: Float64Array | Float32Array; // [steps, batch, vocab]
  readonly tokens: Int32Array; // [batch, steps] HF float64 greedy
  readonly prompt: Int32Array; // [batch, promptLength]
  readonly steps: number;
  readonly batch: number;
  readonly promptLength: number;
  readonly metadata: Readonly<Record<string, string>>;
}

export function readHfReference(path: string, vocab: number): HfReference {
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

export interface Decoded {
  readonly logits: Float32Array[];
  readonly tokens: Int32Array;
  readonly prefillMs: number;
  readonly stepMs: number;
}

/** Our logits at every step, fed `forced` after the prompt (teacher forcing), or our own argmax when null. */
export function decodeLikeReference(engine: DecodeEngine, ref: HfReference, forced: Int32Array | null): Decoded {
  const vocab = engine.config.vocabSize;
  engine.reset();
  let start = performance.now();
  const logits = [Float32Array.from(engine.append(ref.prompt, ref.promptLength))];
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
    if (s + 1 < ref.steps) logits.push(Float32Array.from(engine.append(next, 1)));
  }
  return { logits, tokens, prefillMs, stepMs: (performance.now() - start) / Math.max(1, ref.steps - 1) };
}

export interface HfComparison {
  readonly norm: string;
  readonly ourError: number;
  readonly hfHalfError: number;
  readonly ratio: number;
  readonly allowed: number;
  readonly logitsPass: boolean;
  readonly greedy: {
    readonly threshold: number;
    readonly compared: number;
    readonly matched: number;
    readonly mismatches: { sequence: number; step: number; ours: number; hf: number; margin: number }[];
    readonly pass: boolean;
  };
  readonly pass: boolean;
  readonly prefillMs: number;
  readonly decodeStepMsWallClock: number;
  readonly perStep: { ours: number[]; hf: number[]; margin: number[] }[];
}

/** Both checks of an engine (sized for the reference's batch and prompt + steps) against the reference. */
export function compareWithHf(engine: DecodeEngine, ref: HfReference): HfComparison {
  const vocab = engine.config.vocabSize;
  const forced = decodeLikeReference(engine, ref, ref.tokens);
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
  const free = decodeLikeReference(engine, ref, null);
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
  const logitsPass = ourError <= allowed;
  const greedyPass = mismatches.length === 0;
  return {
    norm: 'max-abs over the vocabulary, worst step and sequence',
    ourError,
    hfHalfError: hfError,
    ratio: ourError / hfError,
    allowed,
    logitsPass,
    greedy: { threshold: 2 * allowed, compared, matched, mismatches, pass: greedyPass },
    pass: logitsPass && greedyPass,
    prefillMs: forced.prefillMs,
    decodeStepMsWallClock: forced.stepMs,
    perStep,
  };
}
