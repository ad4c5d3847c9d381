/**
 * `prhs check-output`: a foreign kernel's stored outputs against the float64 reference recomputed
 * on exactly the stored inputs, with the harness's verdicts (src/verify/elementComparison.ts):
 * the derived bound of the declared precision model, the calibrated per-dtype tolerance, at most
 * 2x prhs's naive same-precision kernel, the NaN/Inf pattern; for sparse outputs also the dropped
 * mass δ of each list and the distance to dense attention against 2δ·max‖v‖ (theory/kernel-error.md
 * section 4); for top-k the exact order on the kernel's own scores and the tie-aware set check.
 */
import { topKUnchecked } from '../core/topK.js';
import { referenceDecode, referenceDroppedMass, referenceScores, referenceSparse, rowIndices } from '../backends/reference/float64Kernels.js';
import { roundTo, type StorageDtype } from '../numeric/storage.js';
import { precisionFor } from './declaredPrecision.js';
import { compareElements, type Comparison } from './elementComparison.js';
import { forEachHeadGroup, type HeadGroup } from './headGroups.js';
import { naiveDecode, naiveDroppedMass, naiveScores, naiveSparse } from './naiveKernels.js';
import { arithmeticOfType, type OutputCase } from './outputCase.js';
import { averageBounds, droppedMassBound, logitsWithMagnitudes, scoreBound } from './referenceBounds.js';
import { readFloats, type StoredTensor } from './storedTensors.js';
import { indexMismatches, topKSetViolation } from './topKComparison.js';

type Verdict = boolean | null;

export interface HeadResult {
  readonly batch: number;
  readonly head: number;
  readonly maxError: number;
  /** The derived bound at the element of largest error; null without a precision model. */
  readonly bound: number | null;
  readonly ratio: number | null;
  readonly naiveError: number;
  /** Sparse outputs: the exact dropped mass of the head's list. */
  readonly droppedMass?: number;
  /** Sparse outputs: ‖õ − o_dense‖₂ and the allowance 2δ·max‖v_i‖₂ + ‖bound‖₂ (null without a model). */
  readonly denseGap?: number;
  readonly deltaAllowance?: number | null;
  readonly verdicts: Readonly<Record<string, Verdict>>;
  readonly pass: boolean;
}

export interface TensorResult {
  readonly tensor: 'out' | 'delta' | 'scores' | 'topk';
  readonly maxError: number;
  readonly bound: number | null;
  readonly ratio: number | null;
  readonly naiveError: number | null;
  readonly verdicts: Readonly<Record<string, Verdict>>;
  readonly pass: boolean;
}

export interface OutputCheck {
  readonly heads: readonly HeadResult[];
  readonly tensors: readonly TensorResult[];
  readonly pass: boolean;
}

const passes = (verdicts: Readonly<Record<string, Verdict>>) => Object.values(verdicts).every((v) => v !== false);

/** Reference, naive and bound arrays of one output tensor, filled group by group. */
interface Accumulated {
  readonly kernel: Float64Array;
  readonly reference: Float64Array;
  readonly naive: Float64Array;
  readonly bounds: Float64Array;
}

function accumulated(length: number): Accumulated {
  return { kernel: new Float64Array(length), reference: new Float64Array(length), naive: new Float64Array(length), bounds: new Float64Array(length) };
}

/** The harness's comparison; without a model the bound verdict is not applicable (and no bound enters rule (c)'s floor). */
function compare(a: Accumulated, from: number, to: number, dtype: StorageDtype, modelled: boolean): { c: Comparison; bound: number | null; ratio: number | null; withinBound: Verdict } {
  const bounds = a.bounds.subarray(from, to);
  const c = compareElements(a.kernel.subarray(from, to), a.reference.subarray(from, to), bounds, dtype, a.naive.subarray(from, to));
  const finite = bounds.every((b) => Number.isFinite(b));
  if (!modelled || !finite) return { c, bound: modelled ? Infinity : null, ratio: null, withinBound: null };
  return { c, bound: c.bound, ratio: c.ratio, withinBound: c.verdicts.withinBound };
}

function tensorResult(tensor: TensorResult['tensor'], a: Accumulated, dtype: StorageDtype, modelled: boolean): TensorResult {
  const { c, bound, ratio, withinBound } = compare(a, 0, a.reference.length, dtype, modelled);
  const verdicts = { ...c.verdicts, withinBound };
  return { tensor, maxError: c.maxError, bound, ratio, naiveError: c.naiveError, verdicts, pass: passes(verdicts) };
}

