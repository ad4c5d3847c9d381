/**
 * The decode simulator: walks a trace step by step, layer by layer, head by head, asks a
 * selector for each head-step's kept set and records what it cost and what it lost:
 *   δ       dropped mass of the kept set (exact logits, float64)
 *   δ*      the oracle's dropped mass at the same actual budget |S|
 *   δ̂       the certified bound from page summaries and kept logits (when certify is on)
 *   recall  |S ∩ Top_|S|| / |S|, Top the oracle set (ties to the lower index)
 *   error   ‖o − ô‖₂ of the renormalised sparse output (when outputError is on)
 *   cost    keys scored, bytes read (keys scored, proxies, kept K and V) and retrievals.
 * The first `observeSteps` steps are the end of the prompt: every selector sees their dense
 * attention through observe() (H2O accumulates, SnapKV votes, DoubleSparsity calibrates) and
 * they are not recorded. Flat buffers are allocated once per run.
 *
 * Everything per row that does not depend on the selector (logits, their maximum, the
 * exponentials and their total, the oracle threshold at the selector's budget) comes from
 * LogitBlocks, computed ahead per GQA group and block of steps (on worker threads when asked).
 * Logits are float64 by default or come from the native fp32 kernel on request, and the record
 * says which in `logitPrecision`. In fp64 every recorded number is bitwise what the
 * per-query loop computed before (the same operations in the same order), for every block size
 * and thread count.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { CertifiedBoundWorkspace } from '../selectors/certifiedBound.js';
import { PageCache } from '../selectors/pageCache.js';
import { BYTES_PER_ELEMENT, createSelection, type HeadStep, type Selector } from '../selectors/selector.js';
import {
  checkTrace,
  keyOffset,
  kvHeadOf,
  queryOffset,
  valueOffset,
  visibleLength,
  type Trace,
} from '../traces/trace.js';
import { kthLargestInPlace } from './kthLargest.js';
import { LogitBlocks, type LogitPrecision, type LogitPrecisionRequest } from './logitBlocks.js';
import { ROW_STAT } from './scoreBlock.js';

export interface SimulationConstraints {
  /** Prompt-tail steps shown densely and not recorded (default min(4, T − 1)). */
  readonly observeSteps?: number;
  /** Compute the certified δ̂ of every kept set (default true). */
  readonly certify?: boolean;
  /** Page size of the certificate's summaries (default 16). */
  readonly pageSize?: number;
  /** Compute ‖o − ô‖ (default true). */
  readonly outputError?: boolean;
  /** Called after each step with (steps done, steps in all). */
  readonly onStep?: (done: number, total: number) => void;
  /** Skip the finiteness scan of the trace (it is O(size)); default false. */
  readonly trusted?: boolean;
  /**
   * Arithmetic of the logits (default 'fp64', the float64 reference): 'fp32' scores with the
   * native CPU backend (falling back to fp64 when it is not built), 'auto' takes fp32 when it is.
   */
  readonly precision?: LogitPrecisionRequest;
  /** Decode steps scored together per (layer, KV head) (default: up to 8, within 256 MiB of rows). */
  readonly stepsPerBlock?: number;
  /**
   * Threads doing the per-row work (logits, exponentials, oracle threshold), the main thread
   * included (default 1). Workers need the compiled simulator (dist/); from the TypeScript
   * sources the run falls back to one thread, and `logitThreads` says what ran. Results are
   * bitwise the same for every thread count.
   */
  readonly threads?: number;
}

/** Per (recorded step, layer, head) results, index ((t − observeSteps)·L + ℓ)·Hq + h. */
export interface SimulationRecord {
  readonly selector: string;
  readonly budget: number;
  readonly layers: number;
  readonly queryHeads: number;
  readonly observeSteps: number;
  readonly recordedSteps: number;
  readonly delta: Float64Array;
  readonly deltaStar: Float64Array;
  /** NaN where certify is off. */
  readonly certified: Float64Array;
  readonly recall: Float64Array;
  /** NaN where outputError is off. */
  readonly outputError: Float64Array;
  readonly size: Int32Array;
  readonly keysScored: Int32Array;
  readonly bytes: Float64Array;
  readonly denseBytes: Float64Array;
  readonly retrieved: Uint8Array;
  /** Arithmetic the logits were computed in (δ, δ*, recall and the selectors' scores derive from them). */
  readonly logitPrecision: LogitPrecision;
  /** What computed the logits (and, after a fallback, why not the native backend). */
  readonly logitSource: string;
  /** Threads that scored logits (the main thread included). */
  readonly logitThreads: number;
  readonly elapsedMs: number;
}

