// check-output must catch real kernel bugs in a foreign kernel's stored outputs, pass correct ones,
// and refuse malformed files with an error naming the tensor or field.
import { describe, expect, it } from 'vitest';
import type { AttentionShape, IndexLists } from '../../src/backends/kernelBackend.js';
import { decodeInputs } from '../../src/backends/reference/float64Kernels.js';
import { referenceBackend } from '../../src/backends/reference/referenceBackend.js';
import { InvalidArgumentError, PrhsError } from '../../src/core/errors.js';
import { topKUnchecked } from '../../src/core/topK.js';
import { encodeStorage } from '../../src/numeric/storage.js';
import { naiveDecode, naiveSparse } from '../../src/verify/naiveKernels.js';
import { readOutputCase } from '../../src/verify/outputCase.js';
import { checkOutput, type OutputCheck } from '../../src/verify/outputCheck.js';
import { randomAttentionInputs, randomIndexLists } from '../../src/verify/randomInputs.js';
import { inputTensors, writeCase, type CaseTensor } from './caseFiles.js';

const shape: AttentionShape = { batch: 2, queryHeads: 4, kvHeads: 2, tokens: 300, headDim: 16, valueDim: 8 };
const outTensor = (s: AttentionShape, data: ArrayLike<number>): CaseTensor => ({
  shape: [s.batch, s.queryHeads, s.valueDim],
  data: Float32Array.from(data),
});
const listTensor = (s: AttentionShape, lists: IndexLists): CaseTensor => ({
  shape: [s.batch, s.queryHeads, lists.selected],
  data: lists.indices,
});

async function check(path: string): Promise<OutputCheck> {
  const c = readOutputCase(path);
  try {
    return await checkOutput(c, { path, workers: 1 });
  } finally {
    c.close();
  }
}

const fp32Model = { accumulation: 'fp32' };

