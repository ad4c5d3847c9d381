/**
 * One check per kernel property (theory/kernel-error.md). Each runs a backend on
 * given inputs, runs the float64 reference on the same rounded inputs, evaluates the derived bound
 * from reference quantities only, and returns one CheckResult.
 */
import { topKUnchecked } from '../core/topK.js';
import type {
  AttentionInputs,
  AttentionShape,
  BackendPrecision,
  IndexLists,
  KernelBackend,
  PageBoundKind,
} from '../backends/kernelBackend.js';
import {
  decodeInputs,
  headOffsets,
  type DecodedInputs,
  referenceCertified,
  referenceDecode,
  referenceDroppedMass,
  referenceScores,
  referenceSparse,
  rowIndices,
} from '../backends/reference/float64Kernels.js';
import { compareElements, type Comparison } from './elementComparison.js';
import { naiveDecode, naiveDroppedMass, naiveScores, naiveSparse } from './naiveKernels.js';
import { indexMismatches, topKSetViolation } from './topKComparison.js';
import {
  averageBounds,
  droppedMassBound,
  logitMagnitude,
  logitsWithMagnitudes,
  scoreBound,
} from './referenceBounds.js';
import type { StorageDtype } from '../numeric/storage.js';
import { big, droppedMassHighPrecision, exactLogits } from './highPrecision.js';

export interface CheckResult {
  readonly kernel: string;
  readonly dtype: StorageDtype;
  /** e.g. "B2 Hq8 Hkv2 N1000 d64 dv64". */
  readonly shape: string;
  readonly maxError: number;
  readonly bound: number;
  /** max error/bound over elements (0 when the check is exact). */
  readonly ratio: number;
  readonly pass: boolean;
  readonly verdicts: Readonly<Record<string, boolean | null>>;
  readonly naiveError?: number | null;
  readonly note?: string;
  readonly seconds: number;
}

export function shapeLabel(s: AttentionShape, extra = ''): string {
  return `B${s.batch} Hq${s.queryHeads} Hkv${s.kvHeads} N${s.tokens} d${s.headDim} dv${s.valueDim}${extra}`;
}

function fromComparison(
  kernel: string,
  dtype: StorageDtype,
  shape: string,
  c: Comparison,
  started: number,
  extraVerdicts: Record<string, boolean> = {},
): CheckResult {
  const verdicts = { ...c.verdicts, ...extraVerdicts };
  const pass = Object.values(verdicts).every((v) => v !== false);
  return {
    kernel,
    dtype,
    shape,
    maxError: c.maxError,
    bound: c.bound,
    ratio: c.ratio,
    pass,
    verdicts,
    naiveError: c.naiveError,
    seconds: (performance.now() - started) / 1000,
  };
}

/** What a check measured; it passes when every verdict holds. */
interface Measured extends Pick<CheckResult, 'kernel' | 'dtype' | 'shape' | 'maxError' | 'bound' | 'ratio'> {
  readonly verdicts: Readonly<Record<string, boolean>>;
  /** performance.now() when the check began. */
  readonly started: number;
}

function verdictResult(m: Measured): CheckResult {
  return {
    kernel: m.kernel,
    dtype: m.dtype,
    shape: m.shape,
    maxError: m.maxError,
    bound: m.bound,
    ratio: m.ratio,
    pass: Object.values(m.verdicts).every((v) => v),
    verdicts: m.verdicts,
    seconds: (performance.now() - m.started) / 1000,
  };
}

function forEachHead(s: AttentionShape, visit: (row: number, cache: number) => void): void {
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.queryHeads; h++) {
      const { row, cache } = headOffsets(s, b, h);
      visit(row, cache);
    }
  }
}

const allTokens = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/**
 * What each elementwise check names: the kernel call, the float64 reference on the same rounded
 * inputs, the per-head bound (from reference quantities only) and the naive fp32 yardstick.
 */
interface ElementwiseCheck {
  readonly kernel: string;
  readonly inputs: AttentionInputs;
  readonly shape: string;
  readonly output: () => Float32Array;
  readonly reference: (x: DecodedInputs) => Float64Array;
  /** Writes the bounds of the head at (row, cache) of the reference's layout into `bounds`. */
  readonly bound: (x: DecodedInputs, head: HeadAt, reference: Float64Array, bounds: Float64Array) => void;
  readonly naive: (x: DecodedInputs) => Float64Array;
  /** The magnitudes tolerance (b) scales with, in the reference's layout, filled by `bound` (default: |ref|). */
  readonly magnitudes?: Float64Array;
}

