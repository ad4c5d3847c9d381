// Kernel tests written once, run on every backend present. PRHS_REQUIRE_BACKEND=cpu makes a
// backend that failed to load a test failure instead of a skip.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { availableBackends, backendStatuses, requiredBackends } from '../../src/backends/registry.js';
import type { AttentionShape, KernelBackend } from '../../src/backends/kernelBackend.js';
import { storageDtypes } from '../../src/numeric/storage.js';
import { runKernelChecks } from '../../src/verify/harness.js';
import { randomAttentionInputs, randomIndexLists } from '../../src/verify/randomInputs.js';

describe('required backends (PRHS_REQUIRE_BACKEND)', () => {
  for (const name of requiredBackends()) {
    it(`${name} loaded`, () => {
      const status = backendStatuses().find((s) => (s.loaded ? s.backend.name : s.name) === name)!;
      expect(status.loaded, status.loaded ? '' : status.reason).toBe(true);
    });
  }
  it('the reference backend always loads', () => {
    expect(availableBackends().map((b) => b.name)).toContain('reference');
  });
});

const shape: AttentionShape = { batch: 2, queryHeads: 4, kvHeads: 2, tokens: 50, headDim: 8, valueDim: 4 };

describe.each(availableBackends().map((b) => [b.name, b] as [string, KernelBackend]))(
  'backend %s',
  (_name, backend) => {
    for (const dtype of storageDtypes) {
      // The derived bound, the tolerances and the NaN/Inf pattern hold for every input: they are
      // judged on this run's property seed. Rule (c), at most twice a naive implementation's error,
      // is statistical (theory/kernel-error.md §6; a correct kernel can lose it by chance, as on
      // property seed 1778709632): it is judged on a fixed seed, so the suite does not depend on luck.
      it(`passes every cross-check up to 4096 tokens (${dtype}), rule (c) on a fixed seed`, () => {
        const seed = Number(process.env.PRHS_SEED ?? 1) % 1e6;
        const outsideTheirBounds = runKernelChecks(backend, dtype, { maxTokens: 4096, seed }).filter((r) =>
          Object.entries(r.verdicts).some(([verdict, holds]) => verdict !== 'withinNaive' && holds === false),
        );
        expect(outsideTheirBounds).toEqual([]);
        const failed = runKernelChecks(backend, dtype, { maxTokens: 4096, seed: 1 }).filter((r) => !r.pass);
        expect(failed).toEqual([]);
      });
    }

    it('top-k breaks ties towards the lower index and sorts by (score desc, index asc)', () => {
      const scores = Float32Array.from([1, 3, 3, -0, 0, 3, Infinity, -Infinity]);
      expect(Array.from(backend.topK(scores, 1, 8, 8))).toEqual([6, 1, 2, 5, 0, 3, 4, 7]);
      expect(Array.from(backend.topK(scores, 2, 4, 2))).toEqual([1, 2, 2, 1]);
    });

    it('GQA: query heads of one group read the same KV head', () => {
      const inputs = randomAttentionInputs('fp32', shape, 3);
      const query = (inputs.query as Float32Array).slice();
      // Give heads 0 and 1 (group of KV head 0) the same query: their outputs must be identical.
      query.set(query.subarray(0, 8), 8);
      const out = backend.decodeAttention({ ...inputs, query });
      expect(Array.from(out.subarray(4, 8))).toEqual(Array.from(out.subarray(0, 4)));
    });

    it('-1 padding is the same as leaving the entry out', () => {
      const inputs = randomAttentionInputs('fp16', shape, 4);
      const lists = randomIndexLists(shape, 6, 5);
      const padded = new Int32Array((lists.indices.length / 6) * 7).fill(-1);
      for (let r = 0; r < lists.indices.length / 6; r++) padded.set(lists.indices.subarray(r * 6, r * 6 + 6), r * 7);
      expect(backend.sparseAttention(inputs, { indices: padded, selected: 7 })).toEqual(
        backend.sparseAttention(inputs, lists),
      );
    });

    it('rejects bad input with an InvalidArgumentError naming the argument', () => {
      const inputs = randomAttentionInputs('fp32', shape, 6);
      const lists = randomIndexLists(shape, 3, 7);
      const bad = lists.indices.slice();
      bad[4] = bad[3]!;
      expect(() => backend.sparseAttention(inputs, { indices: bad, selected: 3 })).toThrow(
        expect.objectContaining({ argument: 'indices[4]' }),
      );
      expect(() => backend.decodeAttention({ ...inputs, keys: new Float32Array(3) })).toThrow(InvalidArgumentError);
      expect(() => backend.decodeAttention({ ...inputs, keys: new Uint16Array(inputs.keys.length) })).toThrow(/keys/);
      expect(() => backend.topK(new Float32Array(4), 1, 4, 5)).toThrow(expect.objectContaining({ argument: 'k' }));
      expect(() => backend.topK(Float32Array.from([0, Number.NaN]), 1, 2, 1)).toThrow(
        expect.objectContaining({ argument: 'scores[1]' }),
      );
      expect(() =>
        backend.droppedMass(inputs, { indices: Int32Array.from(lists.indices, () => shape.tokens), selected: 3 }),
      ).toThrow(/indices\[0\]/);
    });
  },
);