describe('check-output: dense attention', () => {
  for (const dtype of ['fp32', 'fp16', 'bf16'] as const) {
    it(`an fp32 kernel's output passes every verdict (${dtype} storage)`, async () => {
      const inputs = randomAttentionInputs(dtype, shape, 3);
      const out = naiveDecode(decodeInputs(inputs));
      const result = await check(writeCase({ ...inputTensors(inputs), out: outTensor(shape, out) }, fp32Model));
      expect(result.pass).toBe(true);
      expect(result.heads).toHaveLength(shape.batch * shape.queryHeads);
      expect(result.tensors[0]!.verdicts).toEqual({
        withinBound: true,
        withinTolerance: true,
        withinNaive: true,
        nonFinitePatternMatches: true,
      });
    });
  }

  it('the float64 reference rounded to fp32 passes under an fp64 model (output rounding from the out dtype)', async () => {
    const inputs = randomAttentionInputs('fp16', shape, 4);
    const result = await check(
      writeCase(
        { ...inputTensors(inputs), out: outTensor(shape, referenceBackend.decodeAttention(inputs)) },
        { accumulation: 'fp64' },
      ),
    );
    expect(result.pass).toBe(true);
  });

  it('a kernel with a 1e-3 relative error fails the bound and the naive rule, head by head', async () => {
    const inputs = randomAttentionInputs('fp16', shape, 5);
    const out = naiveDecode(decodeInputs(inputs)).map((v) => v * (1 + 1e-3));
    const result = await check(writeCase({ ...inputTensors(inputs), out: outTensor(shape, out) }, fp32Model));
    expect(result.pass).toBe(false);
    expect(result.tensors[0]!.verdicts).toMatchObject({ withinBound: false, withinNaive: false });
    expect(result.heads.every((h) => h.verdicts.withinBound === false)).toBe(true);
  });

  it('without a declared model the bound verdict is not applicable, and the 1e-3 error still fails the naive rule', async () => {
    const inputs = randomAttentionInputs('fp32', shape, 6);
    const good = await check(
      writeCase({ ...inputTensors(inputs), out: outTensor(shape, naiveDecode(decodeInputs(inputs))) }),
    );
    expect(good.tensors[0]!.verdicts.withinBound).toBeNull();
    expect(good.tensors[0]!.bound).toBeNull();
    expect(good.pass).toBe(true);
    const bad = await check(
      writeCase({
        ...inputTensors(inputs),
        out: outTensor(
          shape,
          naiveDecode(decodeInputs(inputs)).map((v) => v * (1 + 1e-3)),
        ),
      }),
    );
    expect(bad.tensors[0]!.verdicts).toMatchObject({ withinBound: null, withinNaive: false });
    expect(bad.pass).toBe(false);
  });

  it('an fp16 output is judged with its own rounding: correct passes, one head off by 1e-3 fails alone', async () => {
    const inputs = randomAttentionInputs('fp16', shape, 7);
    const out = naiveDecode(decodeInputs(inputs));
    const fp16Out = (values: ArrayLike<number>): CaseTensor => ({
      shape: [shape.batch, shape.queryHeads, shape.valueDim],
      data: encodeStorage('fp16', values) as Uint16Array,
      dtype: 'F16',
    });
    expect((await check(writeCase({ ...inputTensors(inputs), out: fp16Out(out) }, fp32Model))).pass).toBe(true);
    const oneHead = out.map((v, i) => (Math.floor(i / shape.valueDim) === 5 ? v * (1 + 1e-2) : v));
    const result = await check(writeCase({ ...inputTensors(inputs), out: fp16Out(oneHead) }, fp32Model));
    expect(result.heads.filter((h) => !h.pass).map((h) => [h.batch, h.head])).toEqual([[1, 1]]);
  });

  it('NaN where the reference is NaN passes; NaN swallowed to 0 fails the pattern', async () => {
    const inputs = randomAttentionInputs('fp32', shape, 8);
    const q = Float32Array.from(inputs.query as Float32Array);
    q[3] = Number.NaN; // batch 0, head 0
    const nanInputs = { ...inputs, query: q };
    const out = naiveDecode(decodeInputs(nanInputs));
    expect((await check(writeCase({ ...inputTensors(nanInputs), out: outTensor(shape, out) }, fp32Model))).pass).toBe(
      true,
    );
    const swallowed = await check(
      writeCase(
        {
          ...inputTensors(nanInputs),
          out: outTensor(
            shape,
            out.map((v) => (Number.isNaN(v) ? 0 : v)),
          ),
        },
        fp32Model,
      ),
    );
    expect(swallowed.heads[0]!.verdicts.nonFinitePatternMatches).toBe(false);
    expect(swallowed.pass).toBe(false);
  });
});

describe('check-output: sparse attention and dropped mass', () => {
  const inputs = randomAttentionInputs('fp16', shape, 9);
  const lists = randomIndexLists(shape, 40, 10, true);

  it('renormalised sparse attention passes, with δ of each list inside its output bound', async () => {
    const out = naiveSparse(decodeInputs(inputs), lists);
    const delta = referenceBackend.droppedMass(inputs, lists);
    const result = await check(
      writeCase(
        {
          ...inputTensors(inputs),
          indices: listTensor(shape, lists),
          out: outTensor(shape, out),
          delta: { shape: [shape.batch, shape.queryHeads], data: delta },
        },
        fp32Model,
      ),
    );
    expect(result.pass).toBe(true);
    for (const h of result.heads) {
      expect(h.droppedMass).toBeGreaterThan(0);
      expect(h.verdicts.deltaBound).toBe(true);
      expect(h.denseGap!).toBeLessThanOrEqual(h.deltaAllowance!);
    }
    expect(result.tensors.map((t) => t.tensor)).toEqual(['out', 'delta']);
  });

  it('a missing renormalisation (output not divided by the kept mass) fails', async () => {
    const x = decodeInputs(inputs);
    const delta = referenceBackend.droppedMass(inputs, lists);
    const out = naiveSparse(x, lists).map((v, i) => v * (1 - delta[Math.floor(i / shape.valueDim)]!));
    const result = await check(
      writeCase({ ...inputTensors(inputs), indices: listTensor(shape, lists), out: outTensor(shape, out) }, fp32Model),
    );
    expect(result.pass).toBe(false);
    expect(result.tensors[0]!.verdicts).toMatchObject({ withinBound: false, withinTolerance: false });
  });

  it('a dropped mass computed as 1 − kept is caught by the relative bound', async () => {
    const delta = referenceBackend.droppedMass(inputs, lists).map((d) => Math.fround(d + 1e-5));
    const result = await check(
      writeCase(
        {
          ...inputTensors(inputs),
          indices: listTensor(shape, lists),
          delta: { shape: [shape.batch, shape.queryHeads], data: delta },
        },
        fp32Model,
      ),
    );
    expect(result.tensors[0]).toMatchObject({ tensor: 'delta', pass: false });
  });
});

