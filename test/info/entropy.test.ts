import { describe, expect, it } from 'vitest';
import { test as propertyTest, fc } from '@fast-check/vitest';
import { DomainError, InvalidArgumentError } from '../../src/core/errors.js';
import { binaryEntropy, entropy, entropyRoundingError } from '../../src/info/index.js';

describe('entropy', () => {
  it('is ln N on the uniform distribution and 0 on a point mass', () => {
    for (const n of [1, 2, 3, 10, 4096]) {
      const error = Math.abs(entropy(new Float64Array(n).fill(1 / n)) - Math.log(n));
      expect(error).toBeLessThanOrEqual(entropyRoundingError(n, 2 ** -53)); // 1/n rounds once
    }
    expect(entropy([0, 1, 0])).toBe(0);
  });
  it('uses 0·ln 0 = 0 and matches a hand value', () => {
    expect(entropy([0.5, 0.25, 0.25, 0])).toBeCloseTo(1.5 * Math.LN2, 15);
  });
  it('rejects non-probability vectors, naming p', () => {
    expect(() => entropy([0.5, 0.6])).toThrow(InvalidArgumentError);
    expect(() => entropy([1.5, -0.5])).toThrow(/p\[1\]/);
    expect(() => entropy([])).toThrow(/^p:/);
    expect(() => entropy([NaN, 1])).toThrow(/p\[0\]/);
  });
});

describe('binaryEntropy', () => {
  it('has h(1/2) = ln 2, h(0) = h(1) = 0 and symmetry', () => {
    expect(binaryEntropy(0.5)).toBe(Math.LN2);
    expect(binaryEntropy(0)).toBe(0);
    expect(binaryEntropy(1)).toBe(0);
    expect(binaryEntropy(0.3)).toBeCloseTo(binaryEntropy(0.7), 15);
    expect(binaryEntropy(0.25)).toBeCloseTo(-0.25 * Math.log(0.25) - 0.75 * Math.log(0.75), 15);
  });
  it('keeps relative accuracy near 0 and 1 (log1p)', () => {
    const x = 1e-300;
    // h(x) = x(ln(1/x) + 1) + O(x²) for tiny x.
    expect(binaryEntropy(x) / (x * (-Math.log(x) + 1))).toBeCloseTo(1, 14);
    const y = 2 ** -60;
    expect(binaryEntropy(1 - 2 ** -53) / (2 ** -53 * (53 * Math.LN2 + 1))).toBeCloseTo(1, 12);
    expect(binaryEntropy(y) / (y * (60 * Math.LN2 + 1))).toBeCloseTo(1, 14);
  });
  it('rejects x outside [0, 1] with a DomainError naming x', () => {
    for (const bad of [-1e-300, 1 + 2 ** -52, Infinity, -Infinity]) {
      expect(() => binaryEntropy(bad)).toThrow(DomainError);
      expect(() => binaryEntropy(bad)).toThrow(/^x:/);
    }
    expect(() => binaryEntropy(NaN)).toThrow(InvalidArgumentError);
    expect(() => binaryEntropy('0.5' as unknown as number)).toThrow(/^x:/);
  });
  propertyTest.prop([fc.double({ min: 0, max: 1, noNaN: true })])('lies in [0, ln 2]', (x) => {
    const h = binaryEntropy(x);
    expect(h).toBeGreaterThanOrEqual(0);
    expect(h).toBeLessThanOrEqual(Math.LN2);
  });
});