interface HeadAt {
  readonly row: number;
  readonly cache: number;
}

function checkElementwise(check: ElementwiseCheck): CheckResult {
  const started = performance.now();
  const x = decodeInputs(check.inputs);
  const output = check.output();
  const reference = check.reference(x);
  const bounds = new Float64Array(reference.length);
  forEachHead(check.inputs.shape, (row, cache) => check.bound(x, { row, cache }, reference, bounds));
  const dtype = check.inputs.dtype;
  return fromComparison(
    check.kernel,
    dtype,
    check.shape,
    compareElements(output, reference, bounds, dtype, { naive: check.naive(x), magnitudes: check.magnitudes }),
    started,
  );
}

export function checkScores(backend: KernelBackend, inputs: AttentionInputs): CheckResult {
  const s = inputs.shape;
  const tokens = allTokens(s.tokens);
  const magnitudes = new Float64Array(s.batch * s.queryHeads * s.tokens);
  return checkElementwise({
    kernel: 'scores',
    inputs,
    shape: shapeLabel(s),
    output: () => backend.scores(inputs),
    reference: referenceScores,
    bound: (x, { row, cache }, reference, bounds) => {
      const { absoluteDots } = logitsWithMagnitudes(x, row, cache, tokens);
      for (let i = 0; i < s.tokens; i++) {
        const at = row * s.tokens + i;
        bounds[at] = scoreBound(backend.precision, s.headDim, x.scale, absoluteDots[i]!, reference[at]!);
        magnitudes[at] = logitMagnitude(x.scale, absoluteDots[i]!);
      }
    },
    naive: naiveScores,
    magnitudes,
  });
}

/** The precision of dense decodeAttention on this dtype: the backend's, unless its dense kernel declares its own. */
export function densePrecision(backend: KernelBackend, dtype: AttentionInputs['dtype']): BackendPrecision {
  return backend.decodePrecision ? backend.decodePrecision(dtype) : backend.precision;
}

export function checkDecode(backend: KernelBackend, inputs: AttentionInputs): CheckResult {
  const s = inputs.shape;
  const tokens = allTokens(s.tokens);
  const precision = densePrecision(backend, inputs.dtype);
  return checkElementwise({
    kernel: 'decodeAttention',
    inputs,
    shape: shapeLabel(s),
    output: () => backend.decodeAttention(inputs),
    reference: referenceDecode,
    bound: (x, { row, cache }, _reference, bounds) => averageBounds(precision, x, row, cache, tokens, s.tokens, bounds),
    naive: (x) => naiveDecode(x),
  });
}

export function checkSparse(backend: KernelBackend, inputs: AttentionInputs, lists: IndexLists): CheckResult {
  return checkElementwise({
    kernel: 'sparseAttention',
    inputs,
    shape: shapeLabel(inputs.shape, ` k${lists.selected}`),
    output: () => backend.sparseAttention(inputs, lists),
    reference: (x) => referenceSparse(x, lists),
    bound: (x, { row, cache }, _reference, bounds) =>
      averageBounds(backend.precision, x, row, cache, rowIndices(lists, row), lists.selected, bounds),
    naive: (x) => naiveSparse(x, lists),
  });
}

export function checkDroppedMass(backend: KernelBackend, inputs: AttentionInputs, lists: IndexLists): CheckResult {
  return checkElementwise({
    kernel: 'droppedMass',
    inputs,
    shape: shapeLabel(inputs.shape, ` k${lists.selected}`),
    output: () => backend.droppedMass(inputs, lists),
    reference: (x) => referenceDroppedMass(x, lists),
    bound: (x, { row, cache }, reference, bounds) => {
      bounds[row] = droppedMassBound(backend.precision, x, row, cache, reference[row]!);
    },
    naive: (x) => naiveDroppedMass(x, lists),
  });
}

/** Exact top-k on the same fp32 scores: identical indices, in identical order. */
export function checkTopKExact(
  backend: KernelBackend,
  scores: Float32Array,
  rows: number,
  columns: number,
  k: number,
  label: string,
): CheckResult {
  const started = performance.now();
  const output = backend.topK(scores, rows, columns, k);
  let mismatches = 0;
  for (let r = 0; r < rows; r++) {
    const expected = topKUnchecked(scores.subarray(r * columns, (r + 1) * columns), k);
    mismatches += indexMismatches(output.subarray(r * k, (r + 1) * k), expected);
  }
  const pass = mismatches === 0;
  return verdictResult({
    kernel: 'topK',
    dtype: 'fp32',
    shape: `rows${rows} N${columns} k${k}${label}`,
    maxError: mismatches,
    bound: 0,
    ratio: 0,
    verdicts: { identicalIndices: pass },
    started,
  });
}

