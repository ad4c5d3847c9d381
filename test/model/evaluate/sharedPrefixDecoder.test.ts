import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../../src/model/config.js';
import { cachedWeights } from '../../../src/model/engines/cachedWeights.js';
import { createReferenceEngine } from '../../../src/model/engines/referenceEngine.js';
import { crossEntropy } from '../../../src/model/evaluate/crossEntropy.js';
import { decodePrefixState, encodePrefixState } from '../../../src/model/evaluate/prefixState.js';
import { SharedPrefixDecoder, sharedPositions } from '../../../src/model/evaluate/sharedPrefixDecoder.js';
import { Float32Numerics } from '../../../src/model/numerics/float32Numerics.js';
import { naiveFloat32Kernels } from '../../../src/model/numerics/naiveFloat32Kernels.js';
import { modelPresets } from '../../../src/model/presets.js';
import { Float64Numerics } from '../../../src/model/reference/float64Numerics.js';
import { memoryWeightSource } from '../../../src/model/weightSource.js';
import { createSelector } from '../../../src/selectors/registry.js';
import { referenceEngineWithSelector } from '../referenceEngineWithSelector.js';

const tiny = modelPresets.tiny as ModelConfig;
const source = memoryWeightSource(tiny, { seed: 5, std: 0.3 });
const capacity = 48;
const tokens = Int32Array.from({ length: 44 }, (_, i) => (i * 37 + 11) % tiny.vocabSize);
const decodeFrom = 30;

/** The same branch the ordinary way: a fresh engine, its own SelectorPolicy, crossEntropy. */
function fresh(sequence: Int32Array, selector: string | null, budget: number) {
  const { engine, policy } = referenceEngineWithSelector({ source, capacity, decodeFrom, selector, budget });
  const result = crossEntropy(engine, sequence, decodeFrom);
  return { losses: Array.from(result.losses), delta: policy?.stats.delta ?? [] };
}

/** The fp32 engine's arithmetic with a bf16 cache (the CPU engine's precision model, naive kernels). */
function float32Decoder(): SharedPrefixDecoder {
  const bf16 = { ...tiny, dtype: 'bf16' } as ModelConfig;
  const weights = cachedWeights((name) => Float32Array.from(source.readFloat64(name)));
  return new SharedPrefixDecoder(new Float32Numerics(bf16, weights, naiveFloat32Kernels, 1, capacity), capacity);
}

function sharedDecoder(): SharedPrefixDecoder {
  return new SharedPrefixDecoder(
    new Float64Numerics(
      tiny,
      cachedWeights((name) => source.readFloat64(name)),
      1,
      capacity,
    ),
    capacity,
  );
}

