/**
 * The a-priori rounding-error bounds of theory/entropy.md §Rounding and theory/mutual-information.md
 * §Rounding, evaluated at hand-picked points and compared with the formulas as written there
 * (relative 1e-12: the same terms summed in another order), and against measured errors.
 */
import { describe, expect, it } from 'vitest';
import {
  binaryEntropyRoundingError,
  entropy,
  entropyRoundingError,
  mutualInformation,
  mutualInformationRoundingError,
  SECOND_ORDER_SLACK,
  UNIT_ROUNDOFF,
} from '../../src/info/index.js';

const u = 2 ** -53;

function expectFormula(value: number, formula: number): void {
  expect(Math.abs(value - formula)).toBeLessThanOrEqual(1e-12 * formula);
}

describe('constants', () => {
  it('u = 2⁻⁵³ and a second-order cover of 2', () => {
    expect(UNIT_ROUNDOFF).toBe(u);
    expect(SECOND_ORDER_SLACK).toBe(2);
  });
});

describe('entropyRoundingError = 2[η(1 + H) + (N + 2)uH + u]', () => {
  it('uses H = ln N by default', () => {
    expectFormula(entropyRoundingError(4096), 2 * ((4096 + 2) * u * Math.log(4096) + u));
    expectFormula(entropyRoundingError(1), 2 * u);
    expectFormula(entropyRoundingError(0), 2 * u);
  });
  it('takes η and a given H', () => {
    expectFormula(entropyRoundingError(4, 0.1, 1), 2 * (0.1 * 2 + 6 * u + u));
    expectFormula(entropyRoundingError(10, 1e-10), 2 * (1e-10 * (1 + Math.log(10)) + 12 * u * Math.log(10) + u));
  });
  it('covers the error of ln N computed on a uniform vector', () => {
    for (const n of [3, 7, 1000])
      expect(Math.abs(entropy(new Float64Array(n).fill(1 / n)) - Math.log(n))).toBeLessThanOrEqual(
        entropyRoundingError(n, u),
      );
  });
});

describe('binaryEntropyRoundingError = 2[(ln(1/(min(x, 1−x) − dx)) + 1)·dx + 4u·h(x) + u]', () => {
  const h = (x: number) => -x * Math.log(x) - (1 - x) * Math.log1p(-x);
  it('without an input error: evaluation only', () => {
    expectFormula(binaryEntropyRoundingError(0.5), 2 * (4 * u * Math.LN2 + u));
    expectFormula(binaryEntropyRoundingError(0.25, 0), 2 * (4 * u * h(0.25) + u));
    expectFormula(binaryEntropyRoundingError(0), 2 * u);
    expectFormula(binaryEntropyRoundingError(1), 2 * u);
  });
  it('with an input error, the slope at the worse end of x ± dx', () => {
    expectFormula(binaryEntropyRoundingError(0.25, 0.01), 2 * ((Math.log(1 / 0.24) + 1) * 0.01 + 4 * u * h(0.25) + u));
    expectFormula(binaryEntropyRoundingError(0.75, 0.01), 2 * ((Math.log(1 / 0.24) + 1) * 0.01 + 4 * u * h(0.75) + u));
    // An interval reaching 0 takes the slope at the smallest double, where 1/x overflows: no finite bound.
    expect(binaryEntropyRoundingError(0, 0.1)).toBe(Infinity);
    expect(binaryEntropyRoundingError(0.05, 0.1)).toBe(Infinity);
  });
});

describe('mutualInformationRoundingError = 2[(2η + (M + N + 6)u)(2 ln N + 2) + (M + 1)u]', () => {
  it('hand values', () => {
    expectFormula(mutualInformationRoundingError(3, 5), 2 * ((3 + 5 + 6) * u * (2 * Math.log(5) + 2) + 4 * u));
    expectFormula(mutualInformationRoundingError(2, 1, 1e-9), 2 * ((2e-9 + 9 * u) * 2 + 3 * u));
    expectFormula(mutualInformationRoundingError(1, 0), 2 * (7 * u * 2 + 2 * u));
  });
  it('covers the error of ln M on a noiseless channel', () => {
    for (const m of [2, 5, 64]) {
      const rows = Array.from({ length: m }, (_, x) => Array.from({ length: m }, (_, j) => (j === x ? 1 : 0)));
      expect(Math.abs(mutualInformation(new Array(m).fill(1 / m), rows) - Math.log(m))).toBeLessThanOrEqual(
        mutualInformationRoundingError(m, m, u),
      );
    }
  });
});
