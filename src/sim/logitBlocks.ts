/**
 * The simulator's exact logits, computed ahead in blocks. For one (layer, KV head) and a block
 * of consecutive decode steps, every query of the GQA group at every step of the block is scored
 * against the cache in one pass (scoreBlock: the keys are read once per block instead of once
 * per query head-step), and the rows are kept until the walk has passed the block. Logits do not
 * depend on what any selector did, so computing them ahead changes nothing the simulator measures.
 *
 * Two precisions:
 *   fp64  the float64 reference arithmetic (groupLogits, bitwise equal to logitRow);
 *   fp32  the native CPU backend's `scores` kernel (fp32 products and sums, the scale rounded to
 *         fp32), widened to float64 for everything downstream; theory/simulator-precision.md
 *         bounds what this changes in δ and δ*.
 * 'auto' takes fp32 when the CPU backend loads and fp64 otherwise; fp32 falls back to fp64 (and
 * says so in `source`) when the addon is not present.
 *
 * Threads: with threads > 1, worker threads (logitWorker) do the blocks ahead of the walk into
 * two shared slots (block b in slot b mod 2) while the main thread runs the selectors; the main
 * thread does any block of its current step that no worker has claimed yet. A block is done by
 * the same function whichever thread claims it, so records are bitwise the same for every
 * thread count. One thread is the default: on the shared 2-core development machine a worker
 * made runs slower (bench/results/simulate-*.json record what was measured).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError } from '../core/errors.js';
import type { KernelBackend } from '../backends/kernelBackend.js';
import { loadBackend } from '../backends/registry.js';
import type { Trace, TraceShape } from '../traces/trace.js';
import {
  blockTokens,
  createScoreBlockScratch,
  ROW_STATS,
  scoreBlock,
  type BlockRows,
  type ScoreBlockInputs,
  type ScoreBlockScratch,
} from './scoreBlock.js';

export type LogitPrecision = 'fp64' | 'fp32';
export type LogitPrecisionRequest = LogitPrecision | 'auto';
export const logitPrecisionRequests: readonly LogitPrecisionRequest[] = ['fp64', 'fp32', 'auto'];

/** Most decode steps per block; beyond this the keys' traffic no longer matters. */
const MAX_STEPS_PER_BLOCK = 8;
/** Memory the kept rows (logits and exponentials) of every layer may take together (bytes, all slots). */
const BLOCK_MEMORY_BUDGET = 384 * 2 ** 20;
/** Longest the main thread waits for a worker's block before it scores the block itself (ms). */
const WORKER_STALL_MS = 30_000;

/** Indices into the shared control array. */
export const CONTROL = { claimed: 0, consumed: 1, abort: 2, failed: 3, length: 4 } as const;

/**
 * What a logit worker receives: the rows and the control arrays are shared; the queries and keys
 * are copied into the worker once (structured clone), because the native addon refuses inputs on
 * a SharedArrayBuffer (JavaScript could change them under the kernel).
 */
export interface LogitWorkerData {
  readonly shape: TraceShape;
  readonly scale: number;
  readonly precision: LogitPrecision;
  readonly thresholdSize: number;
  readonly stepsPerBlock: number;
  readonly slots: number;
  readonly queries: Float32Array;
  readonly keys: Float32Array;
  readonly rows: BlockRows;
  readonly control: Int32Array;
  readonly done: Int32Array;
}

/** Which scorer a precision request gets: the CPU backend for fp32 when it loads, else the reference. */
export function resolveLogitScorer(request: LogitPrecisionRequest): {
  precision: LogitPrecision;
  backend: KernelBackend | undefined;
  source: string;
} {
  if (!logitPrecisionRequests.includes(request))
    throw new InvalidArgumentError(
      'precision',
      `one of ${logitPrecisionRequests.join(', ')}`,
      JSON.stringify(request),
      'domain',
    );
  const reference = 'float64 reference (JavaScript, GQA-blocked)';
  if (request === 'fp64') return { precision: 'fp64', backend: undefined, source: reference };
  const load = loadBackend('cpu');
  if (load.loaded)
    return {
      precision: 'fp32',
      backend: load.backend,
      source: `cpu backend scores kernel (${load.backend.description})`,
    };
  return {
    precision: 'fp64',
    backend: undefined,
    source: `${reference}; the cpu backend is not available: ${load.reason}`,
  };
}

