// The harness must catch real kernel bugs: each planted bug below is a plausible mistake, and at
// least one check must fail on it. A harness that passes everything proves nothing.
import { describe, expect, it } from 'vitest';
import type { KernelBackend } from '../../src/backends/kernelBackend.js';
import { referenceBackend } from '../../src/backends/reference/referenceBackend.js';
import { gamma, softmaxAverageFactor } from '../../src/verify/errorBounds.js';
import { runKernelChecks } from '../../src/verify/harness.js';
import { topKSetViolation } from '../../src/verify/topKComparison.js';
import { compareElements } from '../../src/verify/elementComparison.js';
import { decodeStorage } from '../../src/numeric/storage.js';

const small = { maxTokens: 1024 };

function failingKernels(backend: KernelBackend, dtype: 'fp32' | 'fp16' = 'fp32'): string[] {
  return [
    ...new Set(
      runKernelChecks(backend, dtype, small)
        .filter((r) => !r.pass)
        .map((r) => r.kernel),
    ),
  ];
}

describe('planted bugs are caught', () => {
  it('a correct backend passes', () => {
    expect(failingKernels(referenceBackend)).toEqual([]);
  });

  it('an output off by a relative 1e-4 (e.g. fp16 accumulation) fails the bound', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      decodeAttention: (i) => referenceBackend.decodeAttention(i).map((v) => v * (1 + 1e-4)),
    };
    expect(failingKernels(bug)).toContain('decodeAttention');
  });

  it('sparse attention that drops the last index of each list fails', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      sparseAttention: (inputs, lists) => {
        const indices = lists.indices.slice();
        for (let r = 0; r < indices.length / lists.selected; r++)
          if (lists.selected > 1) indices[(r + 1) * lists.selected - 1] = -1;
        return referenceBackend.sparseAttention(inputs, { indices, selected: lists.selected });
      },
    };
    expect(failingKernels(bug)).toEqual(expect.arrayContaining(['sparseAttention', 'sparse(all)=dense']));
  });

  it('top-k with the tie-break reversed (higher index wins) fails', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      topK: (scores, rows, columns, k) => {
        const flipped = new Float32Array(scores.length);
        for (let r = 0; r < rows; r++)
          for (let i = 0; i < columns; i++) flipped[r * columns + i] = scores[r * columns + columns - 1 - i]!;
        const top = referenceBackend.topK(flipped, rows, columns, k);
        return top.map((i) => columns - 1 - i);
      },
    };
    expect(failingKernels(bug)).toContain('topK');
  });

  it('GQA reading the wrong KV head fails', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      decodeAttention: (inputs) =>
        referenceBackend
          .decodeAttention({ ...inputs, shape: inputs.shape })
          .map((v, i, all) =>
            inputs.shape.kvHeads > 1
              ? all[(i + inputs.shape.valueDim * (inputs.shape.queryHeads / inputs.shape.kvHeads)) % all.length]!
              : v,
          ),
    };
    expect(failingKernels(bug)).toContain('decodeAttention');
  });

  it('an unsound δ̂ (10% too small) fails the soundness check', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      certifiedDroppedMass: (...a) => referenceBackend.certifiedDroppedMass(...a).map((d) => d * 0.9),
    };
    expect(failingKernels(bug).some((k) => k.startsWith('certifiedDroppedMass'))).toBe(true);
  });

  it('page radii that underflow to 0 (the audit regime: huge q, subnormal keys) fail the exact-δ check', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      pageSummaries: (...a) => {
        const summaries = referenceBackend.pageSummaries(...a);
        return { ...summaries, radius: summaries.radius.map(() => 0) };
      },
    };
    const failing = runKernelChecks(bug, 'fp32', small).filter((r) => !r.pass);
    expect(
      failing.some((r) => r.kernel.includes('huge q, subnormal keys') && r.verdicts.soundAgainstExactDelta === false),
    ).toBe(true);
  });

  it('a δ̂ of 0 where the ball term is ∞·0 (zero query, radius beyond float range) fails the exact-δ check', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      certifiedDroppedMass: (inputs, lists, summaries, kind) => {
        const zeroQuery = decodeStorage(inputs.dtype, inputs.query).every((x) => x === 0);
        const nan = kind !== 'minmax' && zeroQuery && summaries.radius.some((r) => r === Infinity);
        return referenceBackend.certifiedDroppedMass(inputs, lists, summaries, kind).map((d) => (nan ? 0 : d));
      },
    };
    const failing = runKernelChecks(bug, 'fp32', small).filter((r) => !r.pass);
    expect(failing.some((r) => r.kernel.includes('zero q, keys at ±max'))).toBe(true);
  });

  it('a dropped mass computed as 1 − kept (cancellation at tiny δ) stays inside the bound only if accurate', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      droppedMass: (i, l) => referenceBackend.droppedMass(i, l).map((d) => Math.fround(d + 1e-5)),
    };
    expect(failingKernels(bug)).toContain('droppedMass');
  });

  it('NaN swallowed (NaN → 0) fails the NaN/Inf pattern check', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      decodeAttention: (i) => referenceBackend.decodeAttention(i).map((v) => (Number.isNaN(v) ? 0 : v)),
    };
    expect(failingKernels(bug)).toContain('decodeAttention(NaN/Inf)');
  });

  it('a head leaking into its neighbour fails head isolation', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      sparseAttention: (inputs, lists) => {
        const out = referenceBackend.sparseAttention(inputs, lists);
        const dv = inputs.shape.valueDim;
        const last = (inputs.shape.queryHeads - 1) * dv; // head isolation changes this head's list
        if (last > 0) out[0] = out[0]! + 1e-3 * out[last]!;
        return out;
      },
    };
    expect(failingKernels(bug)).toContain('headIsolation');
  });
});