/** Scores kernel, then top-k kernel, against float64 logits: the set may differ only within the score error bound. */
export function checkTopKPipeline(backend: KernelBackend, inputs: AttentionInputs, k: number): CheckResult {
  const started = performance.now();
  const x = decodeInputs(inputs);
  const s = inputs.shape;
  const rows = s.batch * s.queryHeads;
  const kernelScores = backend.scores(inputs);
  const selected = backend.topK(kernelScores, rows, s.tokens, k);
  const tokens = allTokens(s.tokens);
  let violation = 0;
  let worstBound = 0;
  forEachHead(s, (row, cache) => {
    const { logits, absoluteDots } = logitsWithMagnitudes(x, row, cache, tokens);
    const betas = absoluteDots.map((a, i) => scoreBound(backend.precision, s.headDim, x.scale, a, logits[i]!));
    for (const b of betas) worstBound = Math.max(worstBound, b);
    violation = Math.max(violation, topKSetViolation(selected.subarray(row * k, (row + 1) * k), logits, betas));
  });
  const pass = violation === 0;
  return verdictResult({
    kernel: 'scores+topK',
    dtype: inputs.dtype,
    shape: shapeLabel(s, ` k${k}`),
    maxError: violation,
    bound: 2 * worstBound,
    ratio: 0,
    verdicts: { setAdmissible: pass },
    started,
  });
}

function bitwiseMismatches(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let n = 0;
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) n++;
  return n;
}

/**
 * Sparse attention over every token, in order, must equal dense attention bit for bit. Where the
 * dense kernel declares its own precision (another summation order), bits are not claimed: each
 * element of the two outputs must then differ by at most the sum of their two bounds.
 */
export function checkSparseAllEqualsDense(
  backend: KernelBackend,
  inputs: AttentionInputs,
  all: IndexLists,
): CheckResult {
  const started = performance.now();
  const sparse = backend.sparseAttention(inputs, all);
  const dense = backend.decodeAttention(inputs);
  if (backend.decodePrecision) return sparseAllWithinDenseBounds(backend, inputs, all, sparse, dense, started);
  const mismatches = bitwiseMismatches(sparse, dense);
  const pass = mismatches === 0;
  return verdictResult({
    kernel: 'sparse(all)=dense',
    dtype: inputs.dtype,
    shape: shapeLabel(inputs.shape),
    maxError: mismatches,
    bound: 0,
    ratio: 0,
    verdicts: { bitwiseEqual: pass },
    started,
  });
}

function sparseAllWithinDenseBounds(
  backend: KernelBackend,
  inputs: AttentionInputs,
  all: IndexLists,
  sparse: Float32Array,
  dense: Float32Array,
  started: number,
): CheckResult {
  const x = decodeInputs(inputs);
  const s = inputs.shape;
  const sparseBounds = new Float64Array(sparse.length);
  const denseBounds = new Float64Array(dense.length);
  const tokens = allTokens(s.tokens);
  const precision = densePrecision(backend, inputs.dtype);
  forEachHead(s, (row, cache) => {
    averageBounds(backend.precision, x, row, cache, rowIndices(all, row), all.selected, sparseBounds);
    averageBounds(precision, x, row, cache, tokens, s.tokens, denseBounds);
  });
  let ratio = 0;
  let maxError = 0;
  let boundAtMax = 0;
  let within = true;
  for (let i = 0; i < sparse.length; i++) {
    const gap = Math.abs(sparse[i]! - dense[i]!);
    const bound = sparseBounds[i]! + denseBounds[i]!;
    if (!(gap <= bound)) within = false;
    if (gap / bound > ratio) {
      ratio = gap / bound;
      maxError = gap;
      boundAtMax = bound;
    }
  }
  return verdictResult({
    kernel: 'sparse(all)≈dense',
    dtype: inputs.dtype,
    shape: shapeLabel(s),
    maxError,
    bound: boundAtMax,
    ratio,
    verdicts: { withinBothBounds: within },
    started,
  });
}