const outputDtype = (t: StoredTensor) => arithmeticOfType[t.type] ?? 'fp64';
const naiveRounding = (t: StoredTensor): StorageDtype => (t.type === 'F16' ? 'fp16' : t.type === 'BF16' ? 'bf16' : 'fp32');
const allTokens = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** Sparse outputs: distance of each kernel row from dense attention, against the δ bound. */
interface DeltaRows {
  readonly delta: Float64Array;
  readonly gap: Float64Array;
  readonly allowance: Float64Array;
}

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

function collectOut(c: OutputCase, g: HeadGroup, out: Accumulated, deltaRows: DeltaRows | null): void {
  const { queryHeads: rows, valueDim: dv } = g.x.shape;
  const tensor = c.tensors.out!;
  const probability = c.precision?.probability ?? 'fp32';
  const at = g.firstRow * dv;
  out.kernel.set(readFloats(tensor, at, rows * dv), at);
  out.reference.set(g.lists ? referenceSparse(g.x, g.lists) : referenceDecode(g.x), at);
  const naive = g.lists ? naiveSparse(g.x, g.lists, probability) : naiveDecode(g.x, probability);
  const rounding = naiveRounding(tensor);
  out.naive.set(naive.map((v) => roundTo(rounding, v)), at);
  if (c.precision) {
    const precision = precisionFor(c.precision, outputDtype(tensor));
    const local = new Float64Array(rows * dv);
    for (let r = 0; r < rows; r++) {
      const tokens = g.lists ? rowIndices(g.lists, r) : allTokens(g.x.shape.tokens);
      averageBounds(precision, g.x, r, 0, tokens, g.lists ? g.lists.selected : g.x.shape.tokens, local);
    }
    out.bounds.set(local, at);
  }
  if (!deltaRows || !g.lists) return;
  const dense = referenceDecode(g.x);
  const delta = referenceDroppedMass(g.x, g.lists);
  const norm = maxValueNorm(g);
  for (let r = 0; r < rows; r++) {
    let gap = 0;
    let rounding2 = 0;
    for (let col = 0; col < dv; col++) {
      gap += (out.kernel[at + r * dv + col]! - dense[r * dv + col]!) ** 2;
      rounding2 += out.bounds[at + r * dv + col]! ** 2;
    }
    deltaRows.delta[g.firstRow + r] = delta[r]!;
    deltaRows.gap[g.firstRow + r] = Math.sqrt(gap);
    deltaRows.allowance[g.firstRow + r] = 2 * delta[r]! * norm * (1 + 1e-12) + Math.sqrt(rounding2);
  }
}

function collectDelta(c: OutputCase, g: HeadGroup, acc: Accumulated): void {
  const rows = g.x.shape.queryHeads;
  const lists = g.lists!;
  acc.kernel.set(readFloats(c.tensors.delta!, g.firstRow, rows), g.firstRow);
  const reference = referenceDroppedMass(g.x, lists);
  acc.reference.set(reference, g.firstRow);
  acc.naive.set(naiveDroppedMass(g.x, lists), g.firstRow);
  if (!c.precision) return;
  const precision = precisionFor(c.precision, outputDtype(c.tensors.delta!));
  for (let r = 0; r < rows; r++) acc.bounds[g.firstRow + r] = droppedMassBound(precision, g.x, r, 0, reference[r]!);
}

function collectScores(c: OutputCase, g: HeadGroup, acc: Accumulated | null, topk: TopKTally | null): void {
  const { queryHeads: rows, tokens } = g.x.shape;
  const at = g.firstRow * tokens;
  const kernel = c.tensors.scores ? readFloats(c.tensors.scores, at, rows * tokens) : null;
  const reference = referenceScores(g.x);
  const bounds = new Float64Array(rows * tokens);
  if (c.precision) {
    const precision = precisionFor(c.precision, c.tensors.scores ? outputDtype(c.tensors.scores) : 'fp32');
    const all = allTokens(tokens);
    for (let r = 0; r < rows; r++) {
      const { absoluteDots } = logitsWithMagnitudes(g.x, r, 0, all);
      for (let i = 0; i < tokens; i++) bounds[r * tokens + i] = scoreBound(precision, g.x.shape.headDim, g.x.scale, absoluteDots[i]!, reference[r * tokens + i]!);
    }
  }
  if (acc && kernel) {
    acc.kernel.set(kernel, at);
    acc.reference.set(reference, at);
    acc.naive.set(naiveScores(g.x), at);
    acc.bounds.set(bounds, at);
  }
  if (topk) tallyTopK(c, g, topk, reference, bounds, kernel);
}

