import { describe, expect, it } from 'vitest';
import { doubleToRational } from '../../src/proofs/rational.js';
import {
  big,
  droppedMassHighPrecision,
  entropyHighPrecision,
  exactLogits,
  softmaxHighPrecision,
} from '../../src/verify/highPrecision.js';

const exact = (z: number[]) => z.map(doubleToRational);

describe('the oracle itself', () => {
  it('matches known 40-digit values', () => {
    // softmax of (0, ln 2 as a double) and δ of e^−160 against independent decimal references
    expect(droppedMassHighPrecision(exact([0, -160]), [0]).toPrecision(40)).toBe(
      big(-160).exp().div(big(-160).exp().plus(1)).toPrecision(40),
    );
    expect(big(1).exp().toPrecision(40)).toBe('2.718281828459045235360287471352662497757');
    expect(entropyHighPrecision(exact([0, 0])).toPrecision(40)).toBe('0.6931471805599453094172321214581765680755');
  });

  it('keeps huge logits exact: 10³⁰⁰ + 1 against 10³⁰⁰ is a softmax of (e/(1 + e), 1/(1 + e))', () => {
    const logits = exactLogits([1e300], [[1], [1]], 1);
    logits[0] = { num: logits[0]!.num + logits[0]!.den, den: logits[0]!.den };
    const p = softmaxHighPrecision(logits);
    expect(p[0]!.toPrecision(30)).toBe(big(1).exp().div(big(1).exp().plus(1)).toPrecision(30));
  });
});
