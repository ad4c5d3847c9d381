import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { klDivergence, totalVariation } from '../../src/info/index.js';

describe('klDivergence', () => {
  it('matches hand values', () => {
    expect(klDivergence([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 15);
    expect(klDivergence([1, 0], [0.5, 0.5])).toBeCloseTo(Math.LN2, 15);
    expect(klDivergence([0.2, 0.3, 0.5], [0.2, 0.3, 0.5])).toBe(0);
  });
  it('is Infinity when p is not absolutely continuous w.r.t. q', () => {
    expect(klDivergence([0.5, 0.5], [1, 0])).toBe(Infinity);
  });
  it('stays finite when the ratio overflows (subnormal q)', () => {
    const q = [1 - 5e-324, 5e-324];
    const value = klDivergence([0.5, 0.5], q);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeCloseTo(0.5 * Math.log(0.5) + 0.5 * (Math.log(0.5) - Math.log(5e-324)), 10);
  });
  it('rejects mismatched lengths naming q, bad entries naming p', () => {
    expect(() => klDivergence([1], [0.5, 0.5])).toThrow(/^q:/);
    expect(() => klDivergence([0.5, 0.6], [0.5, 0.5])).toThrow(InvalidArgumentError);
  });
});

describe('totalVariation', () => {
  it('is half the L1 distance', () => {
    expect(totalVariation([1, 0], [0, 1])).toBe(1);
    expect(totalVariation([0.5, 0.5, 0], [0.25, 0.25, 0.5])).toBeCloseTo(0.5, 15);
    expect(totalVariation([0.3, 0.7], [0.3, 0.7])).toBe(0);
  });
  it('rejects unequal lengths naming q', () => {
    expect(() => totalVariation([0.5, 0.5], [1])).toThrow(/^q:/);
  });
});
