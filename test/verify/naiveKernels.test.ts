// The naive same-precision kernels (rule (c)'s baseline): the textbook algorithm in fp32, every
// operation rounded, sums in token order, written out here once more and compared bit for bit on
// GQA inputs, and at hand points where each rounding shows.
import { describe, expect, it } from 'vitest';
import type { AttentionShape } from '../../src/backends/kernelBackend.js';
import { decodeInputs, type DecodedInputs } from '../../src/backends/reference/float64Kernels.js';
import { roundTo, type StorageDtype } from '../../src/numeric/storage.js';
import {
  naiveDecode,
  naiveDroppedMass,
  naiveScores,
  naiveSparse,
  naiveWeights,
} from '../../src/verify/naiveKernels.js';
import { randomAttentionInputs, randomIndexLists } from '../../src/verify/randomInputs.js';

const f = Math.fround;
const shape: AttentionShape = { batch: 2, queryHeads: 6, kvHeads: 2, tokens: 37, headDim: 5, valueDim: 3 };

/** The rule as theory/kernel-error.md states it, for one head over `tokens` (list order). */
function ruleLogit(x: DecodedInputs, b: number, h: number, token: number): number {
  const s = x.shape;
  const row = b * s.queryHeads + h;
  const cache = b * s.kvHeads + Math.floor(h / (s.queryHeads / s.kvHeads));
  let dot = 0;
  for (let c = 0; c < s.headDim; c++)
    dot = f(dot + f(x.query[row * s.headDim + c]! * x.keys[(cache * s.tokens + token) * s.headDim + c]!));
  return f(f(x.scale) * dot);
}

function ruleAverage(x: DecodedInputs, b: number, h: number, tokens: number[], probability: StorageDtype): number[] {
  const s = x.shape;
  const cache = b * s.kvHeads + Math.floor(h / (s.queryHeads / s.kvHeads));
  const z = tokens.map((t) => ruleLogit(x, b, h, t));
  const max = Math.max(...z);
  let sum = 0;
  const acc = new Array<number>(s.valueDim).fill(0);
  for (let j = 0; j < tokens.length; j++) {
    const p = f(Math.exp(f(z[j]! - max)));
    sum = f(sum + p);
    const pj = roundTo(probability, p);
    if (pj === 0) continue;
    for (let c = 0; c < s.valueDim; c++)
      acc[c] = f(acc[c]! + f(pj * x.values[(cache * s.tokens + tokens[j]!) * s.valueDim + c]!));
  }
  return acc.map((a) => f(a / sum));
}

