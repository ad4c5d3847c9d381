/**
 * Each kernel check of src/verify/kernelChecks.ts on its own, on small heads (theory/kernel-error.md):
 * the reference backend passes it, a backend with one planted bug fails the verdict that names
 * the bug, and the result says which kernel, dtype and shape were checked. The whole harness over
 * every shape is test/verify/harness.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type {
  AttentionInputs,
  AttentionShape,
  BackendPrecision,
  KernelBackend,
} from '../../src/backends/kernelBackend.js';
import { decodeInputs, referenceDroppedMass, rowIndices } from '../../src/backends/reference/float64Kernels.js';
import { referenceBackend } from '../../src/backends/reference/referenceBackend.js';
import { decodeStorage, encodeStorage } from '../../src/numeric/storage.js';
import { extremeCertifiedInputs } from '../../src/verify/harness.js';
import {
  checkCertified,
  checkCertifiedExact,
  checkDecode,
  checkDroppedMass,
  checkHeadIsolation,
  checkNonFinite,
  checkScores,
  checkSparse,
  checkSparseAllEqualsDense,
  checkTopKExact,
  checkTopKPipeline,
  densePrecision,
  shapeLabel,
} from '../../src/verify/kernelChecks.js';
import { allIndexLists, randomAttentionInputs, randomIndexLists } from '../../src/verify/randomInputs.js';
import { averageBounds } from '../../src/verify/referenceBounds.js';

const shape: AttentionShape = { batch: 2, queryHeads: 4, kvHeads: 2, tokens: 33, headDim: 17, valueDim: 9 };
const label = 'B2 Hq4 Hkv2 N33 d17 dv9';
const inputs = () => randomAttentionInputs('fp32', shape, 5);
const lists = () => randomIndexLists(shape, 6, 7, true);

/** The reference backend with one kernel replaced. */
const withKernel = (kernel: Partial<KernelBackend>): KernelBackend => ({ ...referenceBackend, ...kernel });

/** The output of `f` with element `at` multiplied by (1 + relative). */
function nudged(output: Float32Array, at: number, relative: number): Float32Array {
  const copy = output.slice();
  copy[at] = copy[at]! * (1 + relative);
  return copy;
}

const allVerdicts = (verdicts: Readonly<Record<string, boolean | null>>) =>
  Object.values(verdicts).every((v) => v !== false);

describe('shapeLabel', () => {
  it('names every dimension, with an optional suffix', () => {
    expect(shapeLabel(shape)).toBe(label);
    expect(shapeLabel(shape, ' k6')).toBe(`${label} k6`);
  });
});

describe('checkScores', () => {
  it('the reference passes all four element verdicts; the result names the kernel, dtype and shape', () => {
    const r = checkScores(referenceBackend, inputs());
    expect(r).toMatchObject({ kernel: 'scores', dtype: 'fp32', shape: label, pass: true });
    expect(r.verdicts).toEqual({
      withinBound: true,
      withinTolerance: true,
      withinNaive: true,
      nonFinitePatternMatches: true,
    });
    expect(r.bound).toBeGreaterThan(0);
    expect(r.ratio).toBeLessThanOrEqual(1);
    expect(r.naiveError).not.toBeNull();
    expect(r.seconds).toBeGreaterThanOrEqual(0);
  });
  it('a score 1e-3 off fails the bound, with that error reported', () => {
    const bug = withKernel({ scores: (i) => nudged(referenceBackend.scores(i), 40, 1e-3) });
    const x = inputs();
    const r = checkScores(bug, x);
    expect(r.pass).toBe(false);
    expect(r.verdicts.withinBound).toBe(false);
    const z = referenceBackend.scores(x)[40]!;
    expect(r.maxError).toBeGreaterThan(0.9e-3 * Math.abs(z));
    expect(r.ratio).toBeGreaterThan(1);
  });
});