interface TopKTally {
  mismatches: number;
  violation: number;
}

function tallyTopK(c: OutputCase, g: HeadGroup, tally: TopKTally, reference: Float64Array, bounds: Float64Array, kernelScores: Float64Array | null): void {
  const { queryHeads: rows, tokens } = g.x.shape;
  const k = c.topk!.k;
  for (let r = 0; r < rows; r++) {
    const kept = c.topk!.indices.subarray((g.firstRow + r) * k, (g.firstRow + r + 1) * k);
    if (c.precision) tally.violation = Math.max(tally.violation, topKSetViolation(kept, reference.subarray(r * tokens, (r + 1) * tokens), bounds.subarray(r * tokens, (r + 1) * tokens)));
    const own = kernelScores?.subarray(r * tokens, (r + 1) * tokens);
    if (own && own.every((v) => !Number.isNaN(v))) tally.mismatches += indexMismatches(kept, topKUnchecked(own, k));
  }
}

function headResults(c: OutputCase, out: Accumulated, deltaRows: DeltaRows | null): HeadResult[] {
  const s = c.shape;
  const dv = s.valueDim;
  const heads: HeadResult[] = [];
  for (let row = 0; row < s.batch * s.queryHeads; row++) {
    const { c: cmp, bound, ratio, withinBound } = compare(out, row * dv, (row + 1) * dv, c.storage, c.precision !== null);
    // Rule (c) is a statistic over the whole output (src/verify/elementComparison.ts): one head is too few elements.
    const verdicts: Record<string, Verdict> = { withinBound, withinTolerance: cmp.verdicts.withinTolerance, nonFinitePatternMatches: cmp.verdicts.nonFinitePatternMatches };
    const extra: Partial<HeadResult> = {};
    if (deltaRows) {
      const finite = Number.isFinite(deltaRows.gap[row]!) || !cmp.verdicts.nonFinitePatternMatches;
      const allowance = c.precision ? deltaRows.allowance[row]! : null;
      verdicts.deltaBound = allowance === null || !Number.isFinite(allowance) || !finite ? null : deltaRows.gap[row]! <= allowance;
      Object.assign(extra, { droppedMass: deltaRows.delta[row]!, denseGap: deltaRows.gap[row]!, deltaAllowance: allowance });
    }
    heads.push({ batch: Math.floor(row / s.queryHeads), head: row % s.queryHeads, maxError: cmp.maxError, bound, ratio, naiveError: cmp.naiveError!, ...extra, verdicts, pass: passes(verdicts) });
  }
  return heads;
}

export function checkOutput(c: OutputCase): OutputCheck {
  const s = c.shape;
  const rows = s.batch * s.queryHeads;
  const modelled = c.precision !== null;
  const out = c.tensors.out ? accumulated(rows * s.valueDim) : null;
  const deltaRows = out && c.lists ? { delta: new Float64Array(rows), gap: new Float64Array(rows), allowance: new Float64Array(rows) } : null;
  const delta = c.tensors.delta ? accumulated(rows) : null;
  const scores = c.tensors.scores ? accumulated(rows * s.tokens) : null;
  const topk: TopKTally | null = c.topk ? { mismatches: 0, violation: 0 } : null;
  forEachHeadGroup(c, (g) => {
    if (out) collectOut(c, g, out, deltaRows);
    if (delta) collectDelta(c, g, delta);
    if (scores || (topk && modelled)) collectScores(c, g, scores, topk);
    else if (topk) tallyTopK(c, g, topk, new Float64Array(0), new Float64Array(0), null);
  });
  const tensors: TensorResult[] = [];
  if (out) tensors.push(tensorResult('out', out, c.storage, modelled));
  if (delta) tensors.push(tensorResult('delta', delta, c.storage, modelled));
  if (scores) tensors.push(tensorResult('scores', scores, c.storage, modelled));
  if (topk) {
    const verdicts = { identicalToOwnScores: c.tensors.scores ? topk.mismatches === 0 : null, setAdmissible: modelled ? topk.violation === 0 : null };
    tensors.push({ tensor: 'topk', maxError: c.tensors.scores ? topk.mismatches : topk.violation, bound: null, ratio: null, naiveError: null, verdicts, pass: passes(verdicts) });
  }
  const heads = out ? headResults(c, out, deltaRows) : [];
  return { heads, tensors, pass: tensors.every((t) => t.pass) && heads.every((h) => h.pass) };
}