describe('check-output: scores and top-k', () => {
  const s: AttentionShape = { ...shape, tokens: 64 };
  const inputs = randomAttentionInputs('fp32', s, 11);
  const k = 10;

  /** Scores on a coarse grid, so many are exactly tied. */
  function tiedScores(): Float32Array {
    return referenceBackend.scores(inputs).map((z) => Math.round(z * 2) / 2);
  }

  function topKTensor(scores: Float32Array, order: 'index ascending' | 'index descending'): CaseTensor {
    const rows = s.batch * s.queryHeads;
    const out = new Int32Array(rows * k);
    for (let r = 0; r < rows; r++) {
      const row = scores.subarray(r * s.tokens, (r + 1) * s.tokens);
      // Reversing the index order reverses the tie-break: (score desc, index desc).
      const top =
        order === 'index ascending'
          ? topKUnchecked(row, k)
          : topKUnchecked(row.slice().reverse(), k).map((i) => s.tokens - 1 - i);
      out.set(top, r * k);
    }
    return { shape: [s.batch, s.queryHeads, k], data: out };
  }

  it("top-k of the kernel's own scores in (score desc, index asc) order passes", async () => {
    const scores = referenceBackend.scores(inputs);
    const result = await check(
      writeCase(
        {
          q: inputTensors(inputs).q!,
          k: inputTensors(inputs).k!,
          scores: { shape: [s.batch, s.queryHeads, s.tokens], data: scores },
          topk: topKTensor(scores, 'index ascending'),
        },
        fp32Model,
      ),
    );
    expect(result.pass).toBe(true);
    expect(result.tensors.map((t) => t.tensor)).toEqual(['scores', 'topk']);
  });

  it("a wrong tie order fails against the kernel's own scores", async () => {
    const scores = tiedScores();
    const result = await check(
      writeCase({
        q: inputTensors(inputs).q!,
        k: inputTensors(inputs).k!,
        scores: { shape: [s.batch, s.queryHeads, s.tokens], data: scores },
        topk: topKTensor(scores, 'index descending'),
      }),
    );
    const topk = result.tensors.find((t) => t.tensor === 'topk')!;
    expect(topk.verdicts.identicalToOwnScores).toBe(false);
    expect(topk.pass).toBe(false);
  });

  it('a top-k set that skips the best token fails the tie-aware set check (no scores stored)', async () => {
    const scores = referenceBackend.scores(inputs);
    const topk = topKTensor(scores, 'index ascending');
    const data = topk.data as Int32Array;
    const rows = s.batch * s.queryHeads;
    for (let r = 0; r < rows; r++)
      data[r * k] = topKUnchecked(scores.subarray(r * s.tokens, (r + 1) * s.tokens), k + 1)[k]!;
    const result = await check(writeCase({ q: inputTensors(inputs).q!, k: inputTensors(inputs).k!, topk }, fp32Model));
    expect(result.tensors[0]!.verdicts).toEqual({ identicalToOwnScores: null, setAdmissible: false });
  });
});