describe('checkDecode and densePrecision', () => {
  it('the reference passes', () => {
    const r = checkDecode(referenceBackend, inputs());
    expect(r).toMatchObject({ kernel: 'decodeAttention', dtype: 'fp32', shape: label, pass: true });
    expect(allVerdicts(r.verdicts)).toBe(true);
  });
  it('an output 1e-4 off fails; the bound comes from the dense kernel’s own precision when it declares one', () => {
    const bug = withKernel({ decodeAttention: (i) => nudged(referenceBackend.decodeAttention(i), 3, 1e-4) });
    expect(checkDecode(bug, inputs()).verdicts.withinBound).toBe(false);
    const loose: BackendPrecision = { ...referenceBackend.precision, unitRoundoff: 2 ** -8, expError: 2 ** -7 };
    const declared = withKernel({ decodePrecision: () => loose });
    expect(densePrecision(declared, 'fp16')).toBe(loose);
    expect(densePrecision(referenceBackend, 'fp16')).toBe(referenceBackend.precision);
    const x = inputs();
    expect(checkDecode(declared, x).bound).toBeGreaterThan(100 * checkDecode(referenceBackend, x).bound);
  });
});

describe('checkSparse and checkDroppedMass', () => {
  it('the reference passes both; the shape names the list length', () => {
    const s = checkSparse(referenceBackend, inputs(), lists());
    expect(s).toMatchObject({ kernel: 'sparseAttention', dtype: 'fp32', shape: `${label} k6`, pass: true });
    const d = checkDroppedMass(referenceBackend, inputs(), lists());
    expect(d).toMatchObject({ kernel: 'droppedMass', dtype: 'fp32', shape: `${label} k6`, pass: true });
    expect(d.bound).toBeGreaterThan(0);
  });
  it('sparse attention over the whole cache instead of the list fails', () => {
    const bug = withKernel({ sparseAttention: (i) => referenceBackend.decodeAttention(i) });
    expect(checkSparse(bug, inputs(), lists()).verdicts.withinBound).toBe(false);
  });
  it('a dropped mass 1e-3 off (relative) on one head fails', () => {
    const bug = withKernel({ droppedMass: (i, l) => nudged(referenceBackend.droppedMass(i, l), 5, 1e-3) });
    const r = checkDroppedMass(bug, inputs(), lists());
    expect(r.pass).toBe(false);
    expect(r.verdicts.withinBound).toBe(false);
  });
});

describe('checkTopKExact', () => {
  const rows = 3;
  const columns = 50;
  // Scores on a grid of 8 values: many exact ties, broken by the lower index.
  const tied = () => Float32Array.from({ length: rows * columns }, (_, i) => ((i * 7) % 8) / 4);

  it('the reference is identical, index for index; the shape names rows, N, k and the label', () => {
    const r = checkTopKExact(referenceBackend, tied(), rows, columns, 5, ' (ties)');
    expect(r).toMatchObject({
      kernel: 'topK',
      dtype: 'fp32',
      shape: 'rows3 N50 k5 (ties)',
      maxError: 0,
      pass: true,
      verdicts: { identicalIndices: true },
    });
  });
  it('counts every position where a reversed tie order differs, in every row', () => {
    const reversed = withKernel({
      topK: (scores, r, n, k) => {
        const out = new Int32Array(r * k);
        for (let row = 0; row < r; row++) {
          const order = Array.from({ length: n }, (_, i) => i).sort(
            (a, b) => scores[row * n + b]! - scores[row * n + a]! || b - a,
          );
          out.set(order.slice(0, k), row * k);
        }
        return out;
      },
    });
    const r = checkTopKExact(reversed, tied(), rows, columns, 5, '');
    // Score 1.75 at global index ≡ 1 (mod 8). Row 0: 1, 9, 17, 25, 33 against 49, 41, 33, 25, 17
    // (the middle one agrees: 4); rows 1 and 2 hold six such indices each: 5 positions each.
    expect(r.pass).toBe(false);
    expect(r.verdicts.identicalIndices).toBe(false);
    expect(r.maxError).toBe(14);
    expect(r.shape).toBe('rows3 N50 k5');
  });
  it('a wrong last row alone fails', () => {
    const lastRowWrong = withKernel({
      topK: (scores, r, n, k) => {
        const out = referenceBackend.topK(scores, r, n, k);
        out[r * k - 1] = out[r * k - 1] === 0 ? 1 : 0;
        return out;
      },
    });
    expect(checkTopKExact(lastRowWrong, tied(), rows, columns, 5, '').maxError).toBe(1);
  });
});

