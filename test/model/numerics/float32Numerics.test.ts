/**
 * Float32Numerics' attention over kept lists: a query head whose list is all padding (a selector
 * that kept nothing, as Quest does at a budget below its page size whenever the cache length is a
 * multiple of the page size) attends to nothing and contributes zeros, as the float64 reference's
 * does, instead of 0/0 = NaN that then poisons every later key of the sequence.
 */
import { describe, expect, it } from 'vitest';
import { loadBackend, requireBackend } from '../../../src/backends/registry.js';
import type { ModelConfig } from '../../../src/model/config.js';
import { cachedWeights } from '../../../src/model/engines/cachedWeights.js';
import { createCpuEngine, createNaiveFloat32Engine } from '../../../src/model/engines/cpuEngine.js';
import type { NumericsEngine } from '../../../src/model/engines/numericsEngine.js';
import { createReferenceEngine } from '../../../src/model/engines/referenceEngine.js';
import { crossEntropy } from '../../../src/model/evaluate/crossEntropy.js';
import { Float32Numerics, type Float32Kernels } from '../../../src/model/numerics/float32Numerics.js';
import { naiveFloat32Kernels } from '../../../src/model/numerics/naiveFloat32Kernels.js';
import { modelPresets } from '../../../src/model/presets.js';
import { Float64Numerics } from '../../../src/model/reference/float64Numerics.js';
import { SelectorPolicy } from '../../../src/model/selection/selectorPolicy.js';
import { memoryWeightSource } from '../../../src/model/weightSource.js';
import { createSelector } from '../../../src/selectors/registry.js';

const tiny = { ...(modelPresets.tiny as ModelConfig), dtype: 'fp32' } as ModelConfig;
const source = memoryWeightSource(tiny, { seed: 5, std: 0.3 });
const { queryHeads, kvHeads, headDim } = tiny;
const length = 6;

/** Deterministic values in (−1, 1). */
function vector(size: number, seed: number): Float64Array {
  return Float64Array.from({ length: size }, (_, i) => Math.fround(Math.sin(seed * 7.3 + i * 1.7)));
}

/** A one-layer cache of `length` positions filled with the same keys and values in both numerics. */
function filled(kernels: Float32Kernels = naiveFloat32Kernels) {
  const fp32 = new Float32Numerics(
    tiny,
    cachedWeights((name) => source.readFloat32(name)),
    kernels,
    1,
    length,
  );
  const fp64 = new Float64Numerics(
    tiny,
    cachedWeights((name) => source.readFloat64(name)),
    1,
    length,
  );
  for (let p = 0; p < length; p++) {
    const k = vector(kvHeads * headDim, 2 * p + 1);
    const v = vector(kvHeads * headDim, 2 * p + 2);
    fp32.appendKeyValue(0, 0, p, k, v);
    fp64.appendKeyValue(0, 0, p, k, v);
  }
  return { fp32, fp64, q: vector(queryHeads * headDim, 99) };
}

/** Kept lists [queryHeads, 3]: head h keeps rows[h] (−1 padding after it). */
function lists(rows: number[][]) {
  const selected = 3;
  const indices = new Int32Array(queryHeads * selected).fill(-1);
  rows.forEach((row, h) => indices.set(row, h * selected));
  return { indices, selected };
}

const head = (out: Float64Array, h: number) => Array.from(out.subarray(h * headDim, (h + 1) * headDim));