describe('check-output: bad input names the tensor or field', () => {
  const inputs = randomAttentionInputs('fp16', shape, 12);
  const out = outTensor(shape, naiveDecode(decodeInputs(inputs)));
  const lists = randomIndexLists(shape, 8, 13, false);

  function refused(tensors: Record<string, CaseTensor>, metadata: Record<string, string>, message: RegExp): void {
    const path = writeCase(tensors, metadata);
    let error: unknown;
    try {
      readOutputCase(path).close();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PrhsError);
    expect((error as Error).message).toMatch(message);
  }

  it('wrong shapes', () => {
    refused(
      {
        ...inputTensors(inputs),
        out: {
          shape: [shape.batch, shape.queryHeads, shape.valueDim + 1],
          data: new Float32Array(shape.batch * shape.queryHeads * (shape.valueDim + 1)),
        },
      },
      {},
      /out\.shape: expected \[batch, queryHeads, valueDim\] = \[2, 4, 8\], received \[2, 4, 9\]/,
    );
    const t = inputTensors(inputs);
    refused(
      { ...t, k: { shape: [2, 3, 100, 16], data: new Uint16Array(2 * 3 * 100 * 16), dtype: 'F16' }, out },
      {},
      /k\.shape\[1\] \(kvHeads\): expected a divisor of queryHeads = 4/,
    );
  });

  it('wrong dtypes', () => {
    refused(
      {
        ...inputTensors(inputs),
        out,
        indices: { shape: [shape.batch, shape.queryHeads, 8], data: new Float32Array(64) },
      },
      {},
      /indices: expected an integer tensor \(I32 or I64\), received dtype F32/,
    );
    refused(
      { ...inputTensors(inputs), out: { ...out, data: Int32Array.from(out.data as Float32Array) } },
      {},
      /out: expected a float tensor/,
    );
  });

  it('indices out of range, duplicated, or all padding', () => {
    const bad = lists.indices.slice();
    bad[9] = shape.tokens;
    refused(
      { ...inputTensors(inputs), out, indices: listTensor(shape, { indices: bad, selected: 8 }) },
      {},
      /indices\[0, 1, 1\]: expected a token index in \[0, 300\) or -1 \(padding\), received 300/,
    );
    const duplicate = lists.indices.slice();
    duplicate[17] = duplicate[16]!;
    refused(
      { ...inputTensors(inputs), out, indices: listTensor(shape, { indices: duplicate, selected: 8 }) },
      {},
      /indices\[0, 2, 1\]: expected distinct indices within a row/,
    );
    const padding = lists.indices.slice();
    padding.fill(-1, 0, 8);
    refused(
      { ...inputTensors(inputs), out, indices: listTensor(shape, { indices: padding, selected: 8 }) },
      {},
      /indices\[0, 0\]: expected at least one real index per row/,
    );
    const wide = new BigInt64Array(64).fill(2n ** 40n);
    refused(
      { ...inputTensors(inputs), out, indices: { shape: [2, 4, 8], data: wide } },
      {},
      /indices\[0\]: expected an index in the int32 range/,
    );
  });

  it('metadata: unknown values, refinements without a model, storage dtype of an F64 q', () => {
    refused(
      { ...inputTensors(inputs), out },
      { accumulation: 'fp8' },
      /metadata "accumulation": expected one of fp64, fp32, fp16, bf16, received "fp8"/,
    );
    refused(
      { ...inputTensors(inputs), out },
      { sum_block: '256' },
      /metadata "sum_block": expected to come with metadata "accumulation"/,
    );
    refused(
      { ...inputTensors(inputs), out },
      { accumulation: 'fp32', sum_block: '2.5' },
      /metadata "sum_block": expected a positive integer/,
    );
    refused({ ...inputTensors(inputs), out }, { scale: 'x' }, /metadata "scale": expected a finite number/);
    const t = inputTensors(inputs);
    refused(
      { ...t, q: { shape: t.q!.shape, data: new Float64Array(2 * 4 * 16) }, out },
      {},
      /metadata "dtype": expected the storage dtype \(fp32, fp16 or bf16\) when q is stored as F64/,
    );
  });

  it('missing and unknown tensors', () => {
    const { q, k } = inputTensors(inputs);
    refused({ q: q!, k: k!, out }, {}, /v: expected a tensor v/);
    refused({ q: q!, k: k! }, {}, /FILE: expected at least one output tensor/);
    refused({ ...inputTensors(inputs), output: out }, {}, /output: expected one of the tensors q, k, v, out/);
  });

  it('values the declared storage dtype cannot hold are refused when read', async () => {
    const t = inputTensors(inputs);
    const k32 = new Float32Array(shape.batch * shape.kvHeads * shape.tokens * shape.headDim).fill(0.1);
    const path = writeCase({ ...t, k: { shape: t.k!.shape, data: k32 }, out }, { dtype: 'fp16' });
    await expect(check(path)).rejects.toThrow(InvalidArgumentError);
    await expect(check(path)).rejects.toThrow(
      /k\[flat 0\]: expected a value representable in the storage dtype fp16, received 0\.1/,
    );
  });
});