/** Changing one head's index list changes that head's output and no other head's. */
export function checkHeadIsolation(
  backend: KernelBackend,
  inputs: AttentionInputs,
  lists: IndexLists,
  changedRow: number,
  changed: IndexLists,
): CheckResult {
  const started = performance.now();
  const s = inputs.shape;
  const before = backend.sparseAttention(inputs, lists);
  const after = backend.sparseAttention(inputs, changed);
  let others = 0;
  let own = 0;
  for (let row = 0; row < s.batch * s.queryHeads; row++) {
    const n = bitwiseMismatches(
      before.subarray(row * s.valueDim, (row + 1) * s.valueDim),
      after.subarray(row * s.valueDim, (row + 1) * s.valueDim),
    );
    if (row === changedRow) own += n;
    else others += n;
  }
  return verdictResult({
    kernel: 'headIsolation',
    dtype: inputs.dtype,
    shape: shapeLabel(s),
    maxError: others,
    bound: 0,
    ratio: 0,
    verdicts: { otherHeadsUnchanged: others === 0, changedHeadChanged: own > 0 },
    started,
  });
}

/**
 * Certified δ̂ from the backend's page summaries: sound (δ̂ ≥ the float64 δ on the same inputs),
 * close to src/core's δ̂ on the same summaries, and it bounds the kernels' own dense-vs-sparse gap:
 * ‖o_dense − o_sparse‖₂ ≤ 2δ̂·max‖v_i‖ + ‖rounding bound of each output‖₂.
 */
export function checkCertified(
  backend: KernelBackend,
  inputs: AttentionInputs,
  lists: IndexLists,
  pageSize: number,
  kind: PageBoundKind,
): CheckResult {
  const started = performance.now();
  const { x, summaries, certified, coreCertified } = certifiedBesideCore(backend, inputs, lists, pageSize, kind);
  const s = inputs.shape;
  const delta = referenceDroppedMass(x, lists);
  const dense = backend.decodeAttention(inputs);
  const sparse = backend.sparseAttention(inputs, lists);
  const denseBounds = new Float64Array(dense.length);
  const sparseBounds = new Float64Array(sparse.length);
  let sound = true;
  let gapBounded = true;
  let maxError = 0;
  let boundAtMax = 0;
  let ratio = 0;
  forEachHead(s, (row, cache) => {
    if (!(certified[row]! >= delta[row]!)) sound = false;
    const agreement = certifiedAgreement(coreCertified[row]!, summaries.pages + lists.selected);
    const error = Math.abs(certified[row]! - coreCertified[row]!);
    if (error > maxError) {
      maxError = error;
      boundAtMax = agreement;
    }
    ratio = Math.max(ratio, error / agreement);
    // The δ-bound on kernel outputs.
    averageBounds(densePrecision(backend, inputs.dtype), x, row, cache, allTokens(s.tokens), s.tokens, denseBounds);
    averageBounds(backend.precision, x, row, cache, rowIndices(lists, row), lists.selected, sparseBounds);
    let maxValueNorm = 0;
    for (let i = 0; i < s.tokens; i++) {
      let squared = 0;
      for (let c = 0; c < s.valueDim; c++) squared += x.values[(cache * s.tokens + i) * s.valueDim + c]! ** 2;
      maxValueNorm = Math.max(maxValueNorm, Math.sqrt(squared));
    }
    let gap = 0;
    let rounding = 0;
    let roundingSparse = 0;
    for (let c = 0; c < s.valueDim; c++) {
      const at = row * s.valueDim + c;
      gap += (dense[at]! - sparse[at]!) ** 2;
      rounding += denseBounds[at]! ** 2;
      roundingSparse += sparseBounds[at]! ** 2;
    }
    if (
      !(
        Math.sqrt(gap) <=
        2 * certified[row]! * maxValueNorm * (1 + 1e-12) + Math.sqrt(rounding) + Math.sqrt(roundingSparse)
      )
    )
      gapBounded = false;
  });
  const verdicts = { sound, agreesWithCore: ratio <= 1, deltaBoundOnOutputs: gapBounded };
  return verdictResult({
    kernel: `certifiedDroppedMass(${kind})`,
    dtype: inputs.dtype,
    shape: shapeLabel(s, ` k${lists.selected} page${pageSize}`),
    maxError,
    bound: boundAtMax,
    ratio,
    verdicts,
    started,
  });
}

