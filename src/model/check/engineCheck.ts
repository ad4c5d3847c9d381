/**
 * The engine cross-check (theory/model.md, "Engine cross-check"): an engine against the float64
 * reference on the same weights and tokens.
 *
 * 1. The reference decodes greedily from the prompts; its per-step logits and top-1 margins are
 *    kept.
 * 2. The engine and the naive fp32 implementation (same precision model, textbook loops) are fed
 *    the same tokens; the engine's logit error (max-abs over the vocabulary, worst step and
 *    sequence) must be at most twice the naive implementation's (the FlashAttention rule).
 * 3. The engine then decodes greedily on its own: its tokens must equal the reference's at every
 *    step up to the first one whose reference margin is at most twice the allowed error (where
 *    a correct engine may legitimately pick the other token, and the sequences may part).
 */
import type { DecodeEngine } from '../engine.js';
import { argmax, maxAbsDifference, topMargin } from './greedy.js';

export interface EngineCheckInputs {
  readonly reference: DecodeEngine;
  readonly engine: DecodeEngine;
  readonly naive: DecodeEngine;
  /** Prompts [batch, promptLength]. */
  readonly prompts: Int32Array;
  readonly promptLength: number;
  readonly steps: number;
}

export interface EngineCheckResult {
  readonly backend: string;
  readonly batch: number;
  readonly promptLength: number;
  readonly steps: number;
  /** Worst max-abs logit error of the engine and of the naive implementation against the reference. */
  readonly engineError: number;
  readonly naiveError: number;
  /** engineError / naiveError (the verdict needs ≤ 2). */
  readonly ratio: number;
  readonly withinTwiceNaive: boolean;
  /** Greedy steps compared (per sequence, until the margin allowed no verdict), and how many matched. */
  readonly greedyCompared: number;
  readonly greedyMatched: number;
  readonly greedyIdentical: boolean;
  readonly pass: boolean;
}

/** Runs the prompts then `steps` greedy tokens on `engine`, feeding `forced` instead when given. Returns per-step logits. */
function decodeRun(
  engine: DecodeEngine,
  inputs: EngineCheckInputs,
  forced: Int32Array[] | null,
): { logits: Float64Array[]; tokens: Int32Array[] } {
  const { prompts, promptLength, steps } = inputs;
  const batch = engine.batch;
  const vocab = engine.config.vocabSize;
  engine.reset();
  let logits = Float64Array.from(engine.append(prompts, promptLength));
  const all: Float64Array[] = [logits];
  const tokens: Int32Array[] = [];
  for (let s = 0; s < steps; s++) {
    const next = forced ? forced[s]! : Int32Array.from({ length: batch }, (_, b) => argmax(logits, b * vocab, vocab));
    tokens.push(next);
    if (s === steps - 1) break;
    logits = Float64Array.from(engine.append(next, 1));
    all.push(logits);
  }
  return { logits: all, tokens };
}

function worstError(a: Float64Array[], b: Float64Array[]): number {
  let worst = 0;
  for (let s = 0; s < a.length; s++) {
    const e = maxAbsDifference(a[s]!, b[s]!, 0, a[s]!.length);
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

export function checkEngine(inputs: EngineCheckInputs): EngineCheckResult {
  const { engine, naive, reference, steps } = inputs;
  const batch = engine.batch;
  const vocab = engine.config.vocabSize;
  const truth = decodeRun(reference, inputs, null);
  const engineError = worstError(decodeRun(engine, inputs, truth.tokens).logits, truth.logits);
  const naiveError = worstError(decodeRun(naive, inputs, truth.tokens).logits, truth.logits);
  const withinTwiceNaive = engineError <= 2 * naiveError;
  const tolerance = 2 * naiveError;
  const free = decodeRun(engine, inputs, null);
  let greedyCompared = 0;
  let greedyMatched = 0;
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < steps; s++) {
      if (topMargin(truth.logits[s]!, b * vocab, vocab) <= 2 * tolerance) break;
      greedyCompared++;
      if (free.tokens[s]![b] !== truth.tokens[s]![b]) break;
      greedyMatched++;
    }
  }
  const greedyIdentical = greedyMatched === greedyCompared;
  return {
    backend: engine.backend,
    batch,
    promptLength: inputs.promptLength,
    steps,
    engineError,
    naiveError,
    ratio: naiveError > 0 ? engineError / naiveError : engineError === 0 ? 0 : Infinity,
    withinTwiceNaive,
    greedyCompared,
    greedyMatched,
    greedyIdentical,
    pass: withinTwiceNaive && greedyIdentical,
  };
}
