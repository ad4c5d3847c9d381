import { describe, expect, it } from 'vitest';
import { DomainError, InvalidArgumentError } from '../../../src/core/errors.js';
import * as info from '../../../src/info/index.js';

const h = (x: number) => info.binaryEntropy(x);

/** Expects a DomainError (or, for non-numbers, an InvalidArgumentError) whose message starts with the argument. */
function rejects(call: () => unknown, argument: string, kind: typeof InvalidArgumentError = DomainError): void {
  expect(call).toThrow(kind);
  expect(call).toThrow(new RegExp(`^${argument.replace(/[()[\]]/g, '\\$&')}`));
}

describe('truncation and output error', () => {
  it('klSparseToDense = −ln(1−δ), accurate for tiny δ', () => {
    expect(info.klSparseToDense(0)).toBe(0);
    expect(info.klSparseToDense(0.5)).toBeCloseTo(Math.LN2, 15);
    expect(info.klSparseToDense(1e-300)).toBe(1e-300);
    rejects(() => info.klSparseToDense(1), 'delta');
    rejects(() => info.klSparseToDense(-0.1), 'delta');
    rejects(() => info.klSparseToDense(NaN), 'delta', InvalidArgumentError);
  });
  it('output-error bounds', () => {
    expect(info.outputErrorBoundDiameter(0.25, 4)).toBe(1);
    expect(info.outputErrorBoundMaxNorm(0.25, 4)).toBe(2);
    rejects(() => info.outputErrorBoundDiameter(1.5, 1), 'delta');
    rejects(() => info.outputErrorBoundDiameter(0.5, -1), 'diameter');
    rejects(() => info.outputErrorBoundMaxNorm(0.5, Infinity), 'maxValueNorm');
  });
  it('oracleUniformBound = 1 − k/N', () => {
    expect(info.oracleUniformBound(0, 4)).toBe(1);
    expect(info.oracleUniformBound(1, 4)).toBe(0.75);
    expect(info.oracleUniformBound(4, 4)).toBe(0);
    rejects(() => info.oracleUniformBound(5, 4), 'k');
    rejects(() => info.oracleUniformBound(1, 0), 'n');
    rejects(() => info.oracleUniformBound(1.5, 4), 'k', InvalidArgumentError);
  });
});

describe('entropy grouping and Fannes–Audenaert', () => {
  it('grouping bounds: hand values and the k = N case', () => {
    expect(info.entropyGroupingLowerBound(0.5, 4)).toBeCloseTo(Math.LN2 - 0.5 * Math.log(4), 15);
    expect(info.entropyGroupingUpperBound(0.5, 10, 6)).toBeCloseTo(Math.LN2 + 0.5 * Math.log(4), 15);
    expect(info.entropyGroupingUpperBound(0, 5, 5)).toBe(0);
    expect(info.entropyGroupingLowerBound(0, 1)).toBe(0);
    rejects(() => info.entropyGroupingUpperBound(0.1, 5, 5), 'delta');
    rejects(() => info.entropyGroupingUpperBound(0.1, 5, 0), 'k');
    rejects(() => info.entropyGroupingLowerBound(0.1, 0), 'k');
    rejects(() => info.entropyGroupingLowerBound(2, 1), 'delta');
  });
  it('Fannes–Audenaert: values and domain [0, 1 − 1/N]', () => {
    expect(info.fannesAudenaertBound(0.5, 2)).toBe(Math.LN2);
    expect(info.fannesAudenaertBound(0.25, 5)).toBeCloseTo(0.25 * Math.log(4) + h(0.25), 15);
    expect(info.fannesAudenaertBound(0, 1)).toBe(0);
    expect(info.fannesAudenaertBound(0.75, 4)).toBeCloseTo(Math.log(4), 15); // maximum ln N at 1 − 1/N
    rejects(() => info.fannesAudenaertBound(0.76, 4), 't');
    rejects(() => info.fannesAudenaertBound(0.1, 1), 't');
    rejects(() => info.fannesAudenaertBound(0.1, 2.5), 'n', InvalidArgumentError);
    rejects(() => info.fannesAudenaertBound(0.1, 0), 'n');
  });
  it('t ↦ t ln M + h(t) increases up to M/(M+1) and decreases after it', () => {
    for (const n of [2, 3, 10, 1000]) {
      const peak = (n - 1) / n;
      expect(info.fannesAudenaertBound(peak * 0.99, n)).toBeLessThan(info.fannesAudenaertBound(peak, n));
      const beyond = peak + (1 - peak) / 2;
      expect(beyond * Math.log(n - 1) + h(beyond)).toBeLessThan(info.fannesAudenaertBound(peak, n));
    }
  });
});

