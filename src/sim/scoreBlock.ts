/**
 * One unit of the simulator's per-row work that does not depend on any selector: every query of
 * one GQA group (one layer, one KV head) over a block of consecutive decode steps is scored
 * against the keys the block's last step sees, and each row then gets what δ and δ* need:
 * the maximum logit, the exponentials e_i = exp(z_i − max) and their total (in index order), and,
 * for the expected kept-set size k, the oracle threshold v = the k-th largest e_i with the count
 * of e_i > v, the count of e_i = v and the sum of e_i < v. The main thread and the logit workers
 * both run exactly this, so which thread did a block never changes a bit of it.
 */
import type { KernelBackend } from '../backends/kernelBackend.js';
import { InvalidArgumentError } from '../core/errors.js';
import { keyOffset, queryOffset, visibleLength, type TraceShape } from '../traces/trace.js';
import { groupLogits } from './groupLogits.js';
import { kthLargestOf } from './kthLargest.js';

export interface ScoreBlockInputs {
  readonly shape: TraceShape;
  readonly scale: number;
  readonly queries: Float32Array;
  readonly keys: Float32Array;
  /** The CPU backend for fp32 logits; undefined for the float64 reference arithmetic. */
  readonly backend: KernelBackend | undefined;
  /** The kept-set size the oracle threshold is precomputed for (min(k, length); 0 = none). */
  readonly thresholdSize: number;
}

/** Per-row statistics, ROW_STATS numbers per row. */
export const ROW_STAT = { max: 0, total: 1, size: 2, threshold: 3, greater: 4, below: 5, equal: 6 } as const;
export const ROW_STATS = 7;

/** Where a block's results go: logits and exponentials [rows, stride], statistics [rows, ROW_STATS]. */
export interface BlockRows {
  readonly logits: Float64Array | Float32Array;
  readonly exps: Float64Array;
  readonly stats: Float64Array;
}

/** Scratch reused between blocks (sized for the largest block). */
export interface ScoreBlockScratch {
  readonly queries64: Float64Array;
  readonly queries32: Float32Array;
  readonly key: Float64Array;
  readonly select: Float64Array;
}

export function createScoreBlockScratch(
  shape: TraceShape,
  rows: number,
  precision: 'fp64' | 'fp32',
): ScoreBlockScratch {
  const d = shape.headDim;
  return {
    queries64: new Float64Array(precision === 'fp64' ? rows * d : 0),
    queries32: new Float32Array(precision === 'fp32' ? rows * d : 0),
    key: new Float64Array(d),
    select: new Float64Array(shape.positions),
  };
}

/** Keys the rows of the block starting at `start` cover (what its last step sees). */
export function blockTokens(shape: TraceShape, start: number, stepsPerBlock: number): number {
  return visibleLength(shape, Math.min(start + stepsPerBlock, shape.steps) - 1);
}

const noValues = new Float32Array(0);

/**
 * Scores the block (layer, kvHead, steps [start, start + stepsPerBlock)) into `out` at entry
 * `offset` (rows of stride blockTokens) and statistics row `statsRow`.
 */