/** Task k = (block·L + layer)·Hkv + kvHead, in the order the walk needs them. */
export function taskOf(shape: TraceShape, k: number): { block: number; layer: number; kvHead: number } {
  const perBlock = shape.layers * shape.kvHeads;
  const block = Math.floor(k / perBlock);
  const rest = k - block * perBlock;
  return { block, layer: Math.floor(rest / shape.kvHeads), kvHead: rest % shape.kvHeads };
}

/** First row of a task in the block storage (rows of `positions` entries; ROW_STATS statistics each). */
export function taskRow(
  shape: TraceShape,
  stepsPerBlock: number,
  slots: number,
  block: number,
  layer: number,
  kvHead: number,
): number {
  const group = shape.queryHeads / shape.kvHeads;
  return (((block % slots) * shape.layers + layer) * shape.kvHeads + kvHead) * stepsPerBlock * group;
}

const workerScript = new URL('./logitWorker.js', import.meta.url);

export interface LogitBlocksConstraints {
  /** Decode steps scored together (default: up to 8, within 256 MiB of rows). */
  readonly stepsPerBlock?: number;
  /** Threads doing the per-row work, the main thread included (default 1; see simulate's `threads`). */
  readonly threads?: number;
  /** Kept-set size to precompute the oracle threshold for (the selector's budget; default none). */
  readonly thresholdSize?: number;
}

export class LogitBlocks {
  readonly precision: LogitPrecision;
  readonly source: string;
  readonly stepsPerBlock: number;
  /** Threads that score (1 = the main thread alone). */
  readonly threads: number;
  private readonly inputs: ScoreBlockInputs;
  private readonly scratch: ScoreBlockScratch;
  private readonly slots: number;
  private readonly group: number;
  private readonly rows: BlockRows;
  /** Per-row statistics (ROW_STAT fields); `row` returns where its row's statistics start. */
  readonly stats: Float64Array;
  /** Per layer: the block whose rows are ready (−1 none). */
  private readonly readyBlock: Int32Array;
  private readonly control: Int32Array;
  private readonly done: Int32Array;
  private readonly workers: Worker[] = [];
  private consumed = 0;

