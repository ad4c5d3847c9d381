// One head group's quartets: the naive kernel rounded like the stored output, the δ allowance of
// theory/kernel-error.md §4, the verdicts that need no model, the top-k checks' edge rows, and the
// rounding of the scores the top-k set check assumes.
import { describe, expect, it } from 'vitest';
import type { AttentionInputs, AttentionShape } from '../../src/backends/kernelBackend.js';
import { decodeInputs, referenceDecode, referenceDroppedMass } from '../../src/backends/reference/float64Kernels.js';
import { referenceBackend } from '../../src/backends/reference/referenceBackend.js';
import { topKUnchecked } from '../../src/core/topK.js';
import { encodeStorage, roundTo } from '../../src/numeric/storage.js';
import { checkGroup, type GroupResult } from '../../src/verify/groupCheck.js';
import { forEachHeadGroup } from '../../src/verify/headGroups.js';
import { naiveDecode, naiveSparse } from '../../src/verify/naiveKernels.js';
import { readOutputCase } from '../../src/verify/outputCase.js';
import { checkOutput } from '../../src/verify/outputCheck.js';
import { randomAttentionInputs, randomIndexLists } from '../../src/verify/randomInputs.js';
import { writeCase, type CaseTensor } from './caseFiles.js';

const shape: AttentionShape = { batch: 1, queryHeads: 4, kvHeads: 2, tokens: 40, headDim: 8, valueDim: 3 };

function inputTensors(inputs: AttentionInputs): Record<string, CaseTensor> {
  const s = inputs.shape;
  return {
    q: { shape: [s.batch, s.queryHeads, s.headDim], data: inputs.query as Float32Array },
    k: { shape: [s.batch, s.kvHeads, s.tokens, s.headDim], data: inputs.keys as Float32Array },
    v: { shape: [s.batch, s.kvHeads, s.tokens, s.valueDim], data: inputs.values as Float32Array },
  };
}

/** checkGroup over every group of the case at `path`, in order, with the decoded keys and values of each. */
function groups(path: string): { results: GroupResult[]; values: Float64Array[] } {
  const c = readOutputCase(path);
  try {
    const results: GroupResult[] = [];
    const values: Float64Array[] = [];
    forEachHeadGroup(c, (g) => {
      results.push(checkGroup(c, g));
      values.push(Float64Array.from(g.x.values));
    });
    return { results, values };
  } finally {
    c.close();
  }
}

async function check(path: string) {
  const c = readOutputCase(path);
  try {
    return await checkOutput(c, { path, workers: 1 });
  } finally {
    c.close();
  }
}

describe('checkGroup', () => {
  const inputs = randomAttentionInputs('fp32', shape, 31);
  const naive = naiveDecode(decodeInputs(inputs));
  const rows = shape.queryHeads / shape.kvHeads;
  const groupRows = (a: ArrayLike<number>, group: number) =>
    Array.from(a).slice(group * rows * shape.valueDim, (group + 1) * rows * shape.valueDim);

  it("the naive kernel's result is rounded to the stored output's dtype", () => {
    const outs: [string, CaseTensor, (v: number) => number][] = [
      ['F32', { shape: [1, 4, 3], data: Float32Array.from(naive) }, (v) => v],
      ['F64', { shape: [1, 4, 3], data: Float64Array.from(naive) }, (v) => v],
      [
        'F16',
        { shape: [1, 4, 3], data: encodeStorage('fp16', naive) as Uint16Array, dtype: 'F16' },
        (v) => roundTo('fp16', v),
      ],
      [
        'BF16',
        { shape: [1, 4, 3], data: encodeStorage('bf16', naive) as Uint16Array, dtype: 'BF16' },
        (v) => roundTo('bf16', v),
      ],
    ];
    for (const [, out, rounding] of outs) {
      const { results } = groups(writeCase({ ...inputTensors(inputs), out }));
      results.forEach((r, group) => expect(Array.from(r.out!.naive)).toEqual(groupRows(naive, group).map(rounding)));
    }
    // The roundings differ on these values, so each dtype is told apart.
    expect(naive.some((v) => roundTo('fp16', v) !== v && roundTo('bf16', v) !== roundTo('fp16', v))).toBe(true);
  });

  it('sparse outputs: gap ‖out − dense‖₂ and allowance 2δ·max‖v_i‖₂·(1 + 10⁻¹²) + ‖bound‖₂ per row', () => {
    const lists = randomIndexLists(shape, 12, 32, true);
    const x = decodeInputs(inputs);
    const out = naiveSparse(x, lists).map((v, i) => v + (i % 3) * 0.01);
    const { results, values } = groups(
      writeCase(
        {
          ...inputTensors(inputs),
          indices: { shape: [1, 4, 12], data: lists.indices },
          out: { shape: [1, 4, 3], data: Float32Array.from(out) },
        },
        { accumulation: 'fp32' },
      ),
    );
    const dense = referenceDecode(x);
    const delta = referenceDroppedMass(x, lists);
    results.forEach((r, group) => {
      let norm = 0;
      for (let i = 0; i < shape.tokens; i++) {
        let squared = 0;
        for (let c = 0; c < 3; c++) squared += values[group]![i * 3 + c]! ** 2;
        norm = Math.max(norm, Math.sqrt(squared));
      }
      for (let j = 0; j < rows; j++) {
        const row = group * rows + j;
        let gap = 0;
        let rounding = 0;
        for (let c = 0; c < 3; c++) {
          gap += (r.out!.kernel[j * 3 + c]! - dense[row * 3 + c]!) ** 2;
          rounding += r.out!.bounds[j * 3 + c]! ** 2;
        }
        expect(r.out!.bounds[j * 3]).toBeGreaterThan(0);
        expect(r.deltaRows!.delta[j]).toBe(delta[row]);
        expect(r.deltaRows!.gap[j]).toBe(Math.sqrt(gap));
        expect(r.deltaRows!.allowance[j]).toBe(2 * delta[row]! * norm * (1 + 1e-12) + Math.sqrt(rounding));
      }
    });
  });
});

