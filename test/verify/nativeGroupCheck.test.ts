/**
 * The native passes of check-output (src/verify/nativeGroupCheck.ts) against the TypeScript path,
 * the oracle: every group's quartet (kernel, reference, naive, bounds) and sparse rows (δ, gap,
 * allowance) must be bit-identical, and so the reports. Shapes cover GQA, head and value dims not
 * multiples of the tile or of 4, token counts not multiples of the tile, all three storage dtypes,
 * padded index lists (with a NaN value outside every list), P rounded to fp16, fp16 and bf16 outputs,
 * no precision model, NaN and ±Inf inputs; and when the addon counts as built for check-output.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../src/backends/nativeAddon.js';
import type { AttentionShape } from '../../src/backends/kernelBackend.js';
import { decodeInputs } from '../../src/backends/reference/float64Kernels.js';
import { encodeStorage, type StorageDtype } from '../../src/numeric/storage.js';
import { checkGroup, type GroupResult } from '../../src/verify/groupCheck.js';
import { forEachHeadGroup } from '../../src/verify/headGroups.js';
import { naiveDecode, naiveSparse } from '../../src/verify/naiveKernels.js';
import { checkOutputAddon, type CheckOutputAddon } from '../../src/verify/nativeGroupCheck.js';
import { readOutputCase } from '../../src/verify/outputCase.js';
import { checkOutput } from '../../src/verify/outputCheck.js';
import { randomAttentionInputs, randomIndexLists } from '../../src/verify/randomInputs.js';
import { inputTensors as tensors, storageTypeName as storageType, writeCase, type CaseTensor } from './caseFiles.js';

const addon = checkOutputAddon();
function groups(path: string, native: boolean): GroupResult[] {
  const c = readOutputCase(path);
  try {
    const results: GroupResult[] = [];
    forEachHeadGroup(
      c,
      (g) => {
        if (native && c.tensors.k!.type === storageType[c.storage])
          expect(g.raw, 'the native passes read the stored keys and values').not.toBeNull();
        results.push(checkGroup(c, g, native ? addon : null));
      },
      { raw: native },
    );
    return results;
  } finally {
    c.close();
  }
}

async function report(path: string, native: boolean) {
  const c = readOutputCase(path);
  try {
    return await checkOutput(c, { path, workers: 1, native });
  } finally {
    c.close();
  }
}

/** Bit-identical group results and reports (groups() checks that the native passes ran). */
async function expectIdentical(path: string): Promise<void> {
  const native = groups(path, true);
  expect(native).toEqual(groups(path, false));
  expect(await report(path, true)).toEqual(await report(path, false));
}

interface Case {
  readonly name: string;
  readonly shape: AttentionShape;
  readonly dtype: StorageDtype;
  readonly selected?: number;
  readonly metadata: Record<string, string>;
  /** The output tensor's dtype (default F32). */
  readonly out?: 'F16' | 'BF16';
  readonly poison?: boolean;
  /** A NaN in the value row of a token that no list of KV head 0 holds (its lists' padding must not read it). */
  readonly poisonOutsideLists?: boolean;
}