  constructor(
    readonly trace: Trace,
    request: LogitPrecisionRequest,
    options: LogitBlocksConstraints = {},
  ) {
    const scorer = resolveLogitScorer(request);
    this.precision = scorer.precision;
    this.source = scorer.source;
    const { layers: L, steps: T, queryHeads: Hq, kvHeads: Hkv, positions: N, headDim: d } = trace;
    for (const name of ['stepsPerBlock', 'threads'] as const) {
      const value = options[name];
      if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= 256))
        throw new InvalidArgumentError(name, 'an integer in [1, 256]', String(value), 'integer');
    }
    // Workers need the compiled worker script (absent when the TypeScript sources run directly).
    this.threads =
      options.threads !== undefined && options.threads > 1 && existsSync(fileURLToPath(workerScript))
        ? options.threads
        : 1;
    this.slots = this.threads > 1 ? 2 : 1;
    const bytesPerStep = L * Hq * N * ((this.precision === 'fp64' ? 8 : 4) + 8);
    const automatic = Math.max(
      1,
      Math.min(MAX_STEPS_PER_BLOCK, Math.floor(BLOCK_MEMORY_BUDGET / (this.slots * bytesPerStep))),
    );
    this.stepsPerBlock = Math.min(T, options.stepsPerBlock ?? automatic);
    this.group = Hq / Hkv;
    const rowCount = this.slots * L * Hkv * this.stepsPerBlock * this.group;
    const size = rowCount * N;
    const threaded = this.threads > 1;
    const allocate = (bytes: number) => (threaded ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    this.rows = {
      logits: this.precision === 'fp64' ? new Float64Array(allocate(8 * size)) : new Float32Array(allocate(4 * size)),
      exps: new Float64Array(allocate(8 * size)),
      stats: new Float64Array(allocate(8 * rowCount * ROW_STATS)),
    };
    this.stats = this.rows.stats;
    this.readyBlock = new Int32Array(L).fill(-1);
    const tasks = Math.ceil(T / this.stepsPerBlock) * L * Hkv;
    this.control = new Int32Array(
      threaded ? new SharedArrayBuffer(4 * CONTROL.length) : new ArrayBuffer(4 * CONTROL.length),
    );
    this.done = new Int32Array(threaded ? new SharedArrayBuffer(4 * tasks) : new ArrayBuffer(4 * tasks));
    const shape: TraceShape = {
      layers: L,
      steps: T,
      queryHeads: Hq,
      kvHeads: Hkv,
      positions: N,
      headDim: d,
      valueDim: trace.valueDim,
    };
    this.inputs = {
      shape,
      scale: trace.scale,
      queries: trace.queries,
      keys: trace.keys,
      backend: scorer.backend,
      thresholdSize: options.thresholdSize ?? 0,
    };
    this.scratch = createScoreBlockScratch(shape, this.stepsPerBlock * this.group, this.precision);
    for (let w = 1; w < this.threads; w++) {
      const workerData: LogitWorkerData = {
        shape,
        scale: trace.scale,
        precision: this.precision,
        thresholdSize: this.inputs.thresholdSize,
        stepsPerBlock: this.stepsPerBlock,
        slots: this.slots,
        queries: this.inputs.queries,
        keys: this.inputs.keys,
        rows: this.rows,
        control: this.control,
        done: this.done,
      };
      const worker = new Worker(workerScript, { workerData });
      worker.unref();
      worker.on('error', () => Atomics.store(this.control, CONTROL.failed, 1));
      this.workers.push(worker);
    }
  }

  /**
   * Copies the visible logits z_0 … z_{length−1} of (layer, step, head) and their exponentials
   * exp(z_i − max) into `logits` and `exps`; returns where the row's statistics start in `stats`.
   */
  row(layer: number, step: number, head: number, length: number, logits: Float64Array, exps: Float64Array): number {
    const block = Math.floor(step / this.stepsPerBlock);
    if (this.readyBlock[layer] !== block) {
      this.prepare(layer, block);
      this.readyBlock[layer] = block;
    }
    const kv = Math.floor(head / this.group);
    const r = (step - block * this.stepsPerBlock) * this.group + (head - kv * this.group);
    const first = taskRow(this.trace, this.stepsPerBlock, this.slots, block, layer, kv);
    const offset =
      first * this.trace.positions + r * blockTokens(this.trace, block * this.stepsPerBlock, this.stepsPerBlock);
    logits.set(this.rows.logits.subarray(offset, offset + length));
    exps.set(this.rows.exps.subarray(offset, offset + length));
    return (first + r) * ROW_STATS;
  }

  /** Stops the workers (idempotent). */
  close(): void {
    Atomics.store(this.control, CONTROL.abort, 1);
    Atomics.notify(this.control, CONTROL.consumed);
    for (const worker of this.workers) void worker.terminate();
    this.workers.length = 0;
  }

  private compute(k: number): void {
    const { block, layer, kvHead } = taskOf(this.trace, k);
    const first = taskRow(this.trace, this.stepsPerBlock, this.slots, block, layer, kvHead);
    scoreBlock(
      this.inputs,
      this.scratch,
      layer,
      kvHead,
      block * this.stepsPerBlock,
      this.stepsPerBlock,
      this.rows,
      first * this.trace.positions,
      first,
    );
    Atomics.store(this.done, k, 1);
  }

  /** Makes the rows of (layer, block) ready: scores what no worker has claimed, waits for the rest. */
  private prepare(layer: number, block: number): void {
    const Hkv = this.trace.kvHeads;
    const first = (block * this.trace.layers + layer) * Hkv;
    const last = first + Hkv - 1;
    if (this.workers.length === 0) {
      for (let k = first; k <= last; k++) this.compute(k);
      return;
    }
    if (block > this.consumed) {
      // Every block before this one is walked: its slot may be overwritten.
      this.consumed = block;
      Atomics.store(this.control, CONTROL.consumed, block);
      Atomics.notify(this.control, CONTROL.consumed);
    }
    for (;;) {
      const next = Atomics.load(this.control, CONTROL.claimed);
      if (next > last) break;
      if (Atomics.compareExchange(this.control, CONTROL.claimed, next, next + 1) === next) this.compute(next);
    }
    for (let k = first; k <= last; k++) {
      const started = Date.now();
      while (Atomics.load(this.done, k) === 0) {
        // A failed or stalled worker never finishes its block: score it here instead.
        if (Atomics.load(this.control, CONTROL.failed) === 1 || Date.now() - started > WORKER_STALL_MS) {
          this.compute(k);
          break;
        }
        Atomics.wait(this.done, k, 0, 50);
      }
    }
  }
}