describe('error model', () => {
  it('γ_n = nu/(1 − nu) and no bound once nu ≥ 1', () => {
    expect(gamma(10, 2 ** -24)).toBe((10 * 2 ** -24) / (1 - 10 * 2 ** -24));
    expect(gamma(2 ** 24, 2 ** -24)).toBe(Infinity);
  });

  it('the softmax factor grows with logit error, range and length', () => {
    const p = {
      unitRoundoff: 2 ** -24,
      expError: 2 ** -23,
      probabilityRoundoff: 0,
      outputRoundoff: 0,
      sumDepth: (n: number) => n,
    };
    const base = softmaxAverageFactor(p, 100, 1e-6, 10);
    expect(softmaxAverageFactor(p, 100, 1e-5, 10)).toBeGreaterThan(base);
    expect(softmaxAverageFactor(p, 100, 1e-6, 50)).toBeGreaterThan(base);
    expect(softmaxAverageFactor(p, 10000, 1e-6, 10)).toBeGreaterThan(base);
    // First order: 2β + 2u·X + 2·e_exp + 2γ_{n+1} + 2u.
    expect(base).toBeCloseTo(2e-6 + 2 * 2 ** -24 * 10.000002 + 2 * 2 ** -23 + 2 * 101 * 2 ** -24 + 2 * 2 ** -24, 9);
  });

  it('tie-aware top-k: swaps inside the error band are admissible, outside are not', () => {
    const z = [1, 0.999999, 0.5];
    const beta = [1e-6, 1e-6, 1e-6];
    expect(topKSetViolation([1], z, beta)).toBe(0);
    expect(topKSetViolation([2], z, beta)).toBeGreaterThan(0);
  });

  it('verdict (c) compares with twice the naive error', () => {
    const c = compareElements([1.001], [1], [1e-2], 'fp32', [1.0001]);
    expect(c.verdicts.withinNaive).toBe(false);
    expect(compareElements([1.0001], [1], [1], 'fp32', [1.0001]).verdicts.withinNaive).toBe(true);
  });
});

describe('rule (c) catches a lower-precision accumulator inside the bound', () => {
  it('outputs rounded to fp16 (an fp16 P·V accumulator) fail verdict (c)', async () => {
    const { roundToFp16 } = await import('../../src/numeric/halfPrecision.js');
    const bug: KernelBackend = {
      ...referenceBackend,
      decodeAttention: (i) => referenceBackend.decodeAttention(i).map(roundToFp16),
    };
    const decode = runKernelChecks(bug, 'fp32', small).filter(
      (r) => r.kernel === 'decodeAttention' && r.shape.includes('N1000'),
    );
    expect(decode[0]!.verdicts.withinNaive).toBe(false);
  });
});
