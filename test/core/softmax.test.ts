import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, logSumExp, softmax } from '../../src/core/index.js';

describe('softmax', () => {
  it('matches hand-computed values', () => {
    const a = softmax([0, Math.log(3)]);
    expect(a[0]).toBeCloseTo(0.25, 15);
    expect(a[1]).toBeCloseTo(0.75, 15);
    expect(logSumExp([0, 0])).toBeCloseTo(Math.LN2, 15);
  });

  it('does not overflow for logits far beyond exp range', () => {
    const a = softmax([1000, 999, -1000]);
    expect(a[0]! + a[1]! + a[2]!).toBeCloseTo(1, 14);
    expect(a[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 14);
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 12);
  });

  it('rejects empty, non-finite and non-numeric input, naming the argument', () => {
    expect(() => softmax([])).toThrow(InvalidArgumentError);
    expect(() => softmax([1, Number.NaN])).toThrow(/logits\[1\]: expected a finite number, received NaN/);
    expect(() => softmax([1, Infinity])).toThrow(/logits\[1\]/);
    expect(() => softmax('abc' as unknown as number[])).toThrow(/logits: expected an array/);
    expect(() => logSumExp([0, Infinity])).toThrow(/^logits\[1\]: expected a finite number, received Infinity$/);
    expect(() => logSumExp([])).toThrow(/^logits: expected a non-empty array, received an empty array$/);
  });
});
