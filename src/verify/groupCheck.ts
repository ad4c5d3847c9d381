/**
 * The work of `prhs check-output` on one head group (one KV head and the query heads reading it):
 * the kernel's values, the float64 reference, prhs's naive kernel and the derived bounds of each
 * stored output, for the group's rows only. Groups are independent, so they can run in workers;
 * src/verify/outputCheck.ts merges them and applies the harness's verdicts.
 */
import {
  referenceDecode,
  referenceDroppedMass,
  referenceScores,
  referenceSparse,
  rowIndices,
} from '../backends/reference/float64Kernels.js';
import { topKUnchecked } from '../core/topK.js';
import { roundTo, type StorageDtype } from '../numeric/storage.js';
import { precisionFor } from './declaredPrecision.js';
import type { HeadGroup } from './headGroups.js';
import { naiveDecode, naiveDroppedMass, naiveScores, naiveSparse } from './naiveKernels.js';
import { nativeDenseAndDelta, nativeOutQuartet, type CheckOutputAddon } from './nativeGroupCheck.js';
import { arithmeticOfType, type OutputCase } from './outputCase.js';
import {
  averageBounds,
  droppedMassBound,
  logitMagnitude,
  logitsWithMagnitudes,
  scoreBound,
} from './referenceBounds.js';
import { readFloats, type StoredTensor } from './storedTensors.js';
import { indexMismatches, topKSetViolation } from './topKComparison.js';

/** One output tensor's values over the group's rows: kernel, reference, naive kernel, bound (0 without a model). */
export interface Quartet {
  readonly kernel: Float64Array;
  readonly reference: Float64Array;
  readonly naive: Float64Array;
  readonly bounds: Float64Array;
  /** Per element, the magnitude tolerance (b) scales with, where it is not |reference| (logits). */
  readonly magnitudes?: Float64Array;
}

/** Sparse outputs, per row: the exact δ, ‖õ − o_dense‖₂ and the allowance 2δ·max‖v_i‖₂ + ‖bound‖₂. */
export interface DeltaRows {
  readonly delta: Float64Array;
  readonly gap: Float64Array;
  readonly allowance: Float64Array;
}

export interface TopKTally {
  /** Positions differing from the exact top-k of the kernel's own scores. */
  readonly mismatches: number;
  /** Worst violation of the tie-aware set condition against the float64 logits (0: admissible). */
  readonly violation: number;
}

export interface GroupResult {
  readonly firstRow: number;
  readonly out?: Quartet;
  readonly deltaRows?: DeltaRows;
  readonly delta?: Quartet;
  readonly scores?: Quartet;
  readonly topk?: TopKTally;
}

const outputDtype = (t: StoredTensor) => arithmeticOfType[t.type] ?? 'fp64';
/** The naive kernel's output rounded like the kernel's (an fp16 output carries fp16 rounding). */
const naiveRounding = (t: StoredTensor): StorageDtype =>
  t.type === 'F16' ? 'fp16' : t.type === 'BF16' ? 'bf16' : 'fp32';
const allTokens = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

function maxValueNorm(g: HeadGroup): number {
  const { tokens, valueDim } = g.x.shape;
  let largest = 0;
  for (let i = 0; i < tokens; i++) {
    let squared = 0;
    for (let c = 0; c < valueDim; c++) squared += g.x.values[i * valueDim + c]! ** 2;
    largest = Math.max(largest, Math.sqrt(squared));
  }
  return largest;
}

function outQuartet(c: OutputCase, g: HeadGroup): Quartet {
  const { queryHeads: rows, valueDim: dv, tokens } = g.x.shape;
  const tensor = c.tensors.out!;
  const probability = c.precision?.probability ?? 'fp32';
  const naive = g.lists ? naiveSparse(g.x, g.lists, probability) : naiveDecode(g.x, probability);
  const rounding = naiveRounding(tensor);
  const bounds = new Float64Array(rows * dv);
  if (c.precision) {
    const precision = precisionFor(c.precision, outputDtype(tensor));
    for (let r = 0; r < rows; r++)
      averageBounds(
        precision,
        g.x,
        r,
        0,
        g.lists ? rowIndices(g.lists, r) : allTokens(tokens),
        g.lists ? g.lists.selected : tokens,
        bounds,
      );
  }
  return {
    kernel: readFloats(tensor, g.firstRow * dv, rows * dv),
    reference: g.lists ? referenceSparse(g.x, g.lists) : referenceDecode(g.x),
    naive: naive.map((v) => roundTo(rounding, v)),
    bounds,
  };
}

/** gap and allowance per row from the dense reference output, the exact δ and max ‖v_i‖₂. */
function deltaRowsFrom(out: Quartet, dense: Float64Array, delta: Float64Array, norm: number): DeltaRows {
  const rows = delta.length;
  const dv = dense.length / rows;
  const gap = new Float64Array(rows);
  const allowance = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let squared = 0;
    let rounding = 0;
    for (let col = 0; col < dv; col++) {
      squared += (out.kernel[r * dv + col]! - dense[r * dv + col]!) ** 2;
      rounding += out.bounds[r * dv + col]! ** 2;
    }
    gap[r] = Math.sqrt(squared);
    allowance[r] = 2 * delta[r]! * norm * (1 + 1e-12) + Math.sqrt(rounding);
  }
  return { delta, gap, allowance };
}

