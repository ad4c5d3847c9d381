/**
 * Exact rationals (part of the checker's trusted base): normal form, arithmetic, decimal literals
 * and doubles as exact fractions, literal enclosures, and polynomial degree and evaluation, all on
 * hand values.
 */
import { describe, expect, it } from 'vitest';
import { parseExpression } from '../../src/proofs/expression.js';
import { nextDown, nextUp } from '../../src/proofs/interval.js';
import {
  addRational,
  doubleToRational,
  equalRational,
  evaluatePolynomial,
  literalInterval,
  multiplyRational,
  parseDecimal,
  polynomialDegree,
  rational,
  subtractRational,
  ZERO,
} from '../../src/proofs/rational.js';

const r = (num: number | bigint, den: number | bigint = 1) => ({ num: BigInt(num), den: BigInt(den) });

describe('rationals', () => {
  it('are kept in lowest terms with a positive denominator', () => {
    expect(rational(6n, 4n)).toEqual(r(3, 2));
    expect(rational(6n, -4n)).toEqual(r(-3, 2));
    expect(rational(-6n, -4n)).toEqual(r(3, 2));
    expect(rational(0n, -5n)).toEqual(r(0, 1));
    expect(rational(7n)).toEqual(r(7, 1));
    expect(ZERO).toEqual(r(0, 1));
    expect(() => rational(1n, 0n)).toThrow('rational with a zero denominator');
  });

  it('add, subtract and multiply exactly', () => {
    expect(addRational(r(1, 3), r(1, 6))).toEqual(r(1, 2));
    expect(subtractRational(r(1, 3), r(1, 2))).toEqual(r(-1, 6));
    expect(multiplyRational(r(-2, 3), r(9, 4))).toEqual(r(-3, 2));
    expect(equalRational(r(1, 2), rational(2n, 4n))).toBe(true);
    expect(equalRational(r(1, 2), r(1, 3))).toBe(false);
    expect(equalRational(r(1, 2), r(-1, 2))).toBe(false);
  });

  it('decimal literals are parsed exactly', () => {
    expect(parseDecimal('12')).toEqual(r(12));
    expect(parseDecimal('0.50')).toEqual(r(1, 2));
    expect(parseDecimal('3e-2')).toEqual(r(3, 100));
    expect(parseDecimal('1.25E+2')).toEqual(r(125));
    expect(parseDecimal('7e2')).toEqual(r(700));
    expect(parseDecimal('0.1e1')).toEqual(r(1));
    expect(parseDecimal('1e-400')).toEqual(rational(1n, 10n ** 400n));
    for (const bad of ['-1', '1.', '.5', 'e3', '1e', '0x10', ''])
      expect(() => parseDecimal(bad), bad).toThrow(`not a decimal literal: "${bad}"`);
    expect(() => parseDecimal('1e401')).toThrow('decimal exponent out of range in "1e401"');
    expect(() => parseDecimal('0.5e-400')).toThrow('decimal exponent out of range in "0.5e-400"');
  });

  it('doubles are converted exactly, subnormals and the largest included', () => {
    expect(doubleToRational(0.1)).toEqual(r(3602879701896397n, 36028797018963968n));
    expect(doubleToRational(-2.5)).toEqual(r(-5, 2));
    expect(doubleToRational(3)).toEqual(r(3));
    expect(doubleToRational(0)).toEqual(r(0));
    expect(doubleToRational(-0)).toEqual(r(0));
    expect(doubleToRational(Number.MIN_VALUE)).toEqual(rational(1n, 1n << 1074n));
    expect(doubleToRational(-3 * Number.MIN_VALUE)).toEqual(rational(-3n, 1n << 1074n));
    expect(doubleToRational(2 ** -1022)).toEqual(rational(1n, 1n << 1022n));
    expect(doubleToRational(Number.MAX_VALUE)).toEqual(r(((1n << 53n) - 1n) << 971n));
    expect(doubleToRational(2 ** 60)).toEqual(r(1n << 60n));
    expect(() => doubleToRational(Infinity)).toThrow('not a finite double');
    expect(() => doubleToRational(Number.NaN)).toThrow('not a finite double');
  });

  it('a literal is its double when exact, else the two doubles around it', () => {
    expect(literalInterval('0.5')).toEqual({ lo: 0.5, hi: 0.5 });
    expect(literalInterval('3')).toEqual({ lo: 3, hi: 3 });
    expect(literalInterval('0.1')).toEqual({ lo: nextDown(0.1), hi: nextUp(0.1) });
    expect(() => literalInterval('1e400')).toThrow('literal out of range: "1e400"');
  });
});

describe('polynomials', () => {
  const vars = ['x', 'y'];
  const degree = (source: string) => [0, 1].map((i) => polynomialDegree(parseExpression(source, vars), i));
  const value = (source: string, x: [number, number], y: [number, number]) =>
    evaluatePolynomial(parseExpression(source, vars), [
      rational(BigInt(x[0]), BigInt(x[1])),
      rational(BigInt(y[0]), BigInt(y[1])),
    ]);

  it('degree per variable', () => {
    expect(degree('x^3*y + 2')).toEqual([3, 1]);
    expect(degree('(x + y)^2 - x*y')).toEqual([2, 2]);
    expect(degree('-(x*x*x) + y')).toEqual([3, 1]);
    expect(degree('5')).toEqual([0, 0]);
    expect(degree('(x^2)^3')).toEqual([6, 0]);
    expect(() => degree('x/y')).toThrow('an identity must be a polynomial: "divide" is not allowed');
    expect(() => degree('exp(x)')).toThrow('an identity must be a polynomial: "call exp" is not allowed');
  });

  it('exact values at rational points', () => {
    expect(value('x^3*y + 2', [1, 2], [3, 1])).toEqual(r(19, 8));
    expect(value('(x + y)^2 - x*y', [1, 3], [-1, 2])).toEqual(r(7, 36));
    expect(value('-(x - 0.5)', [1, 4], [0, 1])).toEqual(r(1, 4));
    expect(value('x^0 + y^1', [5, 1], [2, 1])).toEqual(r(3));
    expect(() => value('x/2', [1, 1], [1, 1])).toThrow('an identity must be a polynomial: "divide" is not allowed');
  });
});