describe('SharedPrefixDecoder', () => {
  const branches: [string | null, number][] = [
    [null, 0],
    ['oracle', 6],
    ['h2o', 6],
    ['quest', 8],
    ['cis', 6],
    [null, 0],
  ];
  it('gives every branch, in any order, the losses and δ of a fresh engine bit for bit', () => {
    const decoder = sharedDecoder();
    for (const [selector, budget] of branches) {
      const shared = decoder.run({
        tokens,
        decodeFrom,
        createSelector: selector === null ? null : () => createSelector(selector, budget),
      });
      const expected = fresh(tokens, selector, budget);
      expect(Array.from(shared.losses)).toEqual(expected.losses);
      expect(shared.delta).toEqual(expected.delta);
    }
  });

  it('re-runs from the first differing token when the next branch has other tokens', () => {
    const decoder = sharedDecoder();
    decoder.run({ tokens, decodeFrom, createSelector: () => createSelector('oracle', 6) });
    const other = Int32Array.from(tokens);
    other[12] = (other[12]! + 1) % tiny.vocabSize;
    const shared = decoder.run({ tokens: other, decodeFrom, createSelector: () => createSelector('h2o', 6) });
    const expected = fresh(other, 'h2o', 6);
    expect(Array.from(shared.losses)).toEqual(expected.losses);
    expect(expected.losses).not.toEqual(fresh(tokens, 'h2o', 6).losses);
  });

  it('reports the greedy choice of each scored position, the layer of each δ and max ‖v‖ per head', () => {
    const decoder = sharedDecoder();
    const dense = decoder.run({ tokens, decodeFrom, createSelector: null });
    expect(dense.greedy.length).toBe(tokens.length - decodeFrom);
    expect(dense.delta).toEqual([]);
    expect(dense.maxValueNorm).toBeNull();
    // The greedy choice is the most likely token: its loss, had it been the target, is the smallest.
    const engine = createReferenceEngine(source, { capacity });
    const logits = engine.append(tokens.subarray(0, decodeFrom), decodeFrom);
    expect(dense.greedy[0]).toBe(Array.from(logits).indexOf(Math.max(...logits)));
    const sparse = decoder.run({ tokens, decodeFrom, createSelector: () => createSelector('streamingllm', 6) });
    // Sparse positions are decodeFrom … tokens.length − 2 (the last token is a target only).
    expect(sparse.delta.length).toBe((tokens.length - 1 - decodeFrom) * tiny.layers * tiny.queryHeads);
    expect(sparse.deltaLayer.slice(0, tiny.queryHeads * tiny.layers)).toEqual(
      Array.from({ length: tiny.layers * tiny.queryHeads }, (_, i) => Math.floor(i / tiny.queryHeads)),
    );
    expect(sparse.maxValueNorm!.length).toBe(tiny.layers);
    for (const row of sparse.maxValueNorm!) for (const norm of row) expect(norm).toBeGreaterThan(0);
  });

  for (const [name, make, list] of [
    ['float64 reference', sharedDecoder, branches],
    ['fp32 engine, bf16 cache', float32Decoder, branches],
  ] as const) {
    it(`moves the dense prefix to another decoder (${name}): its branches give the same results bit for bit`, () => {
      const source = make();
      source.prefill(tokens.subarray(0, sharedPositions(decodeFrom)));
      const bytes = encodePrefixState(source.exportPrefix());
      const expected = list.map(([selector, budget]) =>
        source.run({
          tokens,
          decodeFrom,
          createSelector: selector === null ? null : () => createSelector(selector, budget),
        }),
      );
      // A decoder that has run other tokens first: the import must replace its prefix entirely.
      const target = make();
      const other = Int32Array.from(tokens, (t) => (t + 3) % tiny.vocabSize);
      target.run({ tokens: other, decodeFrom, createSelector: () => createSelector('h2o', 6) });
      target.importPrefix(decodePrefixState(bytes));
      list.forEach(([selector, budget], i) => {
        const got = target.run({
          tokens,
          decodeFrom,
          createSelector: selector === null ? null : () => createSelector(selector, budget),
        });
        expect(Array.from(got.losses)).toEqual(Array.from(expected[i]!.losses));
        expect(Array.from(got.greedy)).toEqual(Array.from(expected[i]!.greedy));
        expect(got.delta).toEqual(expected[i]!.delta);
        expect(got.maxValueNorm).toEqual(expected[i]!.maxValueNorm);
      });
    });
  }

  it('refuses a prefix state of another shape and bytes that are not one', () => {
    const decoder = sharedDecoder();
    decoder.prefill(tokens.subarray(0, 10));
    const state = decoder.exportPrefix();
    expect(() => sharedDecoder().importPrefix({ ...state, layers: state.layers + 1 })).toThrow(/state/);
    expect(() => sharedDecoder().importPrefix({ ...state, keys: state.keys.subarray(1) })).toThrow(/state/);
    const bytes = encodePrefixState(state);
    expect(decodePrefixState(bytes).tokens).toEqual(tokens.subarray(0, 10));
    expect(() => decodePrefixState(bytes.subarray(0, bytes.length - 8))).toThrow(/prefix state/);
    expect(() => decodePrefixState(new Uint8Array(bytes.length))).toThrow(/prefix state/);
  });

  it('refuses a decodeFrom outside the tokens and more tokens than the capacity', () => {
    const decoder = sharedDecoder();
    expect(() => decoder.run({ tokens, decodeFrom: tokens.length, createSelector: null })).toThrow(/decodeFrom/);
    expect(() => decoder.run({ tokens: new Int32Array(capacity + 1), decodeFrom: 4, createSelector: null })).toThrow(
      /tokens/,
    );
  });
});