describe('the naive kernels against the rule written out', () => {
  const x = decodeInputs(randomAttentionInputs('fp16', shape, 41));
  const all = Array.from({ length: shape.tokens }, (_, i) => i);
  const heads = Array.from({ length: shape.batch * shape.queryHeads }, (_, row) => ({
    b: Math.floor(row / shape.queryHeads),
    h: row % shape.queryHeads,
  }));

  it('naiveScores: every head against its own KV head, bit for bit', () => {
    const expected = heads.flatMap(({ b, h }) => all.map((t) => ruleLogit(x, b, h, t)));
    expect(Array.from(naiveScores(x))).toEqual(expected);
  });

  it('naiveDecode, with P kept in fp32 or rounded to fp16 or bf16', () => {
    for (const probability of ['fp32', 'fp16', 'bf16'] as const) {
      const expected = heads.flatMap(({ b, h }) => ruleAverage(x, b, h, all, probability));
      expect(Array.from(naiveDecode(x, probability))).toEqual(expected);
    }
    expect(Array.from(naiveDecode(x))).toEqual(Array.from(naiveDecode(x, 'fp32')));
    expect(Array.from(naiveDecode(x, 'bf16'))).not.toEqual(Array.from(naiveDecode(x, 'fp32')));
  });

  it('naiveSparse over padded lists, in list order', () => {
    const lists = randomIndexLists(shape, 9, 42, true);
    const expected = heads.flatMap(({ b, h }, row) => {
      const list = Array.from(lists.indices.subarray(row * 9, (row + 1) * 9)).filter((t) => t >= 0);
      return ruleAverage(x, b, h, list, 'fp16');
    });
    expect(Array.from(naiveSparse(x, lists, 'fp16'))).toEqual(expected);
    expect(Array.from(naiveSparse(x, lists))).toEqual(Array.from(naiveSparse(x, lists, 'fp32')));
  });

  it('naiveDroppedMass: the dropped weights over all weights, both summed in token order', () => {
    const lists = randomIndexLists(shape, 9, 43, true);
    const expected = heads.map(({ b, h }, row) => {
      const kept = new Set(Array.from(lists.indices.subarray(row * 9, (row + 1) * 9)));
      const z = all.map((t) => ruleLogit(x, b, h, t));
      const max = Math.max(...z);
      let total = 0;
      let dropped = 0;
      for (const t of all) {
        const e = f(Math.exp(f(z[t]! - max)));
        total = f(total + e);
        if (!kept.has(t)) dropped = f(dropped + e);
      }
      return f(dropped / total);
    });
    const got = naiveDroppedMass(x, lists);
    expect(Array.from(got)).toEqual(expected);
    expect(got.every((d) => d > 0 && d < 1)).toBe(true);
  });
});

describe('naiveWeights', () => {
  it('subtracts the largest logit, rounds each p to the P dtype, and sums the fp32 p in order', () => {
    const { p, sum } = naiveWeights([0, Math.log(2), 1, -1e3], 'fp32');
    const e = [0 - 1, Math.log(2) - 1, 0, -1e3 - 1].map((d) => f(Math.exp(f(d))));
    expect(Array.from(p)).toEqual(e);
    expect(p[2]).toBe(1);
    expect(p[3]).toBe(0);
    expect(sum).toBe(f(f(f(e[0]! + e[1]!) + e[2]!) + e[3]!));
    const half = naiveWeights([0, Math.log(2), 1], 'fp16');
    expect(Array.from(half.p)).toEqual(e.slice(0, 3).map((v) => roundTo('fp16', v)));
    expect(half.p[0]).not.toBe(p[0]);
    expect(half.sum).toBe(f(f(e[0]! + e[1]!) + e[2]!));
  });

  it('negative logits only: the maximum is the largest, not 0', () => {
    expect(Array.from(naiveWeights([-5, -3], 'fp32').p)).toEqual([f(Math.exp(-2)), 1]);
  });
});

describe('the naive kernels at hand points', () => {
  /** One head, d = 1, scale 1: logits are the keys, values as given. */
  const head = (keys: number[], values: number[][]): DecodedInputs => ({
    shape: { batch: 1, queryHeads: 1, kvHeads: 1, tokens: keys.length, headDim: 1, valueDim: values[0]!.length },
    query: Float64Array.of(1),
    keys: Float64Array.from(keys),
    values: Float64Array.from(values.flat()),
    scale: 1,
  });

  it('a weight that underflows to 0 leaves out its value, even an infinite one', () => {
    const x = head([0, -200], [[2], [Infinity]]);
    expect(Array.from(naiveDecode(x))).toEqual([2]);
  });

  it('the division by the sum comes last, in fp32', () => {
    const x = head([0, 0, 0], [[1], [1], [2]]);
    expect(Array.from(naiveDecode(x))).toEqual([f(4 / 3)]);
    const sparse = naiveSparse(x, { indices: Int32Array.of(2, -1, 0), selected: 3 });
    expect(Array.from(sparse)).toEqual([f(3 / 2)]);
    expect(Array.from(naiveDroppedMass(x, { indices: Int32Array.of(2, -1, 0), selected: 3 }))).toEqual([f(1 / 3)]);
  });
});
