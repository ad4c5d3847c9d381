/**
 * The `out` checks of one head group (src/verify/groupCheck.ts) with the two heavy passes over the
 * stored keys and values in the native CPU addon (native/src/outputCheck.cpp): the logits of the
 * float64 reference, of the bounds and of the naive fp32 kernel, then the weighted sums over V.
 * The addon performs the oracle's own operations in the same order; the softmax exponentials
 * between the passes are the oracle's JavaScript code itself (softmaxUnchecked, naiveWeights,
 * averageBoundWeights). Results are therefore bit-identical to the TypeScript path, which stays the
 * fallback (no addon, or keys and values not in the storage dtype's own element type) and the
 * oracle the tests compare against.
 */
import { loadNativeAddon, type NativeAddon } from '../backends/nativeAddon.js';
import { softmaxUnchecked } from '../core/softmax.js';
import { droppedMassFromLogitsUnchecked } from '../core/droppedMass.js';
import { roundTo, type StorageDtype } from '../numeric/storage.js';
import { precisionFor } from './declaredPrecision.js';
import type { Quartet } from './groupCheck.js';
import type { HeadGroup, RawCache } from './headGroups.js';
import { naiveWeights } from './naiveKernels.js';
import { arithmeticOfType, type OutputCase } from './outputCase.js';
import { type AverageBoundWeights, averageBoundWeights, writeAverageBounds } from './referenceBounds.js';
import { readFloats } from './storedTensors.js';

interface GroupLogits {
  readonly reference: Float64Array;
  readonly sequential: Float64Array;
  readonly absolute: Float64Array;
  readonly naive: Float32Array;
}

interface WeightedSums {
  readonly reference: Float64Array;
  readonly magnitude?: Float64Array;
  readonly largest?: Float64Array;
  readonly naive?: Float32Array;
  readonly valueNorm?: Float64Array;
}

/** The addon's entry points for check-output. */
export interface CheckOutputAddon {
  checkLogits(options: object): GroupLogits;
  checkWeightedSums(options: object): WeightedSums;
}

/** The CPU addon when it is built and has the check-output passes; null otherwise. */
export function checkOutputAddon(): CheckOutputAddon | null {
  const load = loadNativeAddon('native', 'prhs_native.node', 'PRHS_NATIVE_ADDON');
  if (!load.ok) return null;
  const addon = load.addon as NativeAddon & Partial<CheckOutputAddon>;
  return typeof addon.checkLogits === 'function' && typeof addon.checkWeightedSums === 'function'
    ? (addon as unknown as CheckOutputAddon)
    : null;
}

/** Each row's token list in list order: every token (dense), or its real indices first, then -1. */
interface RowLists {
  readonly length: number;
  readonly compact: Int32Array | null;
  readonly counts: Int32Array;
}

function rowLists(c: OutputCase, g: HeadGroup): RowLists {
  const { tokens } = c.shape;
  const rows = c.shape.queryHeads / c.shape.kvHeads;
  if (!g.lists) return { length: tokens, compact: null, counts: new Int32Array(rows).fill(tokens) };
  const { indices, selected } = g.lists;
  const compact = new Int32Array(rows * selected).fill(-1);
  const counts = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let j = 0; j < selected; j++) {
      const i = indices[r * selected + j]!;
      if (i !== -1) compact[r * selected + n++] = i;
    }
    counts[r] = n;
  }
  return { length: selected, compact, counts };
}

/** Row r's values of a [rows, tokens] logits array, over its list (the whole row when dense). */
function listed<T extends Float64Array | Float32Array>(all: T, r: number, tokens: number, lists: RowLists): T {
  const row = all.subarray(r * tokens, (r + 1) * tokens) as T;
  if (!lists.compact) return row;
  const out = new (all.constructor as new (n: number) => T)(lists.counts[r]!);
  for (let j = 0; j < out.length; j++) out[j] = row[lists.compact[r * lists.length + j]!]!;
  return out;
}

function logits(addon: CheckOutputAddon, c: OutputCase, g: HeadGroup, raw: RawCache): GroupLogits {
  const s = c.shape;
  return addon.checkLogits({
    dtype: c.storage,
    query: g.query,
    keys: raw.keys,
    groups: 1,
    heads: s.queryHeads / s.kvHeads,
    tokens: s.tokens,
    headDim: s.headDim,
    scale: c.scale,
  });
}

const naiveRounding = (type: string): StorageDtype => (type === 'F16' ? 'fp16' : type === 'BF16' ? 'bf16' : 'fp32');