describe('Float32Numerics attention over kept lists', () => {
  it('gives zeros, as the float64 reference does, for a head that kept no position', () => {
    const { fp32, fp64, q } = filled();
    const kept = lists([[], [], [], []]);
    const zeros = new Array<number>(queryHeads * headDim).fill(0);
    expect(Array.from(fp64.attention(0, 0, length, q, kept))).toEqual(zeros);
    expect(Array.from(fp32.attention(0, 0, length, q, kept))).toEqual(zeros);
  });

  it('leaves the other heads of the group as they are when one head kept nothing', () => {
    const { fp32, q } = filled();
    // Heads 0 and 1 share KV head 0, heads 2 and 3 KV head 1.
    const mixed = fp32.attention(0, 0, length, q, lists([[], [1, 4], [0, 2, 5], []]));
    const full = fp32.attention(0, 0, length, q, lists([[3], [1, 4], [0, 2, 5], [5]]));
    expect(head(mixed, 0)).toEqual(new Array<number>(headDim).fill(0));
    expect(head(mixed, 1)).toEqual(head(full, 1));
    expect(head(mixed, 2)).toEqual(head(full, 2));
    expect(head(mixed, 3)).toEqual(new Array<number>(headDim).fill(0));
    for (const value of head(full, 1)) expect(value).not.toBe(0);
  });

  it('hands the kernels no all-padding row (the kernel backends refuse one) and leaves the lists as they were', () => {
    // The reference backend checks index lists as the native backends do: a real index in every row.
    const backend = requireBackend('reference');
    const checked: Float32Kernels = {
      linear: naiveFloat32Kernels.linear,
      attention: (inputs, lists) =>
        lists === null ? backend.decodeAttention(inputs) : backend.sparseAttention(inputs, lists),
    };
    const { fp32, q } = filled(checked);
    const kept = lists([[2], [], [], [0, 5]]);
    const before = Array.from(kept.indices);
    const out = fp32.attention(0, 0, length, q, kept);
    expect(Array.from(kept.indices)).toEqual(before);
    const full = fp32.attention(0, 0, length, q, lists([[2], [4], [3], [0, 5]]));
    // One empty head in each KV head's group: heads 1 and 2.
    for (const h of [0, 3]) expect(head(out, h)).toEqual(head(full, h));
    for (const h of [1, 2]) expect(head(out, h)).toEqual(new Array<number>(headDim).fill(0));
    // Both KV heads' groups: an all-padding group runs no kernel and gives zeros too.
    expect(Array.from(fp32.attention(0, 0, length, q, lists([[], [], [], []])))).toEqual(
      new Array<number>(queryHeads * headDim).fill(0),
    );
  });
});

describe('Quest at a budget below its page size in the decode loop', () => {
  // Budget 8 < page size 16: at the 32nd position the partial page is empty and no page fits the
  // budget, so every head keeps nothing.
  const capacity = 48;
  const decodeFrom = 30;
  const tokens = Int32Array.from({ length: 44 }, (_, i) => (i * 37 + 11) % tiny.vocabSize);
  const bf16 = { ...tiny, dtype: 'bf16' } as ModelConfig;
  const bf16Source = memoryWeightSource(bf16, { seed: 5, std: 0.3 });
  const run = (engine: NumericsEngine) => {
    const policy = new SelectorPolicy({
      config: bf16,
      createSelector: () => createSelector('quest', 8),
      sequences: 1,
      capacity,
      decodeFrom,
    });
    engine.setSelectionPolicy(policy);
    const { losses } = crossEntropy(engine, tokens, decodeFrom);
    return { losses: Array.from(losses), empty: policy.stats.keptSize.map((size) => size === 0), policy };
  };
  let referenceRun: ReturnType<typeof run> | undefined;
  const reference = () => (referenceRun ??= run(createReferenceEngine(bf16Source, { capacity })));

  it('keeps nothing at some head-steps, where the recorded δ is 1', () => {
    const { empty, policy } = reference();
    expect(empty.filter(Boolean).length).toBeGreaterThan(0);
    empty.forEach((none, i) => {
      if (none) expect(policy.stats.delta[i]).toBe(1);
    });
  });

  for (const [name, create, available] of [
    ['naive fp32 kernels', createNaiveFloat32Engine, true],
    ['CPU engine', createCpuEngine, loadBackend('cpu').loaded],
  ] as const) {
    it.skipIf(!available)(`runs with the ${name} (finite losses, the same empty head-steps)`, () => {
      const fp32 = run(create(bf16Source, { capacity }));
      for (const loss of fp32.losses) expect(Number.isFinite(loss)).toBe(true);
      expect(fp32.empty).toEqual(reference().empty);
    });
  }
});
