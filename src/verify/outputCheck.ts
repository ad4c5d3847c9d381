/**
 * `prhs check-output`: a foreign kernel's stored outputs against the float64 reference recomputed
 * on exactly the stored inputs, with the harness's verdicts (src/verify/elementComparison.ts):
 * the derived bound of the declared precision model, the calibrated per-dtype tolerance, at most
 * 2x prhs's naive same-precision kernel, the NaN/Inf pattern; for sparse outputs also the dropped
 * mass δ of each list and the distance to dense attention against 2δ·max‖v‖ (theory/kernel-error.md
 * section 4); for top-k the exact order on the kernel's own scores and the tie-aware set check.
 * Head groups run in worker threads (src/verify/outputWorker.ts) or in this thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PrhsError } from '../core/errors.js';
import type { StorageDtype } from '../numeric/storage.js';
import { compareElements, type Comparison } from './elementComparison.js';
import { checkGroup, type DeltaRows, type GroupResult, type Quartet, type TopKTally } from './groupCheck.js';
import { forEachHeadGroup } from './headGroups.js';
import { checkOutputAddon } from './nativeGroupCheck.js';
import type { OutputCase } from './outputCase.js';

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
  /** Largest |kernel − reference|; for topk the mismatching positions (with scores) or the worst set violation. */
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

/** Every group's quartets placed into whole-tensor arrays. */
interface Merged {
  out: Quartet | null;
  deltaRows: DeltaRows | null;
  delta: Quartet | null;
  scores: Quartet | null;
  topk: { mismatches: number; violation: number } | null;
}

/** Empty whole-tensor arrays; with magnitudes for the logits (groupCheck.ts's logitQuartet). */
function quartet(length: number, withMagnitudes = false): Quartet {
  return {
    kernel: new Float64Array(length),
    reference: new Float64Array(length),
    naive: new Float64Array(length),
    bounds: new Float64Array(length),
    ...(withMagnitudes ? { magnitudes: new Float64Array(length) } : {}),
  };
}

function place(into: Quartet | DeltaRows, from: Quartet | DeltaRows, at: number): void {
  for (const [key, array] of Object.entries(from) as [string, Float64Array][])
    (into as unknown as Record<string, Float64Array>)[key]!.set(array, at);
}

function emptyMerge(c: OutputCase): Merged {
  const s = c.shape;
  const rows = s.batch * s.queryHeads;
  return {
    out: c.tensors.out ? quartet(rows * s.valueDim) : null,
    deltaRows:
      c.tensors.out && c.lists
        ? { delta: new Float64Array(rows), gap: new Float64Array(rows), allowance: new Float64Array(rows) }
        : null,
    delta: c.tensors.delta ? quartet(rows) : null,
    scores: c.tensors.scores ? quartet(rows * s.tokens, true) : null,
    topk: c.topk ? { mismatches: 0, violation: 0 } : null,
  };
}

function merge(m: Merged, r: GroupResult, c: OutputCase): void {
  if (m.out && r.out) place(m.out, r.out, r.firstRow * c.shape.valueDim);
  if (m.deltaRows && r.deltaRows) place(m.deltaRows, r.deltaRows, r.firstRow);
  if (m.delta && r.delta) place(m.delta, r.delta, r.firstRow);
  if (m.scores && r.scores) place(m.scores, r.scores, r.firstRow * c.shape.tokens);
  if (m.topk && r.topk) {
    const t: TopKTally = r.topk;
    m.topk.mismatches += t.mismatches;
    m.topk.violation = Math.max(m.topk.violation, t.violation);
  }
}

/** The harness's comparison; without a model (or with an infinite bound) the bound verdict is not applicable. */
function compare(
  a: Quartet,
  from: number,
  to: number,
  dtype: StorageDtype,
  modelled: boolean,
): { c: Comparison; bound: number | null; ratio: number | null; withinBound: Verdict } {
  const bounds = a.bounds.subarray(from, to);
  const c = compareElements(a.kernel.subarray(from, to), a.reference.subarray(from, to), bounds, dtype, {
    naive: a.naive.subarray(from, to),
    magnitudes: a.magnitudes?.subarray(from, to),
  });
  if (!modelled) return { c, bound: null, ratio: null, withinBound: null };
  if (!bounds.every((b) => Number.isFinite(b))) return { c, bound: Infinity, ratio: null, withinBound: null };
  return { c, bound: c.bound, ratio: c.ratio, withinBound: c.verdicts.withinBound };
}

function tensorResult(
  tensor: TensorResult['tensor'],
  a: Quartet,
  dtype: StorageDtype,
  modelled: boolean,
): TensorResult {
  const { c, bound, ratio, withinBound } = compare(a, 0, a.reference.length, dtype, modelled);
  const verdicts = { ...c.verdicts, withinBound };
  return { tensor, maxError: c.maxError, bound, ratio, naiveError: c.naiveError, verdicts, pass: passes(verdicts) };
}