/** The backend's δ̂ from its own page summaries, and src/core's δ̂ on those same summaries. */
function certifiedBesideCore(
  backend: KernelBackend,
  inputs: AttentionInputs,
  lists: IndexLists,
  pageSize: number,
  kind: PageBoundKind,
) {
  const x = decodeInputs(inputs);
  const summaries = backend.pageSummaries(inputs, pageSize);
  const certified = backend.certifiedDroppedMass(inputs, lists, summaries, kind);
  return { x, summaries, certified, coreCertified: referenceCertified(x, lists, summaries, kind) };
}

/**
 * How far a kernel's δ̂ may be from src/core's on the same summaries. Both run the same outward-
 * rounded operations in the same order (theory/certified.md); they differ only where the
 * platforms' exp results differ (each within 1 ulp of e^x, so by ≤ 2⁻⁵¹ relative), which moves each
 * of the n = pages + selected terms, the outward steps after it and the ratio by a relative
 * (n + 16)·2⁻⁵⁰ at most; below 10⁻³⁰⁰ (subnormal steps) the comparison is absolute.
 */
function certifiedAgreement(core: number, terms: number): number {
  return core * (terms + 16) * 2 ** -50 + 1e-300;
}

/**
 * Certified δ̂ on inputs at the ends of the storage range (theory/certified.md): in [0, 1], never
 * NaN, ≥ the EXACT δ of the exact logits (rational logits, 60-digit exponentials, less the
 * oracle's relative 10⁻⁴⁰), and close to src/core's δ̂ on the same summaries. For small heads.
 */
export function checkCertifiedExact(
  backend: KernelBackend,
  inputs: AttentionInputs,
  lists: IndexLists,
  pageSize: number,
  kind: PageBoundKind,
  label: string,
): CheckResult {
  const started = performance.now();
  const { x, summaries, certified, coreCertified } = certifiedBesideCore(backend, inputs, lists, pageSize, kind);
  const s = inputs.shape;
  const oracleSlack = big(1).minus(big('1e-40'));
  let inRange = true;
  let sound = true;
  let maxError = 0;
  let boundAtMax = 0;
  let ratio = 0;
  forEachHead(s, (row, cache) => {
    const bound = certified[row]!;
    if (!(bound >= 0 && bound <= 1)) inRange = false;
    const q = Array.from(x.query.subarray(row * s.headDim, (row + 1) * s.headDim));
    const K = Array.from({ length: s.tokens }, (_, i) =>
      Array.from(x.keys.subarray((cache * s.tokens + i) * s.headDim, (cache * s.tokens + i + 1) * s.headDim)),
    );
    const delta = droppedMassHighPrecision(exactLogits(q, K, x.scale), Array.from(rowIndices(lists, row)));
    if (!(bound >= 0) || !big(bound).gte(delta.times(oracleSlack))) sound = false;
    const agreement = certifiedAgreement(coreCertified[row]!, summaries.pages + lists.selected);
    const error = Math.abs(bound - coreCertified[row]!);
    // A NaN error (a NaN δ̂) is the worst and stays reported, whichever heads come after it.
    if (!Number.isNaN(maxError) && !(error <= maxError)) {
      maxError = error;
      boundAtMax = agreement;
    }
    ratio = Math.max(ratio, Number.isNaN(error) ? Infinity : error / agreement);
  });
  const verdicts = { inRange, soundAgainstExactDelta: sound, agreesWithCore: ratio <= 1 };
  return verdictResult({
    kernel: `certifiedDroppedMass(${kind}) ${label}`,
    dtype: inputs.dtype,
    shape: shapeLabel(s, ` k${lists.selected} page${pageSize}`),
    maxError,
    bound: boundAtMax,
    ratio,
    verdicts,
    started,
  });
}

/** NaN and ±Inf in the inputs give NaN/±Inf at the reference's output positions. */
export function checkNonFinite(backend: KernelBackend, inputs: AttentionInputs): CheckResult {
  const started = performance.now();
  const x = decodeInputs(inputs);
  const output = backend.decodeAttention(inputs);
  const reference = referenceDecode(x);
  const c = compareElements(output, reference, new Float64Array(reference.length).fill(Infinity), inputs.dtype);
  return verdictResult({
    kernel: 'decodeAttention(NaN/Inf)',
    dtype: inputs.dtype,
    shape: shapeLabel(inputs.shape),
    maxError: c.maxError,
    bound: Infinity,
    ratio: 0,
    verdicts: { nonFinitePatternMatches: c.verdicts.nonFinitePatternMatches },
    started,
  });
}
