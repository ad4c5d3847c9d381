import { describe, expect, it } from 'vitest';
import {
  CHECK_FIELDS,
  certifiedDeltaFloor,
  engineGapBound,
  exactGapBound,
  gamma,
  interpretCheckedStep,
} from '../../../src/model/engines/cudaCheck.js';

describe('check-mode bounds', () => {
  it('γ_n is n·u/(1 − n·u) and infinite once n·u reaches 1', () => {
    expect(gamma(10, 2 ** -24)).toBe((10 * 2 ** -24) / (1 - 10 * 2 ** -24));
    expect(gamma(2 ** 24, 2 ** -24)).toBe(Infinity);
  });

  it('the engine bound is 2δ·max‖v‖ widened by e^{2η} and the rounding slack, so it is never below the exact bound', () => {
    const input = {
      delta: 0.01,
      maxValueNorm: 3,
      logitMagnitude: 40,
      length: 1000,
      headDim: 64,
      dtype: 'fp16' as const,
    };
    const bound = engineGapBound(input);
    const eta = gamma(65, 2 ** -24) * 40;
    const slack = 2 * (2 * gamma(2008, 2 ** -24) + 2 ** -11) * 3;
    expect(bound).toBeCloseTo(2 * 0.01 * Math.exp(2 * eta) * 3 + slack, 15);
    expect(bound).toBeGreaterThan(2 * 0.01 * 3);
    expect(engineGapBound({ ...input, dtype: 'bf16' })).toBeGreaterThan(bound);
    expect(engineGapBound({ ...input, delta: 0 })).toBeCloseTo(slack, 15);
    expect(exactGapBound(0.01, 3, 1000, 64)).toBeGreaterThan(0.06);
    expect(exactGapBound(0.01, 3, 1000, 64)).toBeLessThan(0.06 + 1e-11);
  });
});

describe('certifiedDeltaFloor', () => {
  const u = 2 ** -53;
  it('divides the recorded δ by the float64 factor of theory/model.md and subtracts the subnormal term', () => {
    const input = { delta: 0.25, logitMagnitude: 30, length: 4096, headDim: 128 };
    const eta = gamma(130, u) * 30;
    const spread = (60 * (1 + gamma(129, u))) / (1 - gamma(129, u));
    const kappa = (1 + 2 ** -52) * Math.exp(u * spread);
    const sums = gamma(4096 + 256, u);
    const factor = (((1 + u) * (1 + sums)) / (1 - sums)) * kappa ** 2 * Math.exp(2 * eta) * (1 + 16 * u);
    expect(certifiedDeltaFloor(input)).toBe(0.25 / factor - 4096 * 2 ** -1074);
    // The factor is a few float64 units per logit of magnitude and per summed term, far below 1e-9 here.
    expect(certifiedDeltaFloor(input)).toBeLessThan(0.25);
    expect(certifiedDeltaFloor(input)).toBeGreaterThan(0.25 * (1 - 1e-9));
  });

  it('grows the slack with the logit magnitude and the length, and is at most 0 when δ is 0', () => {
    const base = { delta: 0.5, logitMagnitude: 10, length: 100, headDim: 64 };
    expect(certifiedDeltaFloor({ ...base, logitMagnitude: 1e6 })).toBeLessThan(certifiedDeltaFloor(base));
    expect(certifiedDeltaFloor({ ...base, length: 1e7 })).toBeLessThan(certifiedDeltaFloor(base));
    expect(certifiedDeltaFloor({ ...base, delta: 0 })).toBeLessThanOrEqual(0);
  });
});

describe('interpretCheckedStep', () => {
  it('names the fields of every (layer, sequence, query head) record in order, with the KV head of the group', () => {
    const shape = { layers: 2, batch: 1, queryHeads: 4, kvHeads: 2, headDim: 16, dtype: 'fp16' as const };
    const records = new Float64Array(2 * 4 * CHECK_FIELDS);
    for (let i = 0; i < 8; i++)
      records.set([0.1 * i, 2, 0.01, 0.02, 1e-4, 2e-4, 5, 10, 0.05 * i + 0.5], i * CHECK_FIELDS);
    const kept = Int32Array.from({ length: 2 * 2 * 3 }, (_, i) => i);
    const keptCount = Int32Array.from([3, 1, 2, 0]);
    const step = interpretCheckedStep(
      { position: 9, logitsMaxAbsChange: 0.5, records, fields: CHECK_FIELDS, kept, keptCount },
      shape,
    );
    expect(step.keptLists.map((l) => Array.from(l))).toEqual([[0, 1, 2], [3], [6, 7], []]);
    expect(step.position).toBe(9);
    expect(step.heads).toHaveLength(8);
    const h = step.heads[6]!;
    expect([h.layer, h.sequence, h.queryHead, h.kvHead]).toEqual([1, 0, 2, 1]);
    expect(h.delta).toBeCloseTo(0.6, 15);
    expect(h.bound).toBeCloseTo(2 * 0.6 * 2, 15);
    expect([h.exactGap, h.outputGap, h.denseError, h.sparseError, h.kept, h.logitMagnitude]).toEqual([
      0.01, 0.02, 1e-4, 2e-4, 5, 10,
    ]);
    expect(h.certifiedDelta).toBeCloseTo(0.8, 15);
    expect(h.engineBound).toBe(
      engineGapBound({ delta: h.delta, maxValueNorm: 2, logitMagnitude: 10, length: 10, headDim: 16, dtype: 'fp16' }),
    );
  });

  it('refuses records of another build (a different field count)', () => {
    const shape = { layers: 1, batch: 1, queryHeads: 1, kvHeads: 1, headDim: 16, dtype: 'fp16' as const };
    expect(() =>
      interpretCheckedStep(
        {
          position: 0,
          logitsMaxAbsChange: 0,
          records: new Float64Array(8),
          fields: 8,
          kept: new Int32Array(0),
          keptCount: new Int32Array(0),
        },
        shape,
      ),
    ).toThrow(/rebuild the CUDA addon/);
  });
});
