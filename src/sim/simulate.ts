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
import type { Selector } from '../selectors/selector.js';
import { checkTrace, visibleLength, type Trace } from '../traces/trace.js';
import { HeadStepRecorder } from './headStepRecorder.js';
import { LogitBlocks, type LogitPrecision, type LogitPrecisionRequest } from './logitBlocks.js';

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
  const { layers: L, queryHeads: Hq, steps: T } = trace;
  const record = emptyRecord(trace, selector, blocks, observeSteps);
  const recorder = new HeadStepRecorder({
    trace,
    selector,
    record,
    rowStats: blocks.stats,
    certify: options.certify ?? true,
    pageSize: options.pageSize ?? 16,
    outputError: options.outputError ?? true,
  });
  selector.begin(trace);
  for (let t = 0; t < T; t++) {
    const length = visibleLength(trace, t);
    for (let layer = 0; layer < L; layer++) {
      for (let h = 0; h < Hq; h++) {
        recorder.point(t, layer, h, length);
        const at = blocks.row(layer, t, h, length, recorder.logits, recorder.exps);
        if (t < observeSteps) recorder.observeDense(at);
        else recorder.recordSelection(at, ((t - observeSteps) * L + layer) * Hq + h);
      }
    }
    options.onStep?.(t + 1, T);
  }
  record.elapsedMs = performance.now() - started;
  return record;
}

/** A record with every per-head-step array allocated (certified and outputError NaN until computed). */
function emptyRecord(
  trace: Trace,
  selector: Selector,
  blocks: LogitBlocks,
  observeSteps: number,
): SimulationRecord & { elapsedMs: number } {
  const { layers: L, queryHeads: Hq, steps: T } = trace;
  const recordedSteps = T - observeSteps;
  const count = recordedSteps * L * Hq;
  return {
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
}