const cases: readonly Case[] = [
  {
    name: 'dense fp16, GQA 4, d = 128',
    shape: { batch: 2, queryHeads: 8, kvHeads: 2, tokens: 1000, headDim: 128, valueDim: 128 },
    dtype: 'fp16',
    metadata: { accumulation: 'fp32', sum_block: '256' },
  },
  {
    name: 'dense bf16, odd dims and token count',
    shape: { batch: 1, queryHeads: 3, kvHeads: 1, tokens: 77, headDim: 13, valueDim: 5 },
    dtype: 'bf16',
    metadata: { accumulation: 'fp32' },
  },
  {
    name: 'dense fp32, no model, N = 1',
    shape: { batch: 3, queryHeads: 2, kvHeads: 2, tokens: 1, headDim: 6, valueDim: 3 },
    dtype: 'fp32',
    metadata: {},
  },
  {
    name: 'dense fp16, P rounded to fp16, fp16 output',
    shape: { batch: 1, queryHeads: 4, kvHeads: 2, tokens: 300, headDim: 64, valueDim: 32 },
    dtype: 'fp16',
    metadata: { accumulation: 'fp32', probability: 'fp16' },
    out: 'F16',
  },
  {
    name: 'dense bf16, bf16 output',
    shape: { batch: 1, queryHeads: 4, kvHeads: 2, tokens: 90, headDim: 16, valueDim: 8 },
    dtype: 'bf16',
    metadata: { accumulation: 'fp32' },
    out: 'BF16',
  },
  {
    name: 'sparse fp16 with padding',
    shape: { batch: 2, queryHeads: 4, kvHeads: 2, tokens: 500, headDim: 32, valueDim: 16 },
    dtype: 'fp16',
    selected: 40,
    metadata: { accumulation: 'fp32' },
  },
  {
    name: 'sparse bf16, no model',
    shape: { batch: 1, queryHeads: 2, kvHeads: 1, tokens: 64, headDim: 7, valueDim: 9 },
    dtype: 'bf16',
    selected: 64,
    metadata: {},
  },
  {
    name: 'dense fp16 with NaN and Inf inputs',
    shape: { batch: 1, queryHeads: 4, kvHeads: 2, tokens: 50, headDim: 16, valueDim: 8 },
    dtype: 'fp16',
    metadata: { accumulation: 'fp32' },
    poison: true,
  },
  {
    name: 'sparse fp16 with padding, a NaN value outside every list',
    shape: { batch: 1, queryHeads: 4, kvHeads: 2, tokens: 60, headDim: 8, valueDim: 4 },
    dtype: 'fp16',
    selected: 12,
    metadata: { accumulation: 'fp32' },
    poisonOutsideLists: true,
  },
];