describe('checkTopKPipeline', () => {
  it('the reference’s scores then top-k give an admissible set; the bound is twice the worst score bound', () => {
    const x = inputs();
    const r = checkTopKPipeline(referenceBackend, x, 8);
    expect(r).toMatchObject({
      kernel: 'scores+topK',
      dtype: 'fp32',
      shape: `${label} k8`,
      maxError: 0,
      pass: true,
      verdicts: { setAdmissible: true },
    });
    expect(r.bound).toBeGreaterThan(0);
    // fp32 logits of order 1 over d = 17: bounds of order 1e-6.
    expect(r.bound).toBeLessThan(1e-4);
  });
  it('the lowest k instead of the highest fails on the worst row', () => {
    const lowest = withKernel({
      topK: (scores, rows, n, k) =>
        referenceBackend.topK(
          scores.map((z) => -z),
          rows,
          n,
          k,
        ),
    });
    const r = checkTopKPipeline(lowest, inputs(), 8);
    expect(r.pass).toBe(false);
    expect(r.verdicts.setAdmissible).toBe(false);
    expect(r.maxError).toBeGreaterThan(0.1);
  });
  it('one row wrong (the last head of the last batch) fails', () => {
    const lastRow = withKernel({
      topK: (scores, rows, n, k) => {
        const out = referenceBackend.topK(scores, rows, n, k);
        const worst = referenceBackend.topK(
          scores.map((z) => -z),
          rows,
          n,
          k,
        );
        out.set(worst.subarray((rows - 1) * k), (rows - 1) * k);
        return out;
      },
    });
    expect(checkTopKPipeline(lastRow, inputs(), 8).pass).toBe(false);
  });
});

describe('checkSparseAllEqualsDense', () => {
  it('the reference’s sparse over every token equals its dense output bit for bit', () => {
    const r = checkSparseAllEqualsDense(referenceBackend, inputs(), allIndexLists(shape));
    expect(r).toMatchObject({
      kernel: 'sparse(all)=dense',
      shape: label,
      maxError: 0,
      pass: true,
      verdicts: { bitwiseEqual: true },
    });
  });
  it('counts the elements whose bits differ (one ulp is enough)', () => {
    const bug = withKernel({
      sparseAttention: (i, l) => {
        const out = referenceBackend.sparseAttention(i, l);
        for (const at of [0, 17]) out[at] = Math.fround(out[at]! * (1 + 2 ** -23));
        return out;
      },
    });
    const r = checkSparseAllEqualsDense(bug, inputs(), allIndexLists(shape));
    expect(r.maxError).toBe(2);
    expect(r.pass).toBe(false);
  });
  it('a dense kernel with its own precision is compared within both bounds instead', () => {
    // A dense kernel declaring fp16-like arithmetic (u = 2^-11): its bound dwarfs a 2^-16 gap.
    const coarse: BackendPrecision = { ...referenceBackend.precision, unitRoundoff: 2 ** -11, expError: 2 ** -10 };
    const ownOrder = withKernel({
      decodePrecision: () => coarse,
      decodeAttention: (i) => nudged(referenceBackend.decodeAttention(i), 4, 2 ** -16),
    });
    const r = checkSparseAllEqualsDense(ownOrder, inputs(), allIndexLists(shape));
    expect(r).toMatchObject({
      kernel: 'sparse(all)≈dense',
      shape: label,
      pass: true,
      verdicts: { withinBothBounds: true },
    });
    expect(r.maxError).toBeGreaterThan(0);
    expect(r.ratio).toBeGreaterThan(0);
    expect(r.ratio).toBeLessThanOrEqual(1);
    expect(r.maxError / r.bound).toBeCloseTo(r.ratio, 12);
    const far = withKernel({
      decodePrecision: () => coarse,
      decodeAttention: (i) => nudged(referenceBackend.decodeAttention(i), 4, 0.5),
    });
    const f = checkSparseAllEqualsDense(far, inputs(), allIndexLists(shape));
    expect(f.pass).toBe(false);
    expect(f.verdicts.withinBothBounds).toBe(false);
    expect(f.ratio).toBeGreaterThan(1);
  });
});