describe('checkGroup: checks that need no model', () => {
  const inputs = randomAttentionInputs('fp32', shape, 33);
  const lists = randomIndexLists(shape, 10, 34, false);

  it('a dropped mass without a model: compared, no bound verdict', async () => {
    const delta = referenceBackend.droppedMass(inputs, lists);
    const result = await check(
      writeCase({
        q: inputTensors(inputs).q!,
        k: inputTensors(inputs).k!,
        indices: { shape: [1, 4, 10], data: lists.indices },
        delta: { shape: [1, 4], data: delta },
      }),
    );
    expect(result.tensors[0]).toMatchObject({ tensor: 'delta', bound: null, pass: true });
    expect(result.tensors[0]!.verdicts.withinBound).toBeNull();
  });

  it('a top-k without scores and without a model: nothing to judge, nothing fails', async () => {
    const scores = referenceBackend.scores(inputs);
    const topk = new Int32Array(4 * 5);
    for (let r = 0; r < 4; r++) topk.set(topKUnchecked(scores.subarray(r * 40, (r + 1) * 40), 5), r * 5);
    const result = await check(
      writeCase({ q: inputTensors(inputs).q!, k: inputTensors(inputs).k!, topk: { shape: [1, 4, 5], data: topk } }),
    );
    expect(result.tensors).toEqual([
      {
        tensor: 'topk',
        maxError: 0,
        bound: null,
        ratio: null,
        naiveError: null,
        verdicts: { identicalToOwnScores: null, setAdmissible: null },
        pass: true,
      },
    ]);
  });

  it("a row of the kernel's own scores holding NaN is left out of the exact top-k comparison", async () => {
    const scores = referenceBackend.scores(inputs);
    const k = 5;
    const topk = new Int32Array(4 * k);
    for (let r = 0; r < 4; r++) topk.set(topKUnchecked(scores.subarray(r * 40, (r + 1) * 40), k), r * k);
    // Row 0: NaN at its best position; the stored top-k is the one before the NaN.
    const best = topk[0]!;
    scores[best] = Number.NaN;
    expect(Array.from(topKUnchecked(scores.subarray(0, 40), k))).not.toEqual(Array.from(topk.subarray(0, k)));
    const result = await check(
      writeCase({
        q: inputTensors(inputs).q!,
        k: inputTensors(inputs).k!,
        scores: { shape: [1, 4, 40], data: scores },
        topk: { shape: [1, 4, k], data: topk },
      }),
    );
    const t = result.tensors.find((x) => x.tensor === 'topk')!;
    expect(t.maxError).toBe(0);
    expect(t.verdicts.identicalToOwnScores).toBe(true);
  });
});

describe('checkGroup: the top-k set check', () => {
  // One head, two tokens, d = 1, scale 1: logits 1 and 1 + 2^-23 (exact). Keeping token 0 alone is
  // admissible only if the kernel's scores may be off by an fp32 rounding (2^-24·|z| each): with an
  // fp64 accumulation and no scores stored, the set check assumes fp32 scores.
  const tiny: Record<string, CaseTensor> = {
    q: { shape: [1, 1, 1], data: Float32Array.of(1) },
    k: { shape: [1, 1, 2, 1], data: Float32Array.of(1, 1 + 2 ** -23) },
    topk: { shape: [1, 1, 1], data: Int32Array.of(0) },
  };

  it('assumes fp32 scores when none are stored', async () => {
    const result = await check(writeCase(tiny, { scale: '1', accumulation: 'fp64' }));
    expect(result.tensors[0]!.verdicts).toEqual({ identicalToOwnScores: null, setAdmissible: true });
  });

  it('the same set with the logits further apart is refused', async () => {
    const apart = { ...tiny, k: { shape: [1, 1, 2, 1], data: Float32Array.of(1, 1 + 2 ** -21) } };
    const result = await check(writeCase(apart, { scale: '1', accumulation: 'fp64' }));
    expect(result.tensors[0]!.verdicts.setAdmissible).toBe(false);
    expect(result.tensors[0]!.maxError).toBeGreaterThan(0);
  });
});