describe('check-output: how the verdicts are put together', () => {
  const sparseInputs = randomAttentionInputs('fp32', shape, 21);
  const sparseLists = randomIndexLists(shape, 40, 22, true);

  it('a dense output has no dropped-mass fields and no δ verdict', async () => {
    const out = naiveDecode(decodeInputs(sparseInputs));
    const result = await check(writeCase({ ...inputTensors(sparseInputs), out: outTensor(shape, out) }, fp32Model));
    expect(result.pass).toBe(true);
    for (const h of result.heads) {
      expect(Object.keys(h.verdicts)).toEqual(['withinBound', 'withinTolerance', 'nonFinitePatternMatches']);
      expect(h).not.toHaveProperty('droppedMass');
      expect(h).not.toHaveProperty('denseGap');
      expect(h).not.toHaveProperty('deltaAllowance');
    }
  });

  it('a sparse output without a model reports δ and the gap, with no δ verdict', async () => {
    const out = naiveSparse(decodeInputs(sparseInputs), sparseLists);
    const result = await check(
      writeCase({ ...inputTensors(sparseInputs), indices: listTensor(shape, sparseLists), out: outTensor(shape, out) }),
    );
    expect(result.pass).toBe(true);
    const delta = referenceBackend.droppedMass(sparseInputs, sparseLists);
    result.heads.forEach((h, row) => {
      expect(h.verdicts.deltaBound).toBeNull();
      expect(h.deltaAllowance).toBeNull();
      expect(h.droppedMass).toBeCloseTo(delta[row]!, 6);
      expect(h.denseGap).toBeGreaterThan(0);
    });
  });

  it('a sparse output far from dense attention fails the δ bound of every head', async () => {
    const out = naiveSparse(decodeInputs(sparseInputs), sparseLists).map((v) => v + 100);
    const result = await check(
      writeCase(
        { ...inputTensors(sparseInputs), indices: listTensor(shape, sparseLists), out: outTensor(shape, out) },
        fp32Model,
      ),
    );
    for (const h of result.heads) {
      expect(h.denseGap!).toBeGreaterThan(h.deltaAllowance!);
      expect(h.verdicts.deltaBound).toBe(false);
    }
  });

  it('zero values: a gap of 0 is inside an allowance of exactly 0', async () => {
    const zeroValues = { ...sparseInputs, values: new Float32Array(sparseInputs.values.length) };
    const result = await check(
      writeCase(
        {
          ...inputTensors(zeroValues),
          indices: listTensor(shape, sparseLists),
          out: outTensor(shape, new Float32Array(shape.batch * shape.queryHeads * shape.valueDim)),
        },
        fp32Model,
      ),
    );
    for (const h of result.heads) {
      expect([h.denseGap, h.deltaAllowance]).toEqual([0, 0]);
      expect(h.verdicts.deltaBound).toBe(true);
    }
    expect(result.pass).toBe(true);
  });

  it('a NaN gap at matching NaN positions is left to the pattern; a NaN where the reference is finite fails both', async () => {
    const q = Float32Array.from(sparseInputs.query as Float32Array);
    q[3] = Number.NaN; // batch 0, head 0
    const nanInputs = { ...sparseInputs, query: q };
    const out = naiveSparse(decodeInputs(nanInputs), sparseLists);
    out.fill(Number.NaN, shape.valueDim, 2 * shape.valueDim); // head 1 too, where the reference is finite
    const result = await check(
      writeCase(
        { ...inputTensors(nanInputs), indices: listTensor(shape, sparseLists), out: outTensor(shape, out) },
        fp32Model,
      ),
    );
    expect(Number.isNaN(result.heads[0]!.denseGap)).toBe(true);
    expect(result.heads[0]!.verdicts.deltaBound).toBeNull();
    expect(result.heads[0]!.pass).toBe(true);
    expect(result.heads[1]!.verdicts).toMatchObject({ nonFinitePatternMatches: false, deltaBound: false });
    expect(result.heads.slice(2).every((h) => h.pass)).toBe(true);
  });

  it('a correct out does not make up for a wrong delta', async () => {
    const out = naiveSparse(decodeInputs(sparseInputs), sparseLists);
    const delta = referenceBackend.droppedMass(sparseInputs, sparseLists).map((d) => Math.fround(d + 1e-5));
    const result = await check(
      writeCase(
        {
          ...inputTensors(sparseInputs),
          indices: listTensor(shape, sparseLists),
          out: outTensor(shape, out),
          delta: { shape: [shape.batch, shape.queryHeads], data: delta },
        },
        fp32Model,
      ),
    );
    expect(result.tensors.map((t) => [t.tensor, t.pass])).toEqual([
      ['out', true],
      ['delta', false],
    ]);
    expect(result.heads.every((h) => h.pass)).toBe(true);
    expect(result.pass).toBe(false);
  });

  it('one head without a finite bound: no bound verdict for the tensor or that head, the others judged', async () => {
    const s: AttentionShape = { batch: 1, queryHeads: 2, kvHeads: 1, tokens: 32, headDim: 4, valueDim: 2 };
    const inputs = randomAttentionInputs('fp32', s, 23);
    // Head 0's logits near 1e20: its logit error bound makes exp overflow, so its bounds are infinite.
    const q = (inputs.query as Float32Array).map((v, i) => (i < s.headDim ? Math.fround(v * 1e20) : v));
    const huge = { ...inputs, query: q };
    const reference = referenceBackend.decodeAttention(huge);
    // Within the fp32 tolerance everywhere; head 1's 1e-5 is above its derived bound (about 1e-7).
    const out = Float64Array.from(reference, (v, i) => v + (i < s.valueDim ? 1e-4 : 1e-5));
    const result = await check(
      writeCase({ ...inputTensors(huge), out: { shape: [1, 2, s.valueDim], data: out } }, fp32Model),
    );
    const tensor = result.tensors[0]!;
    expect(tensor.bound).toBe(Infinity);
    expect(tensor.ratio).toBeNull();
    expect(tensor.verdicts).toEqual({
      withinBound: null,
      withinTolerance: true,
      withinNaive: true,
      nonFinitePatternMatches: true,
    });
    expect(tensor.pass).toBe(true);
    expect(result.heads[0]!).toMatchObject({ bound: Infinity, ratio: null, pass: true });
    expect(result.heads[0]!.verdicts.withinBound).toBeNull();
    expect(Number.isFinite(result.heads[1]!.bound)).toBe(true);
    expect(result.heads[1]!.verdicts.withinBound).toBe(false);
    expect(result.pass).toBe(false);
  });
});