function deltaRows(g: HeadGroup, out: Quartet): DeltaRows {
  return deltaRowsFrom(out, referenceDecode(g.x), referenceDroppedMass(g.x, g.lists!), maxValueNorm(g));
}

function deltaQuartet(c: OutputCase, g: HeadGroup): Quartet {
  const rows = g.x.shape.queryHeads;
  const reference = referenceDroppedMass(g.x, g.lists!);
  const bounds = new Float64Array(rows);
  if (c.precision) {
    const precision = precisionFor(c.precision, outputDtype(c.tensors.delta!));
    for (let r = 0; r < rows; r++) bounds[r] = droppedMassBound(precision, g.x, r, 0, reference[r]!);
  }
  return {
    kernel: readFloats(c.tensors.delta!, g.firstRow, rows),
    reference,
    naive: naiveDroppedMass(g.x, g.lists!),
    bounds,
  };
}

/** Reference logits and their bounds (zero without a model): for the scores check and the top-k set check. */
function logitQuartet(c: OutputCase, g: HeadGroup): Quartet {
  const { queryHeads: rows, tokens } = g.x.shape;
  const reference = referenceScores(g.x);
  const bounds = new Float64Array(rows * tokens);
  // The magnitudes of tolerance (b) only where there are scores to compare (not for top-k alone).
  const scores = c.tensors.scores;
  const magnitudes = scores ? new Float64Array(rows * tokens) : null;
  const precision = c.precision ? precisionFor(c.precision, scores ? outputDtype(scores) : 'fp32') : null;
  if (precision || magnitudes) {
    const all = allTokens(tokens);
    for (let r = 0; r < rows; r++) {
      const { absoluteDots } = logitsWithMagnitudes(g.x, r, 0, all);
      for (let i = 0; i < tokens; i++) {
        const at = r * tokens + i;
        if (precision)
          bounds[at] = scoreBound(precision, g.x.shape.headDim, g.x.scale, absoluteDots[i]!, reference[at]!);
        if (magnitudes) magnitudes[at] = logitMagnitude(g.x.scale, absoluteDots[i]!);
      }
    }
  }
  if (!scores || !magnitudes) return { kernel: new Float64Array(0), reference, naive: new Float64Array(0), bounds };
  const kernel = readFloats(scores, g.firstRow * tokens, rows * tokens);
  return { kernel, reference, naive: naiveScores(g.x), bounds, magnitudes };
}

function topKTally(c: OutputCase, g: HeadGroup, logits: Quartet | null): TopKTally {
  const { queryHeads: rows, tokens } = g.x.shape;
  const k = c.topk!.k;
  let mismatches = 0;
  let violation = 0;
  for (let r = 0; r < rows; r++) {
    const kept = c.topk!.indices.subarray((g.firstRow + r) * k, (g.firstRow + r + 1) * k);
    const row = (a: Float64Array) => a.subarray(r * tokens, (r + 1) * tokens);
    if (logits && c.precision)
      violation = Math.max(violation, topKSetViolation(kept, row(logits.reference), row(logits.bounds)));
    const own = logits && c.tensors.scores ? row(logits.kernel) : null;
    if (own && own.every((v) => !Number.isNaN(v))) mismatches += indexMismatches(kept, topKUnchecked(own, k));
  }
  return { mismatches, violation };
}

/** The out quartet (and, for sparse outputs, deltaRows) through the native passes when the addon and the group's stored layout allow. */
function outChecks(
  c: OutputCase,
  g: HeadGroup,
  addon: CheckOutputAddon | null,
): { out: Quartet; deltaRows?: DeltaRows } {
  const raw = g.raw;
  if (addon && raw && raw.values) {
    const values = { keys: raw.keys, values: raw.values };
    const { quartet, logits } = nativeOutQuartet(addon, c, g, values);
    if (!g.lists) return { out: quartet };
    const { dense, delta, norm } = nativeDenseAndDelta(addon, c, g, values, logits);
    return { out: quartet, deltaRows: deltaRowsFrom(quartet, dense, delta, norm) };
  }
  const out = outQuartet(c, g);
  return g.lists ? { out, deltaRows: deltaRows(g, out) } : { out };
}

/** Every check of one group; `addon` (checkOutputAddon()) runs the out checks natively, null keeps them in TypeScript. */
export function checkGroup(c: OutputCase, g: HeadGroup, addon: CheckOutputAddon | null = null): GroupResult {
  const out = c.tensors.out ? outChecks(c, g, addon) : undefined;
  const needLogits = c.tensors.scores !== undefined || (c.topk !== null && c.precision !== null);
  const logits = needLogits ? logitQuartet(c, g) : null;
  return {
    firstRow: g.firstRow,
    ...(out ? out : {}),
    ...(c.tensors.delta ? { delta: deltaQuartet(c, g) } : {}),
    ...(c.tensors.scores && logits ? { scores: logits } : {}),
    ...(c.topk ? { topk: topKTally(c, g, logits) } : {}),
  };
}