describe('MI-loss bounds', () => {
  it('miLossBound = 2·FA(δ̄) with its domain', () => {
    expect(info.miLossBound(0.5, 2)).toBe(2 * Math.LN2);
    expect(info.miLossBound(0, 1)).toBe(0);
    rejects(() => info.miLossBound(0.9, 4), 'deltaBar');
    rejects(() => info.miLossBound(0.1, -3), 'n');
  });
  it('sharp bounds: data-dependent and δ̄-only forms', () => {
    const pi = [0.5, 0.5];
    const sharp = info.miLossSharpBounds({ pi, deltas: [0.2, 0], keptSizes: [3, 8], n: 8 });
    const fa = info.fannesAudenaertBound(0.1, 8);
    expect(sharp.upper).toBeCloseTo(fa - 0.5 * (h(0.2) - 0.2 * Math.log(3)), 15);
    expect(sharp.lower).toBeCloseTo(-fa - 0.5 * (h(0.2) + 0.2 * Math.log(5)), 15);
    const mean = info.miLossSharpBoundsFromMean({ deltaBar: 0.1, n: 8, minKept: 3, maxKept: 3 });
    expect(mean.upper).toBeCloseTo(fa + 0.1 * Math.log(3), 15);
    expect(mean.lower).toBeCloseTo(-fa - h(0.1) - 0.1 * Math.log(5), 15);
    expect(mean.upper).toBeGreaterThanOrEqual(sharp.upper);
    expect(mean.lower).toBeLessThanOrEqual(sharp.lower);
    rejects(() => info.miLossSharpBounds({ pi, deltas: [0.2, 0.1], keptSizes: [3, 8], n: 8 }), 'deltas[1]');
    rejects(
      () => info.miLossSharpBounds({ pi, deltas: [0.2], keptSizes: [3, 8], n: 8 }),
      'deltas',
      InvalidArgumentError,
    );
    rejects(() => info.miLossSharpBounds({ pi, deltas: [0.2, 0], keptSizes: [0, 8], n: 8 }), 'keptSizes[0]');
    rejects(() => info.miLossSharpBounds({ pi, deltas: [0.99, 0.99], keptSizes: [1, 1], n: 8 }), 'deltaBar');
    rejects(() => info.miLossSharpBoundsFromMean({ deltaBar: 0.1, n: 8, minKept: 4, maxKept: 3 }), 'maxKept');
    rejects(() => info.miLossSharpBoundsFromMean({ deltaBar: 0.1, n: 8, minKept: 8, maxKept: 8 }), 'minKept');
  });
  it('union bounds: h(δ̄) + δ̄ ln(min counts), every δ̄ ∈ [0, 1]', () => {
    const b = info.miLossUnionBounds({
      deltaBar: 0.9,
      n: 16,
      droppedUnionSize: 5,
      keptUnionSize: 3,
      lossyQueryCount: 4,
    });
    expect(b.upper).toBeCloseTo(h(0.9) + 0.9 * Math.log(4), 15);
    expect(b.lower).toBeCloseTo(-(h(0.9) + 0.9 * Math.log(3)), 15);
    expect(info.miLossUnionBounds({ deltaBar: 0.5, n: 16 }).upper).toBeCloseTo(Math.LN2 + 0.5 * Math.log(16), 15);
    expect(
      info.miLossUnionBounds({ deltaBar: 0, n: 3, droppedUnionSize: 0, keptUnionSize: 0, lossyQueryCount: 0 }),
    ).toEqual({ lower: -0, upper: 0 });
    rejects(() => info.miLossUnionBounds({ deltaBar: 0.5, n: 16, droppedUnionSize: 0 }), 'droppedUnionSize');
    rejects(() => info.miLossUnionBounds({ deltaBar: 0.5, n: 16, keptUnionSize: 17 }), 'keptUnionSize');
    rejects(() => info.miLossUnionBounds({ deltaBar: 1.5, n: 16 }), 'deltaBar');
  });
  it('miPaperCandidate = h(δ̄) + δ̄ ln(N−k)', () => {
    expect(info.miPaperCandidate(0.5, 6, 5)).toBe(Math.LN2);
    expect(info.miPaperCandidate(0.5, 6, 2)).toBeCloseTo(Math.LN2 + 0.5 * Math.log(4), 15);
    expect(info.miPaperCandidate(0, 6, 6)).toBe(0);
    rejects(() => info.miPaperCandidate(0.5, 6, 6), 'deltaBar');
    rejects(() => info.miPaperCandidate(0.5, 6, 0), 'k');
  });
});

describe('softmax sensitivity', () => {
  it('linear r/2 and tanh 2·tanh(r/4), with 2·tanh(r/4) ≤ r/2', () => {
    expect(info.softmaxSensitivityLinear(3)).toBe(1.5);
    expect(info.softmaxSensitivityTanh(0)).toBe(0);
    expect(info.softmaxSensitivityTanh(4)).toBeCloseTo(2 * Math.tanh(1), 15);
    expect(info.softmaxSensitivityTanh(Infinity)).toBe(2);
    for (const r of [1e-9, 0.1, 1, 10, 100])
      expect(info.softmaxSensitivityTanh(r)).toBeLessThanOrEqual(info.softmaxSensitivityLinear(r));
    rejects(() => info.softmaxSensitivityLinear(-1), 'range');
    rejects(() => info.softmaxSensitivityTanh(NaN), 'range', InvalidArgumentError);
  });
});

describe('δ̄-only MI-loss interval with different smallest and largest kept sets (deterministic)', () => {
  it('the lower end uses ln(N − k_min), the upper end ln k_max', () => {
    const deltaBar = 0.3;
    const n = 8;
    const h = -(deltaBar * Math.log(deltaBar) + (1 - deltaBar) * Math.log(1 - deltaBar));
    const fa = deltaBar * Math.log(n - 1) + h;
    const { lower, upper } = info.miLossSharpBoundsFromMean({ deltaBar, n, minKept: 2, maxKept: 5 });
    expect(upper).toBeCloseTo(fa + deltaBar * Math.log(5), 14);
    expect(lower).toBeCloseTo(-fa - h - deltaBar * Math.log(n - 2), 14);
  });
});