describe('check-output: a model with no bound at some head', () => {
  it('bf16 accumulation over 300 tokens (γ_n has no bound): a kernel equal to the naive one passes rule (c)', async () => {
    const s: AttentionShape = { batch: 1, queryHeads: 2, kvHeads: 1, tokens: 300, headDim: 8, valueDim: 4 };
    const inputs = randomAttentionInputs('fp32', s, 25);
    const out = naiveDecode(decodeInputs(inputs));
    const result = await check(
      writeCase({ ...inputTensors(inputs), out: outTensor(s, out) }, { accumulation: 'bf16' }),
    );
    const tensor = result.tensors[0]!;
    expect(tensor.bound).toBe(Infinity);
    expect(tensor.verdicts).toEqual({
      withinBound: null,
      withinTolerance: true,
      withinNaive: true,
      nonFinitePatternMatches: true,
    });
    expect(result.pass).toBe(true);
  });
});

describe('check-output: no finite allowance, and worker threads', () => {
  it('bf16 accumulation over lists of 300: no finite δ allowance, so no δ verdict', async () => {
    const s: AttentionShape = { batch: 1, queryHeads: 2, kvHeads: 1, tokens: 400, headDim: 8, valueDim: 4 };
    const inputs = randomAttentionInputs('fp32', s, 26);
    const lists = randomIndexLists(s, 300, 27);
    const out = naiveSparse(decodeInputs(inputs), lists);
    const result = await check(
      writeCase(
        { ...inputTensors(inputs), indices: listTensor(s, lists), out: outTensor(s, out) },
        { accumulation: 'bf16' },
      ),
    );
    for (const h of result.heads) {
      expect(h.deltaAllowance).toBe(Infinity);
      expect(h.verdicts.deltaBound).toBeNull();
    }
    expect(result.pass).toBe(true);
  });

  it('from the TypeScript sources no worker thread starts: asking for 4 checks in this thread, with the same result', async () => {
    const inputs = randomAttentionInputs('fp32', shape, 28);
    const path = writeCase(
      { ...inputTensors(inputs), out: outTensor(shape, naiveDecode(decodeInputs(inputs))) },
      fp32Model,
    );
    const c = readOutputCase(path);
    try {
      const one = await checkOutput(c, { path, workers: 1 });
      expect(await checkOutput(c, { path, workers: 4 })).toEqual(one);
      expect(await checkOutput(c, { path })).toEqual(one);
      expect(one.pass).toBe(true);
    } finally {
      c.close();
    }
  });
});

