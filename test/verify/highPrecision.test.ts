import { describe, expect, it, vi } from 'vitest';
import { doubleToRational } from '../../src/proofs/rational.js';
import {
  big,
  doubleToBig,
  droppedMassHighPrecision,
  entropyHighPrecision,
  exactLogits,
  ORACLE_DIGITS,
  rationalToBig,
  shiftedExponentials,
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

describe('the oracle at hand points', () => {
  const r = (num: bigint, den = 1n) => ({ num, den });

  it('exactLogits: scale·Σ q_c K_ic as exact rationals (no rounding), any sign of the scale', () => {
    const z = exactLogits(
      [0.1, -3],
      [
        [1, 2],
        [0.5, 0],
      ],
      -0.25,
    );
    const q = doubleToRational(0.1);
    // 0.1 as a double is q.num/q.den; z_0 = −¼·(0.1 − 6), z_1 = −¼·(0.05).
    expect(rationalToBig(z[0]!).toString()).toBe(
      rationalToBig({ num: -(q.num - 6n * q.den), den: 4n * q.den }).toString(),
    );
    expect(rationalToBig(z[1]!).toString()).toBe(rationalToBig({ num: -q.num, den: 8n * q.den }).toString());
    expect(exactLogits([1], [], 1)).toEqual([]);
  });

  it('rationalToBig and doubleToBig to 60 digits; big() from a number or a decimal string', () => {
    expect(rationalToBig(r(1n, 3n)).toString()).toBe('0.' + '3'.repeat(60));
    expect(rationalToBig(r(-2n, 3n)).toString()).toBe('-0.' + '6'.repeat(59) + '7');
    expect(doubleToBig(0.1).toString()).toBe('0.1000000000000000055511151231257827021181583404541015625');
    expect(big(2 ** -3).toString()).toBe('0.125');
    expect(big('1e-70').toString()).toBe('1e-70');
    expect(ORACLE_DIGITS).toBe(60);
  });

  it('shiftedExponentials: e^{z − max z} with the largest logit wherever it is', () => {
    const w = shiftedExponentials(exact([-5, 3, 1, 3]));
    expect(w.map((x) => x.toPrecision(30))).toEqual([-8, 0, -2, 0].map((d) => big(d).exp().toPrecision(30)));
    const negative = shiftedExponentials(exact([-7, -9]));
    expect(negative[0]!.toString()).toBe('1');
    expect(negative[1]!.toPrecision(30)).toBe(big(-2).exp().toPrecision(30));
  });

  it('softmax, dropped mass and entropy of small rows', () => {
    const p = softmaxHighPrecision(exact([0, 0, 0, 0]));
    expect(p.map((x) => x.toString())).toEqual(['0.25', '0.25', '0.25', '0.25']);
    const z = exact([1, 0, -1]);
    const e = [big(1).exp(), big(0).exp(), big(-1).exp()];
    const total = e[0]!.plus(e[1]!).plus(e[2]!);
    expect(droppedMassHighPrecision(z, [0]).toPrecision(50)).toBe(e[1]!.plus(e[2]!).div(total).toPrecision(50));
    expect(droppedMassHighPrecision(z, [2, 1]).toPrecision(50)).toBe(e[0]!.div(total).toPrecision(50));
    expect(droppedMassHighPrecision(z, [0, 1, 2]).isZero()).toBe(true);
    expect(droppedMassHighPrecision(z, []).toString()).toBe('1');
    // ln 4 for four equal logits; a weight of exactly 0 (e^{−10³⁰⁰} is below the decimal range) adds 0·ln 0 = 0.
    expect(entropyHighPrecision(exact([0, 0, 0, 0])).toPrecision(40)).toBe(big(4).ln().toPrecision(40));
    expect(entropyHighPrecision(exact([0])).isZero()).toBe(true);
    expect(softmaxHighPrecision(exact([0, -1e300]))[1]!.isZero()).toBe(true);
    expect(entropyHighPrecision(exact([0, -1e300])).isZero()).toBe(true);
    const h = entropyHighPrecision(z);
    const expected = e.map((x) => x.div(total)).reduce((acc, x) => acc.minus(x.times(x.ln())), big(0));
    expect(h.toPrecision(50)).toBe(expected.toPrecision(50));
  });
});

describe('mathjs, loaded on first use', () => {
  it('builds one 60-digit instance, from the module handed to provideMathjs when there is one', async () => {
    // A fresh copy of the module: the one imported above has built its instance already.
    vi.resetModules();
    const fresh = await import('../../src/verify/highPrecision.js');
    const mathjs = await import('mathjs');
    let created = 0;
    fresh.provideMathjs({
      bignumberDependencies: mathjs.bignumberDependencies,
      create: (...args: Parameters<typeof mathjs.create>) => {
        created++;
        return mathjs.create(...args);
      },
    });
    expect(created).toBe(0);
    expect(fresh.rationalToBig({ num: 1n, den: 3n }).toString()).toBe('0.' + '3'.repeat(60));
    const one = fresh.big(1);
    const half = fresh.big('0.5');
    expect(fresh.doubleToBig(2).toString()).toBe('2');
    expect(created).toBe(1);
    expect(half.constructor).toBe(one.constructor);
  });

  it("big() of a number is the double's exact value, not its shortest decimal", () => {
    expect(big(0.1).toString()).toBe('0.1000000000000000055511151231257827021181583404541015625');
    expect(big(0.1).toString()).toBe(doubleToBig(0.1).toString());
    expect(big('0.1').toString()).toBe('0.1');
  });
});