/** The `out` quartet of groupCheck.ts, computed through the addon; `dense` receives the group's logits for deltaRows. */
export function nativeOutQuartet(
  addon: CheckOutputAddon,
  c: OutputCase,
  g: HeadGroup,
  raw: RawCache & { values: Uint16Array | Float32Array },
): { quartet: Quartet; logits: GroupLogits } {
  const s = c.shape;
  const rows = s.queryHeads / s.kvHeads;
  const dv = s.valueDim;
  const tensor = c.tensors.out!;
  const z = logits(addon, c, g, raw);
  const lists = rowLists(c, g);
  const L = lists.length;
  const referenceWeights = new Float64Array(rows * L);
  const naive = new Float32Array(rows * L);
  const naiveSums = new Float64Array(rows);
  const magnitudeWeights = c.precision ? new Float64Array(rows * L) : null;
  const heads: AverageBoundWeights[] = [];
  const precision = c.precision ? precisionFor(c.precision, arithmeticOfType[tensor.type] ?? 'fp64') : null;
  for (let r = 0; r < rows; r++) {
    referenceWeights.set(softmaxUnchecked(listed(z.reference, r, s.tokens, lists)), r * L);
    const w = naiveWeights(listed(z.naive, r, s.tokens, lists), c.precision?.probability ?? 'fp32');
    naive.set(w.p, r * L);
    naiveSums[r] = w.sum;
    if (precision && magnitudeWeights) {
      const head = {
        logits: listed(z.sequential, r, s.tokens, lists),
        absoluteDots: listed(z.absolute, r, s.tokens, lists),
      };
      const b = averageBoundWeights(precision, s.headDim, c.scale, head, L);
      magnitudeWeights.set(b.weights, r * L);
      heads.push(b);
    }
  }
  const sums = addon.checkWeightedSums({
    dtype: c.storage,
    values: raw.values,
    groups: 1,
    heads: rows,
    tokens: s.tokens,
    valueDim: dv,
    ...(lists.compact ? { indices: lists.compact, listLength: L } : {}),
    referenceWeights,
    naiveWeights: naive,
    ...(magnitudeWeights ? { magnitudeWeights } : {}),
  });
  const rounding = naiveRounding(tensor.type);
  const naiveOut = new Float64Array(rows * dv);
  const bounds = new Float64Array(rows * dv);
  for (let r = 0; r < rows; r++) {
    for (let col = 0; col < dv; col++)
      naiveOut[r * dv + col] = roundTo(rounding, Math.fround(sums.naive![r * dv + col]! / naiveSums[r]!));
    if (precision)
      writeAverageBounds(
        precision,
        heads[r]!,
        sums.magnitude!.subarray(r * dv, (r + 1) * dv),
        L,
        sums.largest![r]!,
        bounds,
        r * dv,
      );
  }
  const quartet = {
    kernel: readFloats(tensor, g.firstRow * dv, rows * dv),
    reference: sums.reference,
    naive: naiveOut,
    bounds,
  };
  return { quartet, logits: z };
}

/** Dense reference output, exact dropped mass of each list and max ‖v_i‖₂ of the group (deltaRows of groupCheck.ts). */
export function nativeDenseAndDelta(
  addon: CheckOutputAddon,
  c: OutputCase,
  g: HeadGroup,
  raw: RawCache & { values: Uint16Array | Float32Array },
  z: GroupLogits,
): { dense: Float64Array; delta: Float64Array; norm: number } {
  const s = c.shape;
  const rows = s.queryHeads / s.kvHeads;
  const { indices, selected } = g.lists!;
  const referenceWeights = new Float64Array(rows * s.tokens);
  const delta = new Float64Array(rows);
  const mask = new Uint8Array(s.tokens);
  for (let r = 0; r < rows; r++) {
    const row = z.reference.subarray(r * s.tokens, (r + 1) * s.tokens);
    referenceWeights.set(softmaxUnchecked(row), r * s.tokens);
    mask.fill(0);
    for (let j = 0; j < selected; j++) {
      const i = indices[r * selected + j]!;
      if (i !== -1) mask[i] = 1;
    }
    delta[r] = droppedMassFromLogitsUnchecked(row, mask);
  }
  const sums = addon.checkWeightedSums({
    dtype: c.storage,
    values: raw.values,
    groups: 1,
    heads: rows,
    tokens: s.tokens,
    valueDim: s.valueDim,
    referenceWeights,
    valueNorm: true,
  });
  return { dense: sums.reference, delta, norm: sums.valueNorm![0]! };
}