describe('checkHeadIsolation', () => {
  const changedLists = () => {
    const l = lists();
    const changed = { indices: l.indices.slice(), selected: l.selected };
    changed.indices.fill(-1, 7 * 6, 8 * 6);
    changed.indices[7 * 6] = shape.tokens - 1;
    return { l, changed };
  };
  it('changing one head’s list changes that head only', () => {
    const { l, changed } = changedLists();
    const r = checkHeadIsolation(referenceBackend, inputs(), l, 7, changed);
    expect(r).toMatchObject({
      kernel: 'headIsolation',
      shape: label,
      maxError: 0,
      pass: true,
      verdicts: { otherHeadsUnchanged: true, changedHeadChanged: true },
    });
  });
  it('a head reading its neighbour’s list fails; a kernel ignoring the lists fails the other verdict', () => {
    const { l, changed } = changedLists();
    const leak = withKernel({
      sparseAttention: (i, lists) => {
        const indices = lists.indices.slice();
        indices.copyWithin(0 * lists.selected, 7 * lists.selected, 8 * lists.selected);
        return referenceBackend.sparseAttention(i, { indices, selected: lists.selected });
      },
    });
    const r = checkHeadIsolation(leak, inputs(), l, 7, changed);
    expect(r.verdicts).toEqual({ otherHeadsUnchanged: false, changedHeadChanged: true });
    expect(r.maxError).toBeGreaterThan(0);
    expect(r.pass).toBe(false);
    const deaf = withKernel({ sparseAttention: (i) => referenceBackend.decodeAttention(i) });
    const d = checkHeadIsolation(deaf, inputs(), l, 7, changed);
    expect(d.verdicts).toEqual({ otherHeadsUnchanged: true, changedHeadChanged: false });
    expect(d.pass).toBe(false);
  });
});

describe('checkCertified', () => {
  it('the reference’s δ̂ is sound, agrees with src/core and bounds the dense-sparse gap, for every page bound', () => {
    for (const kind of ['minmax', 'ball', 'min'] as const) {
      const r = checkCertified(referenceBackend, inputs(), lists(), 4, kind);
      expect(r).toMatchObject({
        kernel: `certifiedDroppedMass(${kind})`,
        shape: `${label} k6 page4`,
        maxError: 0,
        ratio: 0,
        pass: true,
        verdicts: { sound: true, agreesWithCore: true, deltaBoundOnOutputs: true },
      });
    }
  });
  it('δ̂ below the float64 δ fails soundness (and agreement)', () => {
    const halved = withKernel({
      certifiedDroppedMass: (...a) => referenceBackend.certifiedDroppedMass(...a).map((d) => d / 2),
    });
    const r = checkCertified(halved, inputs(), lists(), 4, 'minmax');
    expect(r.verdicts).toMatchObject({ sound: false, agreesWithCore: false });
    expect(r.pass).toBe(false);
    expect(r.maxError).toBeGreaterThan(0);
    expect(r.bound).toBeGreaterThan(0);
    expect(r.ratio).toBeGreaterThan(1);
  });
  it('a sound δ̂ that differs from src/core’s by 1e-9 relative fails agreement only', () => {
    const drifted = withKernel({
      certifiedDroppedMass: (...a) => referenceBackend.certifiedDroppedMass(...a).map((d) => d * (1 + 1e-9)),
    });
    const r = checkCertified(drifted, inputs(), lists(), 4, 'ball');
    expect(r.verdicts).toEqual({ sound: true, agreesWithCore: false, deltaBoundOnOutputs: true });
    expect(r.pass).toBe(false);
  });
  it('a sparse output farther from the dense one than 2δ̂·max‖v‖ plus rounding fails the δ-bound', () => {
    const x = inputs();
    const l = lists();
    const pushed = withKernel({
      sparseAttention: (i, ls) =>
        referenceBackend.sparseAttention(i, ls).map((v, at) => (at < shape.valueDim ? v + 3 : v)),
    });
    const r = checkCertified(pushed, x, l, 4, 'minmax');
    expect(r.verdicts).toEqual({ sound: true, agreesWithCore: true, deltaBoundOnOutputs: false });
    expect(r.pass).toBe(false);
  });
});

