/**
 * The tensor-core decode's bound against a float64 emulation of the arithmetic it assumes
 * (test/verify/tensorCoreEmulator.ts; theory/kernel-error.md, "Tensor-core dense decode"): the
 * emulated outputs pass the tensor-core bound on random shapes and inputs (fp16: P rounded once;
 * bf16: P̃ = hi + lo), and fail the bounds that do not charge what the arithmetic does: the ordered
 * kernels' bound (no rounding of P) and, for bf16 with P rounded once (the previous kernel), the
 * split's bound. On the three check-kernels inputs where the H100 run found bf16 more than twice the
 * naive fp32 implementation's error, the emulation reproduces that with one rounding and passes
 * with the split.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cudaPrecision } from '../../src/backends/cudaBackend.js';
import type { AttentionShape, KernelBackend } from '../../src/backends/kernelBackend.js';
import { referenceBackend } from '../../src/backends/reference/referenceBackend.js';
import type { StorageDtype } from '../../src/numeric/storage.js';
import { checkDecode, checkSparseAllEqualsDense } from '../../src/verify/kernelChecks.js';
import { allIndexLists, randomAttentionInputs } from '../../src/verify/randomInputs.js';
import { splitsWeights, tensorCoreDecodePrecision } from '../../src/verify/tensorCorePrecision.js';
import { emulatedTensorCoreDecode } from './tensorCoreEmulator.js';

const ordered = cudaPrecision(128);

interface EmulatedBackend {
  /** P̃ = hi + lo (else one rounding of P). */
  readonly split: boolean;
  /** Which bound the backend declares: the tensor-core model for `dtype`, or none (the ordered kernels'). */
  readonly declared: StorageDtype | null;
}

const emulated = ({ split, declared }: EmulatedBackend): KernelBackend => ({
  ...referenceBackend,
  name: 'tensor-core emulation',
  decodeAttention: (x) => emulatedTensorCoreDecode(x, split),
  ...(declared === null ? {} : { decodePrecision: () => tensorCoreDecodePrecision(ordered, declared) }),
  precision: ordered,
});
/** The kernel as built: split exactly where splitsWeights says, with its own bound. */
const kernel = (dtype: StorageDtype) => emulated({ split: splitsWeights(dtype), declared: dtype });

const shapes: readonly AttentionShape[] = [
  { batch: 1, queryHeads: 8, kvHeads: 1, tokens: 300, headDim: 64, valueDim: 64 },
  { batch: 1, queryHeads: 2, kvHeads: 1, tokens: 1000, headDim: 128, valueDim: 128 },
];

describe('tensor-core decode bound against an emulation of its arithmetic', () => {
  it('splits P for bf16 only', () => {
    expect(splitsWeights('bf16')).toBe(true);
    expect(splitsWeights('fp16')).toBe(false);
    expect(splitsWeights('fp32')).toBe(false);
  });

  it.each(['fp16', 'bf16'] as const)('%s: inside the tensor-core bound on every element', (dtype) => {
    for (const [n, shape] of shapes.entries()) {
      const result = checkDecode(kernel(dtype), randomAttentionInputs(dtype, shape, 11 + n));
      expect(result.verdicts.withinBound, `${dtype} ${result.shape}: error/bound ${result.ratio}`).toBe(true);
      expect(result.ratio).toBeGreaterThan(0);
    }
  });

  it('is a bound on random shapes, groups, lengths across chunk edges and query scales (property)', () => {
    const shape = fc.record({
      kvHeads: fc.integer({ min: 1, max: 2 }),
      group: fc.integer({ min: 1, max: 4 }),
      tokens: fc.integer({ min: 1, max: 400 }),
      headDim: fc.constantFrom(16, 32, 64),
    });
    fc.assert(
      fc.property(
        shape,
        fc.constantFrom<StorageDtype>('fp16', 'bf16'),
        fc.integer({ min: 0, max: 1 << 20 }),
        fc.constantFrom(1, 4, 16),
        (s, dtype, seed, queryScale) => {
          const attention: AttentionShape = {
            batch: 1,
            queryHeads: s.kvHeads * s.group,
            kvHeads: s.kvHeads,
            tokens: s.tokens,
            headDim: s.headDim,
            valueDim: s.headDim,
          };
          const result = checkDecode(kernel(dtype), randomAttentionInputs(dtype, attention, seed, { queryScale }));
          expect(result.verdicts.withinBound, `${dtype} ${result.shape} seed ${seed}: ${result.ratio}`).toBe(true);
        },
      ),
      { numRuns: 24 },
    );
  });

  it('sparse over every token vs the tensor-core dense output: within both bounds, not bit for bit', () => {
    const inputs = randomAttentionInputs('fp16', shapes[0]!, 11);
    const all = allIndexLists(shapes[0]!);
    const result = checkSparseAllEqualsDense(kernel('fp16'), inputs, all);
    expect(result.kernel).toBe('sparse(all)≈dense');
    expect(result.pass).toBe(true);
    // A dense output shifted by 1% of the largest |v| is outside the two bounds.
    const shifted: KernelBackend = {
      ...kernel('fp16'),
      decodeAttention: (x) => emulatedTensorCoreDecode(x, false).map((v) => v + 0.01),
    };
    expect(checkSparseAllEqualsDense(shifted, inputs, all).pass).toBe(false);
  });

  it("bf16, P rounded once: outside the ordered kernels' bound and outside the split's bound", () => {
    const inputs = randomAttentionInputs('bf16', shapes[0]!, 11);
    expect(checkDecode(emulated({ split: false, declared: null }), inputs).verdicts.withinBound).toBe(false);
    expect(checkDecode(emulated({ split: false, declared: 'bf16' }), inputs).verdicts.withinBound).toBe(false);
    expect(checkDecode(emulated({ split: true, declared: 'bf16' }), inputs).verdicts.withinBound).toBe(true);
  });

  // check-kernels' inputs (seed 1 + 101·n for the n-th shape of src/verify/harness.ts at the
  // default N = 2^20) of two of the three bf16 shapes the H100 run failed on the naive comparison.
  it.each([
    { shape: { batch: 2, queryHeads: 8, kvHeads: 2, tokens: 1000, headDim: 64, valueDim: 64 }, seed: 1 + 101 * 3 },
    { shape: { batch: 1, queryHeads: 7, kvHeads: 1, tokens: 3000, headDim: 96, valueDim: 96 }, seed: 1 + 101 * 7 },
  ])('bf16 $shape.tokens×$shape.headDim: over twice the naive error with P rounded once, within it split', (c) => {
    const inputs = randomAttentionInputs('bf16', c.shape, c.seed);
    const once = checkDecode(emulated({ split: false, declared: 'bf16' }), inputs);
    const split = checkDecode(kernel('bf16'), inputs);
    expect(once.verdicts.withinNaive).toBe(false);
    expect(split.verdicts.withinNaive).toBe(true);
    expect(split.verdicts.withinBound).toBe(true);
  });
});