export function scoreBlock(
  inputs: ScoreBlockInputs,
  scratch: ScoreBlockScratch,
  layer: number,
  kvHead: number,
  start: number,
  stepsPerBlock: number,
  out: BlockRows,
  offset: number,
  statsRow: number,
): void {
  const shape = inputs.shape;
  const d = shape.headDim;
  const group = shape.queryHeads / shape.kvHeads;
  const steps = Math.min(stepsPerBlock, shape.steps - start);
  const tokens = blockTokens(shape, start, stepsPerBlock);
  const rows = steps * group;
  const ko = keyOffset(shape, layer, kvHead);
  const fp64 = inputs.backend === undefined;
  const queries = fp64 ? scratch.queries64 : scratch.queries32;
  for (let s = 0; s < steps; s++) {
    // The group's query heads are adjacent in [L, T, Hq, d]: one contiguous run per step.
    const qo = queryOffset(shape, layer, start + s, kvHead * group);
    queries.set(inputs.queries.subarray(qo, qo + group * d), s * group * d);
  }
  if (fp64) {
    groupLogits(
      scratch.queries64,
      rows,
      inputs.keys,
      ko,
      tokens,
      d,
      inputs.scale,
      scratch.key,
      (out.logits as Float64Array).subarray(offset, offset + rows * tokens),
      tokens,
    );
  } else {
    const scores = inputs.backend!.scores({
      dtype: 'fp32',
      shape: { batch: 1, queryHeads: rows, kvHeads: 1, tokens, headDim: d, valueDim: 1 },
      query: scratch.queries32.subarray(0, rows * d),
      keys: inputs.keys.subarray(ko, ko + tokens * d),
      values: noValues,
      scale: inputs.scale,
    });
    out.logits.set(scores, offset);
  }
  for (let r = 0; r < rows; r++) {
    const step = start + Math.floor(r / group);
    const length = visibleLength(shape, step);
    if (!fp64)
      requireFiniteLogits(out.logits.subarray(offset + r * tokens, offset + r * tokens + length), {
        layer,
        queryHead: kvHead * group + (r % group),
        step,
      });
    rowStatistics(out, offset + r * tokens, length, inputs.thresholdSize, scratch.select, (statsRow + r) * ROW_STATS);
  }
}

/**
 * fp32 logits overflow to ±∞ (and then NaN) where |s·q·k| exceeds the fp32 range, although the
 * float64 logits of the same fp32 entries are finite; δ, recall and the rest would silently be
 * wrong, so such a trace is refused for fp32 (fp64 computes it).
 */
function requireFiniteLogits(row: ArrayLike<number>, where: { layer: number; queryHead: number; step: number }): void {
  for (let i = 0; i < row.length; i++) {
    if (Number.isFinite(row[i]!)) continue;
    throw new InvalidArgumentError(
      'precision',
      'fp64 for this trace: its fp32 logits overflow the fp32 range (|s·q·k| > 3.4e38)',
      `fp32, which gives the logit ${row[i]} at layer ${where.layer}, query head ${where.queryHead}, step ${where.step}, key ${i}`,
      'range',
    );
  }
}

/** max, exponentials, total and the oracle threshold of one row (the simulator's order of operations). */
function rowStatistics(
  out: BlockRows,
  at: number,
  length: number,
  thresholdSize: number,
  select: Float64Array,
  statsAt: number,
): void {
  const z = out.logits;
  const exps = out.exps;
  const stats = out.stats;
  let max = -Infinity;
  for (let i = 0; i < length; i++) if (z[at + i]! > max) max = z[at + i]!;
  let total = 0;
  for (let i = 0; i < length; i++) {
    const e = Math.exp(z[at + i]! - max);
    exps[at + i] = e;
    total += e;
  }
  stats[statsAt + ROW_STAT.max] = max;
  stats[statsAt + ROW_STAT.total] = total;
  const size = Math.min(thresholdSize, length);
  if (size <= 0 || size >= length) {
    stats[statsAt + ROW_STAT.size] = -1;
    return;
  }
  const v = kthLargestOf(exps, at, length, size, select);
  let greater = 0;
  let below = 0;
  let equal = 0;
  for (let i = 0; i < length; i++) {
    // Branch-free counts; adding +0 leaves the sum bitwise unchanged.
    const e = exps[at + i]!;
    greater += e > v ? 1 : 0;
    equal += e === v ? 1 : 0;
    below += e < v ? e : 0;
  }
  stats[statsAt + ROW_STAT.size] = size;
  stats[statsAt + ROW_STAT.threshold] = v;
  stats[statsAt + ROW_STAT.greater] = greater;
  stats[statsAt + ROW_STAT.below] = below;
  stats[statsAt + ROW_STAT.equal] = equal;
}