type MutableHeadStep = { -readonly [K in keyof HeadStep]: HeadStep[K] };

export function simulate(trace: Trace, selector: Selector, options: SimulationConstraints = {}): SimulationRecord {
  if (!options.trusted) checkTrace(trace);
  const started = performance.now();
  const T = trace.steps;
  const observeSteps = options.observeSteps ?? Math.min(4, T - 1);
  if (!Number.isInteger(observeSteps) || observeSteps < 0 || observeSteps >= T) {
    throw new InvalidArgumentError(
      'observeSteps',
      `an integer in [0, ${T - 1}] (at least one step must be recorded)`,
      String(observeSteps),
      'range',
    );
  }
  const blocks = new LogitBlocks(trace, options.precision ?? 'fp64', {
    thresholdSize: selector.budget,
    ...(options.stepsPerBlock === undefined ? {} : { stepsPerBlock: options.stepsPerBlock }),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  });
  try {
    return walk(trace, selector, options, blocks, started, observeSteps);
  } finally {
    blocks.close();
  }
}

function walk(
  trace: Trace,
  selector: Selector,
  options: SimulationConstraints,
  blocks: LogitBlocks,
  started: number,
  observeSteps: number,
): SimulationRecord {
  const { layers: L, queryHeads: Hq, steps: T, headDim: d, valueDim: dv, positions: N } = trace;
  const certify = options.certify ?? true;
  const withError = options.outputError ?? true;
  const pageSize = options.pageSize ?? 16;
  const recordedSteps = T - observeSteps;
  const count = recordedSteps * L * Hq;
  const record = {
    selector: selector.name,
    budget: selector.budget,
    layers: L,
    queryHeads: Hq,
    observeSteps,
    recordedSteps,
    delta: new Float64Array(count),
    deltaStar: new Float64Array(count),
    certified: new Float64Array(count).fill(Number.NaN),
    recall: new Float64Array(count),
    outputError: new Float64Array(count).fill(Number.NaN),
    size: new Int32Array(count),
    keysScored: new Int32Array(count),
    bytes: new Float64Array(count),
    denseBytes: new Float64Array(count),
    retrieved: new Uint8Array(count),
    logitPrecision: blocks.precision,
    logitSource: blocks.source,
    logitThreads: blocks.threads,
    elapsedMs: 0,
  };

  const logits = new Float64Array(N);
  const exps = new Float64Array(N);
  const scratch = new Float64Array(N);
  const weights = new Float64Array(N);
  const mask = new Uint8Array(N);
  const dense = new Float64Array(dv);
  const sparse = new Float64Array(dv);
  const selection = createSelection(N);
  const pages = certify ? new PageCache(trace, pageSize) : undefined;
  const workspace = certify ? new CertifiedBoundWorkspace(N, d, pageSize) : undefined;
  const view: MutableHeadStep = {
    trace,
    step: 0,
    layer: 0,
    head: 0,
    kvHead: 0,
    length: 0,
    queryOffset: 0,
    keyOffset: 0,
    valueOffset: 0,
    logits,
  };
  const Q = trace.queries;
  const V = trace.values;
  const scale = trace.scale;
  const observe = selector.observe?.bind(selector);
  const rowStats = blocks.stats;

  selector.begin(trace);
  for (let t = 0; t < T; t++) {
    const length = visibleLength(trace, t);
    for (let layer = 0; layer < L; layer++) {
      for (let h = 0; h < Hq; h++) {
        const kv = kvHeadOf(trace, h);
        const qo = queryOffset(trace, layer, t, h);
        const ko = keyOffset(trace, layer, kv);
        const vo = valueOffset(trace, layer, kv);
        view.step = t;
        view.layer = layer;
        view.head = h;
        view.kvHead = kv;
        view.length = length;
        view.queryOffset = qo;
        view.keyOffset = ko;
        view.valueOffset = vo;
        // Logits, e_i = exp(z_i − max z), their total (index order) and the oracle threshold for
        // the selector's budget, computed ahead by LogitBlocks.
        const at = blocks.row(layer, t, h, length, logits, exps);
        const total = rowStats[at + ROW_STAT.total]!;
        if (t < observeSteps) {
          if (observe) {
            for (let i = 0; i < length; i++) weights[i] = exps[i]! / total;
            observe(view, weights, true);
            weights.fill(0, 0, length);
          }
          continue;
        }
        selector.select(view, selection);
        const size = selection.size;
        const S = selection.indices;
        let keptSum = 0;
        for (let j = 0; j < size; j++) {
          const i = S[j]!;
          if (i < 0 || i >= length || mask[i]) {
            throw new InvalidArgumentError(
              `${selector.name} selection`,
              `distinct positions in [0, ${length})`,
              `position ${i} at step ${t}, layer ${layer}, head ${h}`,
              'range',
            );
          }
          mask[i] = 1;
        }
        // The dropped sum, in index order.
        let dropped = 0;
        for (let i = 0; i < length; i++) if (!mask[i]) dropped += exps[i]!;
        for (let j = 0; j < size; j++) keptSum += exps[S[j]!]!;
        const r = ((t - observeSteps) * L + layer) * Hq + h;
        record.delta[r] = dropped / total;

        // Oracle at the same actual budget: threshold v = the |S|-th largest exponential.
        if (size === 0) {
          record.deltaStar[r] = 1;
          record.recall[r] = 1;
        } else if (size >= length) {
          record.deltaStar[r] = 0;
          record.recall[r] = 1;
        } else {
          let v: number;
          let greater = 0;
          let below = 0;
          let equal = 0;
          let hits = 0;
          if (rowStats[at + ROW_STAT.size] === size) {
            // Precomputed for this size: only the kept positions need looking at.
            v = rowStats[at + ROW_STAT.threshold]!;
            greater = rowStats[at + ROW_STAT.greater]!;
            below = rowStats[at + ROW_STAT.below]!;
            equal = rowStats[at + ROW_STAT.equal]!;
            for (let j = 0; j < size; j++) if (exps[S[j]!]! > v) hits++;
          } else {
            scratch.set(exps.subarray(0, length));
            v = kthLargestInPlace(scratch, length, size);
            for (let i = 0; i < length; i++) {
              const e = exps[i]!;
              if (e > v) {
                greater++;
                hits += mask[i]!;
              } else if (e < v) below += e;
              else equal++;
            }
          }
          // The oracle keeps the first tiesKept positions (index order) whose e_i equals v.
          const tiesKept = size - greater;
          if (tiesKept === equal) {
            for (let j = 0; j < size; j++) if (exps[S[j]!] === v) hits++;
          } else {
            for (let i = 0, seen = 0; i < length && seen < tiesKept; i++) {
              if (exps[i] === v) {
                seen++;
                hits += mask[i]!;
              }
            }
          }
          record.deltaStar[r] = (below + (equal - tiesKept) * v) / total;
          record.recall[r] = hits / size;
        }

        if (withError) {
          dense.fill(0);
          sparse.fill(0);
          for (let i = 0; i < length; i++) {
            const w = exps[i]!;
            if (w === 0) continue;
            const row = vo + i * dv;
            if (mask[i]) for (let c = 0; c < dv; c++) sparse[c]! += w * V[row + c]!;
            for (let c = 0; c < dv; c++) dense[c]! += w * V[row + c]!;
          }
          let error = 0;
          for (let c = 0; c < dv; c++) error += (dense[c]! / total - (size > 0 ? sparse[c]! / keptSum : 0)) ** 2;
          record.outputError[r] = Math.sqrt(error);
        }

        if (pages && workspace) {
          for (let c = 0; c < d; c++) workspace.query[c] = Q[qo + c]!;
          const summaries = pages.summaries(layer, kv, length);
          const bounds = workspace.pageBounds(summaries, scale, 'min');
          record.certified[r] =
            size === 0 ? 1 : workspace.bound(logits, length, S, size, summaries, bounds, pageSize, mask);
        }

        record.size[r] = size;
        record.keysScored[r] = selection.keysScored;
        record.bytes[r] = (selection.keysScored * d + size * (d + dv)) * BYTES_PER_ELEMENT + selection.metadataBytes;
        record.denseBytes[r] = length * (d + dv) * BYTES_PER_ELEMENT;
        record.retrieved[r] = selection.retrieved ? 1 : 0;

        if (observe) {
          for (let j = 0; j < size; j++) weights[S[j]!] = exps[S[j]!]! / keptSum;
          observe(view, weights, false);
          for (let j = 0; j < size; j++) weights[S[j]!] = 0;
        }
        for (let j = 0; j < size; j++) mask[S[j]!] = 0;
      }
    }
    options.onStep?.(t + 1, T);
  }
  record.elapsedMs = performance.now() - started;
  return record;
}