describe('checkCertifiedExact', () => {
  const extreme = () => extremeCertifiedInputs('fp32', 1);
  it('the reference’s δ̂ is in [0, 1], at least the exact δ, and agrees with src/core, at the ends of the range', () => {
    for (const { label: name, inputs: x } of extreme()) {
      const l = randomIndexLists(x.shape, 3, 1, true);
      const r = checkCertifiedExact(referenceBackend, x, l, 2, 'ball', name);
      expect(r.kernel).toBe(`certifiedDroppedMass(ball) ${name}`);
      expect(r.shape).toBe(`${shapeLabel(x.shape)} k3 page2`);
      expect(r.verdicts, name).toEqual({ inRange: true, soundAgainstExactDelta: true, agreesWithCore: true });
      expect(r.pass).toBe(true);
    }
  });
  it('NaN, a value above 1 and a value below the exact δ each fail', () => {
    const { inputs: x } = extreme()[0]!;
    const l = randomIndexLists(x.shape, 3, 1, true);
    const returning = (f: (d: number) => number) =>
      checkCertifiedExact(
        withKernel({ certifiedDroppedMass: (...a) => referenceBackend.certifiedDroppedMass(...a).map(f) }),
        x,
        l,
        2,
        'minmax',
        '',
      );
    const nan = returning(() => Number.NaN);
    expect(nan.verdicts).toEqual({ inRange: false, soundAgainstExactDelta: false, agreesWithCore: false });
    expect(nan.ratio).toBe(Infinity);
    expect(returning(() => 1.5).verdicts.inRange).toBe(false);
    const zero = returning(() => 0);
    expect(zero.verdicts.soundAgainstExactDelta).toBe(false);
    expect(zero.verdicts.inRange).toBe(true);
    expect(zero.pass).toBe(false);
  });
});

describe('checkNonFinite', () => {
  /** A NaN in query head 0: that head's whole output is NaN, the others are finite. */
  function poisoned(): AttentionInputs {
    const x = randomAttentionInputs('fp16', shape, 9);
    const q = decodeStorage('fp16', x.query);
    q[2] = Number.NaN;
    return { ...x, query: encodeStorage('fp16', q) };
  }
  it('the reference puts NaN exactly where it belongs', () => {
    const r = checkNonFinite(referenceBackend, poisoned());
    expect(r).toMatchObject({
      kernel: 'decodeAttention(NaN/Inf)',
      dtype: 'fp16',
      shape: label,
      bound: Infinity,
      ratio: 0,
      pass: true,
      verdicts: { nonFinitePatternMatches: true },
    });
    expect(r.maxError).toBeGreaterThan(0);
  });
  it('a kernel that swallows NaN into 0 fails', () => {
    const swallow = withKernel({
      decodeAttention: (i) => referenceBackend.decodeAttention(i).map((v) => (Number.isNaN(v) ? 0 : v)),
    });
    const r = checkNonFinite(swallow, poisoned());
    expect(r.pass).toBe(false);
    expect(r.verdicts.nonFinitePatternMatches).toBe(false);
  });
});