describe('check-output: scores and top-k over every head group', () => {
  const s: AttentionShape = { ...shape, tokens: 64 };
  const inputs = randomAttentionInputs('fp32', s, 24);
  const k = 6;
  const qk = () => ({ q: inputTensors(inputs).q!, k: inputTensors(inputs).k! });

  it("an error in the first head's scores alone fails, with its size", async () => {
    const scores = referenceBackend.scores(inputs);
    scores[5] = Math.fround(scores[5]! + 0.5);
    const result = await check(
      writeCase({ ...qk(), scores: { shape: [s.batch, s.queryHeads, s.tokens], data: scores } }, fp32Model),
    );
    expect(result.tensors[0]).toMatchObject({ tensor: 'scores', pass: false });
    expect(result.tensors[0]!.maxError).toBeCloseTo(0.5, 5);
  });

  it('the mismatches of top-k against its own scores are added up over the groups', async () => {
    const scores = referenceBackend.scores(inputs);
    const rows = s.batch * s.queryHeads;
    const topk = new Int32Array(rows * k);
    for (let r = 0; r < rows; r++) topk.set(topKUnchecked(scores.subarray(r * s.tokens, (r + 1) * s.tokens), k), r * k);
    // Swap the first two entries of row 0 (first group) and of row 7 (last group): 4 positions differ.
    for (const r of [0, rows - 1]) [topk[r * k], topk[r * k + 1]] = [topk[r * k + 1]!, topk[r * k]!];
    const result = await check(
      writeCase({
        ...qk(),
        scores: { shape: [s.batch, s.queryHeads, s.tokens], data: scores },
        topk: { shape: [s.batch, s.queryHeads, k], data: topk },
      }),
    );
    const t = result.tensors.find((x) => x.tensor === 'topk')!;
    expect(t.maxError).toBe(4);
    expect(t.verdicts.identicalToOwnScores).toBe(false);
  });
});