function headResults(c: OutputCase, out: Quartet, deltaRows: DeltaRows | null): HeadResult[] {
  const s = c.shape;
  const dv = s.valueDim;
  const heads: HeadResult[] = [];
  for (let row = 0; row < s.batch * s.queryHeads; row++) {
    const {
      c: cmp,
      bound,
      ratio,
      withinBound,
    } = compare(out, row * dv, (row + 1) * dv, c.storage, c.precision !== null);
    // Rule (c) is a statistic over the whole output (src/verify/elementComparison.ts): one head is too few elements.
    const verdicts: Record<string, Verdict> = {
      withinBound,
      withinTolerance: cmp.verdicts.withinTolerance,
      nonFinitePatternMatches: cmp.verdicts.nonFinitePatternMatches,
    };
    const extra: Partial<HeadResult> = {};
    if (deltaRows) {
      const allowance = c.precision ? deltaRows.allowance[row]! : null;
      // A NaN distance at matching NaN positions is the NaN pattern's business, not the δ bound's.
      const judged = Number.isFinite(deltaRows.gap[row]!) || !cmp.verdicts.nonFinitePatternMatches;
      verdicts.deltaBound =
        allowance === null || !Number.isFinite(allowance) || !judged ? null : deltaRows.gap[row]! <= allowance;
      Object.assign(extra, {
        droppedMass: deltaRows.delta[row]!,
        denseGap: deltaRows.gap[row]!,
        deltaAllowance: allowance,
      });
    }
    heads.push({
      batch: Math.floor(row / s.queryHeads),
      head: row % s.queryHeads,
      maxError: cmp.maxError,
      bound,
      ratio,
      naiveError: cmp.naiveError!,
      ...extra,
      verdicts,
      pass: passes(verdicts),
    });
  }
  return heads;
}

function verdictsOf(c: OutputCase, m: Merged): OutputCheck {
  const modelled = c.precision !== null;
  const tensors: TensorResult[] = [];
  if (m.out) tensors.push(tensorResult('out', m.out, c.storage, modelled));
  if (m.delta) tensors.push(tensorResult('delta', m.delta, c.storage, modelled));
  if (m.scores) tensors.push(tensorResult('scores', m.scores, c.storage, modelled));
  if (m.topk) {
    const verdicts = {
      identicalToOwnScores: c.tensors.scores ? m.topk.mismatches === 0 : null,
      setAdmissible: modelled ? m.topk.violation === 0 : null,
    };
    tensors.push({
      tensor: 'topk',
      maxError: c.tensors.scores ? m.topk.mismatches : m.topk.violation,
      bound: null,
      ratio: null,
      naiveError: null,
      verdicts,
      pass: passes(verdicts),
    });
  }
  const heads = m.out ? headResults(c, m.out, m.deltaRows) : [];
  return { heads, tensors, pass: tensors.every((t) => t.pass) && heads.every((h) => h.pass) };
}

/** Runs the groups with index ≡ worker (mod workers) in a worker thread over the same file. */
function runWorker(
  path: string,
  worker: number,
  workers: number,
  native: boolean,
  onResult: (r: GroupResult) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const thread = new Worker(new URL('./outputWorker.js', import.meta.url), {
      workerData: { path, worker, workers, native },
    });
    thread.on('message', (message: { result?: GroupResult; error?: { message: string; expected: boolean } }) => {
      if (message.result) onResult(message.result);
      else if (message.error)
        reject(message.error.expected ? new PrhsError(message.error.message) : new Error(message.error.message));
    });
    thread.on('error', reject);
    thread.on('exit', () => resolve());
  });
}

/** Worker threads exist only in the compiled package (a .ts module has no .js worker beside it). */
const workersAvailable = import.meta.url.endsWith('.js');

export interface CheckOptions {
  /** The file the case was read from (workers reopen it). */
  readonly path: string;
  /** Worker threads (default: the CPUs available, at most one per group, for cases of more than 2^22 key elements; 1 = this thread only). */
  readonly workers?: number;
  /** Run the out checks' heavy passes in the native CPU addon when it is built (default true; same results, src/verify/nativeGroupCheck.ts). */
  readonly native?: boolean;
}

/** Below this many key elements (one 64-head-dim KV head of 64K tokens) starting workers costs more than it saves. */
const workerThreshold = 1 << 22;

export async function checkOutput(c: OutputCase, options: CheckOptions): Promise<OutputCheck> {
  const groups = c.shape.batch * c.shape.kvHeads;
  const large = groups * c.shape.tokens * c.shape.headDim > workerThreshold;
  const workers = Math.min(groups, options.workers ?? (large ? availableParallelism() : 1));
  const merged = emptyMerge(c);
  const native = options.native !== false;
  if (workers <= 1 || !workersAvailable) {
    const addon = native ? checkOutputAddon() : null;
    forEachHeadGroup(c, (g) => merge(merged, checkGroup(c, g, addon), c), { raw: addon !== null });
  } else {
    const threads = Array.from({ length: workers }, (_, w) =>
      runWorker(options.path, w, workers, native, (r) => merge(merged, r, c)),
    );
    await Promise.all(threads);
  }
  return verdictsOf(c, merged);
}