describe('every check reports its own running time', () => {
  it('seconds lies between 0 and the wall time around the call', () => {
    const x = inputs();
    const l = lists();
    const all = allIndexLists(shape);
    const scores = Float32Array.from({ length: 3 * 20 }, (_, i) => (i % 5) / 2);
    const ownOrder = withKernel({ decodePrecision: () => referenceBackend.precision });
    const { inputs: extreme, label: name } = extremeCertifiedInputs('fp32', 1)[4]!;
    const changed = { indices: l.indices.slice(), selected: l.selected };
    changed.indices.fill(-1, 0, 6);
    changed.indices[0] = shape.tokens - 1;
    const checks = [
      () => checkScores(referenceBackend, x),
      () => checkDecode(referenceBackend, x),
      () => checkSparse(referenceBackend, x, l),
      () => checkDroppedMass(referenceBackend, x, l),
      () => checkTopKExact(referenceBackend, scores, 3, 20, 4, ''),
      () => checkTopKPipeline(referenceBackend, x, 4),
      () => checkSparseAllEqualsDense(referenceBackend, x, all),
      () => checkSparseAllEqualsDense(ownOrder, x, all),
      () => checkHeadIsolation(referenceBackend, x, l, 0, changed),
      () => checkCertified(referenceBackend, x, l, 4, 'min'),
      () => checkCertifiedExact(referenceBackend, extreme, randomIndexLists(extreme.shape, 3, 1, true), 2, 'min', name),
      () => checkNonFinite(referenceBackend, x),
    ];
    for (const check of checks) {
      const before = performance.now();
      const r = check();
      const wall = (performance.now() - before) / 1000;
      expect(r.seconds, r.kernel).toBeGreaterThanOrEqual(0);
      expect(r.seconds, r.kernel).toBeLessThanOrEqual(wall);
    }
  });
});

describe('the edges of the comparisons', () => {
  it('a sparse(all) output of the wrong length counts every element as a mismatch', () => {
    const truncated = withKernel({
      sparseAttention: (i, l) => referenceBackend.sparseAttention(i, l).subarray(0, 9),
    });
    const r = checkSparseAllEqualsDense(truncated, inputs(), allIndexLists(shape));
    expect(r.maxError).toBe(2 * 4 * 9);
    expect(r.pass).toBe(false);
  });
  it('with all values 0 both outputs are 0 and a zero gap is within a zero bound (≤, not <)', () => {
    const x = inputs();
    const zeros = { ...x, values: encodeStorage('fp32', new Float64Array(decodeStorage('fp32', x.values).length)) };
    const ownOrder = withKernel({ decodePrecision: () => referenceBackend.precision });
    const r = checkSparseAllEqualsDense(ownOrder, zeros, allIndexLists(shape));
    expect(r).toMatchObject({ pass: true, maxError: 0, verdicts: { withinBothBounds: true } });
  });
  it('a δ̂ equal to the float64 δ is sound (≥, not >)', () => {
    const float64Delta = withKernel({
      certifiedDroppedMass: (i, ls) => referenceDroppedMass(decodeInputs(i), ls),
    });
    expect(checkCertified(float64Delta, inputs(), lists(), 4, 'minmax').verdicts.sound).toBe(true);
  });
});