describe.runIf(addon)('check-output: the native passes give the TypeScript results bit for bit', () => {
  for (const [index, k] of cases.entries()) {
    it(k.name, async () => {
      const inputs = randomAttentionInputs(k.dtype, k.shape, 40 + index);
      if (k.poison) {
        // A NaN query component (head 0), an infinite key (KV head 1, token 3), a NaN value (KV head 0, token 7).
        const bits = (x: number) => encodeStorage(k.dtype, [x])[0]!;
        (inputs.query as Uint16Array)[2] = bits(Number.NaN);
        (inputs.keys as Uint16Array)[(k.shape.tokens + 3) * k.shape.headDim] = bits(Infinity);
        (inputs.values as Uint16Array)[7 * k.shape.valueDim + 1] = bits(Number.NaN);
      }
      const lists = k.selected ? randomIndexLists(k.shape, k.selected, 7, true) : null;
      if (k.poisonOutsideLists && lists) {
        // Token 1 leaves every list of KV head 0 (replaced by padding), and its value row becomes NaN.
        const rows = k.shape.queryHeads / k.shape.kvHeads;
        for (let j = 0; j < rows * lists.selected; j++) if (lists.indices[j] === 1) lists.indices[j] = -1;
        expect(Array.from(lists.indices.subarray(0, rows * lists.selected))).toContain(-1);
        (inputs.values as Uint16Array)[1 * k.shape.valueDim] = encodeStorage(k.dtype, [Number.NaN])[0]!;
      }
      const decoded = decodeInputs(inputs);
      const exact = lists ? naiveSparse(decoded, lists) : naiveDecode(decoded);
      const outShape = [k.shape.batch, k.shape.queryHeads, k.shape.valueDim];
      const out: CaseTensor = k.out
        ? {
            shape: outShape,
            data: encodeStorage(k.out === 'F16' ? 'fp16' : 'bf16', exact) as Uint16Array,
            dtype: k.out,
          }
        : { shape: outShape, data: Float32Array.from(exact) };
      const indices: Record<string, CaseTensor> = lists
        ? { indices: { shape: [k.shape.batch, k.shape.queryHeads, lists.selected], data: lists.indices } }
        : {};
      await expectIdentical(writeCase({ ...tensors(inputs), out, ...indices }, k.metadata));
    });
  }

  it('checkOutputAddon: the built addon; null when PRHS_NATIVE_ADDON names no file, or an addon lacking either pass', () => {
    const load = loadNativeAddon('native', 'prhs_native.node', 'PRHS_NATIVE_ADDON');
    if (!load.ok) throw new Error(load.reason);
    const found = checkOutputAddon();
    expect(found).toBe(load.addon);
    expect(typeof found?.checkLogits).toBe('function');
    expect(typeof found?.checkWeightedSums).toBe('function');
    const folder = mkdtempSync(join(tmpdir(), 'prhs-addon-'));
    // A module with every entry point of the built addon but one.
    const without = (name: string) => {
      const path = join(folder, `without-${name}.cjs`);
      writeFileSync(path, `module.exports = { ...require(${JSON.stringify(load.path)}), ${name}: undefined };\n`);
      return path;
    };
    const saved = process.env.PRHS_NATIVE_ADDON;
    try {
      process.env.PRHS_NATIVE_ADDON = join(folder, 'missing.node');
      expect(checkOutputAddon()).toBeNull();
      process.env.PRHS_NATIVE_ADDON = without('checkLogits');
      expect(checkOutputAddon()).toBeNull();
      process.env.PRHS_NATIVE_ADDON = without('checkWeightedSums');
      expect(checkOutputAddon()).toBeNull();
      process.env.PRHS_NATIVE_ADDON = without('nothing');
      expect(checkOutputAddon()?.checkLogits).toBe((load.addon as unknown as CheckOutputAddon).checkLogits);
    } finally {
      if (saved === undefined) delete process.env.PRHS_NATIVE_ADDON;
      else process.env.PRHS_NATIVE_ADDON = saved;
    }
  });

  it('the entry points refuse arrays of the wrong length and tokens out of range, naming the argument', () => {
    const a = addon!;
    const base = { dtype: 'fp16', groups: 1, heads: 2, tokens: 4, headDim: 3, scale: 0.5 };
    expect(() => a.checkLogits({ ...base, query: new Float64Array(6), keys: new Uint16Array(11) })).toThrow(
      /^keys: expected a Uint16Array of length 12/,
    );
    expect(() => a.checkLogits({ ...base, query: new Float32Array(6), keys: new Uint16Array(12) })).toThrow(
      /^query: expected a Float64Array/,
    );
    const sums = {
      dtype: 'fp16',
      groups: 1,
      heads: 2,
      tokens: 4,
      valueDim: 3,
      values: new Uint16Array(12),
      referenceWeights: new Float64Array(4),
      listLength: 2,
    };
    expect(() => a.checkWeightedSums({ ...sums, indices: Int32Array.from([0, 4, 1, -1]) })).toThrow(
      /^indices\[1\]: expected a token in \[0, 4\) or -1, received 4/,
    );
    expect(() => a.checkWeightedSums({ ...sums, indices: Int32Array.from([0, -2, 1, -1]) })).toThrow(/^indices\[1\]/);
    expect(() =>
      a.checkWeightedSums({ ...sums, indices: Int32Array.from([0, 1, 1, -1]), naiveWeights: new Float32Array(3) }),
    ).toThrow(/^naiveWeights: expected a Float32Array of length 4/);
    expect(a.checkWeightedSums({ ...sums, indices: Int32Array.from([0, 3, 1, -1]) }).reference).toHaveLength(6);
  });

  it('falls back to TypeScript when the stored element type is not the storage dtype (F32 keys of an fp16 case)', () => {
    const s: AttentionShape = { batch: 1, queryHeads: 2, kvHeads: 1, tokens: 20, headDim: 8, valueDim: 4 };
    const inputs = randomAttentionInputs('fp16', s, 3);
    const decoded = decodeInputs(inputs);
    const t = tensors(inputs);
    const path = writeCase(
      {
        ...t,
        k: { shape: t.k!.shape, data: Float32Array.from(decoded.keys) },
        out: { shape: [1, 2, 4], data: Float32Array.from(naiveDecode(decoded)) },
      },
      { dtype: 'fp16', accumulation: 'fp32' },
    );
    const c = readOutputCase(path);
    try {
      forEachHeadGroup(c, (g) => expect(g.raw).toBeNull(), { raw: true });
    } finally {
      c.close();
    }
    expect(groups(path, true)).toEqual(groups(path, false));
  });
});