describe('checkCertified: the agreement tolerance and the δ-bound at their edges', () => {
  it('agrees with src/core within (pages + list length + 16)·2⁻⁵⁰ relative, and not beyond', () => {
    // 33 tokens in pages of 4: 9 pages; lists of 6: 31 steps of 2⁻⁵⁰.
    const scaled = (factor: number) =>
      withKernel({
        certifiedDroppedMass: (...a) => referenceBackend.certifiedDroppedMass(...a).map((d) => d * factor),
      });
    const within = checkCertified(scaled(1 + 29 * 2 ** -50), inputs(), lists(), 4, 'minmax');
    expect(within.verdicts.agreesWithCore).toBe(true);
    expect(within.ratio).toBeGreaterThan(0.85);
    expect(within.ratio).toBeLessThan(1);
    expect(checkCertified(scaled(1 + 33 * 2 ** -50), inputs(), lists(), 4, 'minmax').verdicts.agreesWithCore).toBe(
      false,
    );
  });
  it('below 10⁻³⁰⁰ the agreement is absolute: with nothing dropped (δ̂ = 0) 5e-301 agrees and 2e-300 does not', () => {
    const all = allIndexLists(shape);
    expect(
      Array.from(
        referenceBackend.certifiedDroppedMass(inputs(), all, referenceBackend.pageSummaries(inputs(), 4), 'ball'),
      ),
    ).toEqual(new Array(8).fill(0));
    const returning = (value: number) =>
      checkCertified(
        withKernel({ certifiedDroppedMass: () => new Float64Array(8).fill(value) }),
        inputs(),
        all,
        4,
        'ball',
      );
    expect(returning(5e-301).verdicts.agreesWithCore).toBe(true);
    expect(returning(2e-300).verdicts.agreesWithCore).toBe(false);
  });
  it('reports the largest disagreement over the heads, wherever it is', () => {
    const firstHeadHalved = withKernel({
      certifiedDroppedMass: (...a) =>
        referenceBackend.certifiedDroppedMass(...a).map((d, row) => (row === 0 ? d / 2 : d)),
    });
    const x = inputs();
    const l = lists();
    const core = referenceBackend.certifiedDroppedMass(x, l, referenceBackend.pageSummaries(x, 4), 'minmax');
    const r = checkCertified(firstHeadHalved, x, l, 4, 'minmax');
    expect(r.maxError).toBe(core[0]! - core[0]! / 2);
    expect(r.bound).toBeGreaterThan(0);
    expect(r.ratio).toBe(r.maxError / r.bound);
  });
  it('the gap between the dense and sparse outputs may reach the two rounding bounds (nothing dropped), not more', () => {
    // A coarse precision (u = 2⁻¹¹) makes the rounding bounds far wider than fp32's resolution.
    const coarse: BackendPrecision = { ...referenceBackend.precision, unitRoundoff: 2 ** -11, expError: 2 ** -10 };
    const x = inputs();
    const all = allIndexLists(shape);
    const d = decodeInputs(x);
    const denseBounds = new Float64Array(8 * 9);
    const sparseBounds = new Float64Array(8 * 9);
    averageBounds(coarse, d, 0, 0, rowIndices(all, 0), shape.tokens, denseBounds);
    averageBounds(coarse, d, 0, 0, rowIndices(all, 0), shape.tokens, sparseBounds);
    const norm = (b: Float64Array) => Math.hypot(...b.subarray(0, 9));
    const allowance = norm(denseBounds) + norm(sparseBounds);
    // Move head 0's sparse output along the first axis by a fraction of the allowance.
    const moved = (fraction: number) =>
      checkCertified(
        withKernel({
          precision: coarse,
          sparseAttention: (i, ls) => {
            const out = referenceBackend.sparseAttention(i, ls);
            out[0] = out[0]! + fraction * allowance;
            return out;
          },
        }),
        x,
        all,
        4,
        'minmax',
      ).verdicts.deltaBoundOnOutputs;
    expect(moved(0.99)).toBe(true);
    expect(moved(1.01)).toBe(false);
    // Half of it is beyond either bound alone.
    expect(norm(denseBounds)).toBeLessThan(0.6 * allowance);
  });
});

describe('checkCertifiedExact: more edges', () => {
  /**
   * One batch, two query heads each on its own KV head, four tokens, d = 2, q = (1, 0), each list
   * keeping token 0. KV head 0 puts token 0 far below the rest (δ ≈ 1), KV head 1 far above (δ ≈ 0.02):
   * a check that read KV head 0's keys for head 1 would find the reference's δ̂ unsound.
   */
  function twoHeads(): AttentionInputs {
    return {
      dtype: 'fp32',
      shape: { batch: 1, queryHeads: 2, kvHeads: 2, tokens: 4, headDim: 2, valueDim: 1 },
      scale: 1,
      query: encodeStorage('fp32', Float64Array.of(1, 0, 1, 0)),
      keys: encodeStorage('fp32', Float64Array.of(0, 0, 5, 0, 5, 0, 5, 0, 5, 0, 0, 0, 0, 0, 0, 0)),
      values: encodeStorage('fp32', new Float64Array(8).fill(1)),
    };
  }
  const keepFirst = { indices: Int32Array.of(0, 0), selected: 1 };

  it('reads each head’s own KV head: the reference passes with exact pages of one token', () => {
    for (const kind of ['minmax', 'ball', 'min'] as const) {
      const r = checkCertifiedExact(referenceBackend, twoHeads(), keepFirst, 1, kind, 'two KV heads');
      expect(r.verdicts, kind).toEqual({ inRange: true, soundAgainstExactDelta: true, agreesWithCore: true });
    }
    const certified = referenceBackend.certifiedDroppedMass(
      twoHeads(),
      keepFirst,
      referenceBackend.pageSummaries(twoHeads(), 1),
      'minmax',
    );
    expect(certified[0]).toBeGreaterThan(0.99);
    expect(certified[1]).toBeLessThan(0.03);
  });
  it('a negative δ̂ is out of range; δ̂ = 0 with nothing dropped is sound; NaN is reported as the error', () => {
    const x = twoHeads();
    const returning = (values: number[], lists = keepFirst) =>
      checkCertifiedExact(
        withKernel({ certifiedDroppedMass: () => Float64Array.from(values) }),
        x,
        lists,
        1,
        'minmax',
        '',
      );
    expect(returning([-0.5, 0.5]).verdicts.inRange).toBe(false);
    const everything = { indices: Int32Array.of(0, 1, 2, 3, 0, 1, 2, 3), selected: 4 };
    expect(returning([0, 0], everything).verdicts).toEqual({
      inRange: true,
      soundAgainstExactDelta: true,
      agreesWithCore: true,
    });
    // A NaN δ̂ is the largest error, on the first head as on the last.
    for (const values of [
      [Number.NaN, 0.5],
      [0.5, Number.NaN],
    ]) {
      const nan = returning(values);
      expect(nan.maxError).toBeNaN();
      expect(nan.ratio).toBe(Infinity);
      expect(nan.pass).toBe(false);
    }
  });
  it('agrees with src/core within (pages + list length + 16)·2⁻⁵⁰ relative: 4 pages of one token, lists of 1', () => {
    const x = twoHeads();
    const core = referenceBackend.certifiedDroppedMass(x, keepFirst, referenceBackend.pageSummaries(x, 1), 'min');
    const scaled = (steps: number) =>
      checkCertifiedExact(
        withKernel({ certifiedDroppedMass: () => core.map((d) => d * (1 + steps * 2 ** -50)) }),
        x,
        keepFirst,
        1,
        'min',
        '',
      ).verdicts.agreesWithCore;
    expect(scaled(20)).toBe(true);
    expect(scaled(22)).toBe(false);
  });
  it('reports the largest disagreement, and 10⁻⁶ relative is a disagreement', () => {
    const x = twoHeads();
    const core = referenceBackend.certifiedDroppedMass(x, keepFirst, referenceBackend.pageSummaries(x, 1), 'min');
    const drifted = checkCertifiedExact(
      withKernel({ certifiedDroppedMass: () => Float64Array.of(core[0]! * (1 + 1e-6), core[1]!) }),
      x,
      keepFirst,
      1,
      'min',
      '',
    );
    expect(drifted.verdicts).toEqual({ inRange: true, soundAgainstExactDelta: true, agreesWithCore: false });
    // The first head is the one off: its error is reported, not the last head's 0.
    expect(drifted.maxError).toBe(core[0]! * (1 + 1e-6) - core[0]!);
    expect(drifted.bound).toBeGreaterThan(0);
    expect(drifted.ratio).toBeGreaterThan(1);
    expect(drifted.pass).toBe(false);
  });
});
