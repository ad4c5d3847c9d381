/**
 * Exact rationals over BigInt: decimal literals and doubles as exact fractions, and exact
 * evaluation of polynomial expressions (for identity obligations).
 */
import type { Expr } from './expression.js';
import { interval, nextDown, nextUp, type Interval } from './interval.js';

export interface Rational {
  readonly num: bigint;
  /** Always positive. */
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function rational(num: bigint, den: bigint = 1n): Rational {
  if (den === 0n) throw new RangeError('rational with a zero denominator');
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den) || 1n;
  return { num: (sign * num) / g, den: (sign * den) / g };
}

export const ZERO = rational(0n);

export function addRational(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function subtractRational(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den - b.num * a.den, a.den * b.den);
}

export function multiplyRational(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

/** The exact value of a decimal literal such as `1.01` or `3e-2`. */
export function parseDecimal(text: string): Rational {
  const match = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) throw new RangeError(`not a decimal literal: "${text}"`);
  const fraction = match[2] ?? '';
  const exponent = Number(match[3] ?? '0') - fraction.length;
  if (Math.abs(exponent) > 400) throw new RangeError(`decimal exponent out of range in "${text}"`);
  const digits = BigInt(match[1]! + fraction);
  return exponent >= 0 ? rational(digits * 10n ** BigInt(exponent)) : rational(digits, 10n ** BigInt(-exponent));
}

const view = new DataView(new ArrayBuffer(8));

/** The exact value of a finite double. */
export function doubleToRational(x: number): Rational {
  if (!Number.isFinite(x)) throw new RangeError('not a finite double');
  view.setFloat64(0, x);
  const word = view.getBigUint64(0);
  const negative = word >> 63n === 1n;
  const biased = Number((word >> 52n) & 0x7ffn);
  const fraction = word & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  const signed = negative ? -mantissa : mantissa;
  return exponent >= 0 ? rational(signed << BigInt(exponent)) : rational(signed, 1n << BigInt(-exponent));
}

export function equalRational(a: Rational, b: Rational): boolean {
  return a.num === b.num && a.den === b.den;
}

/** A decimal literal as an interval: the double itself when exact, else the two doubles around it. */
export function literalInterval(text: string): Interval {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new RangeError(`literal out of range: "${text}"`);
  if (equalRational(doubleToRational(value), parseDecimal(text))) return interval(value);
  return interval(nextDown(value), nextUp(value));
}

/** Degree of a polynomial expression in one variable; throws for anything but + − × ^ and numbers. */
export function polynomialDegree(expr: Expr, variable: number): number {
  switch (expr.kind) {
    case 'number':
      return 0;
    case 'variable':
      return expr.index === variable ? 1 : 0;
    case 'negate':
      return polynomialDegree(expr.operand, variable);
    case 'add':
    case 'subtract':
      return Math.max(polynomialDegree(expr.left, variable), polynomialDegree(expr.right, variable));
    case 'multiply':
      return polynomialDegree(expr.left, variable) + polynomialDegree(expr.right, variable);
    case 'power':
      return polynomialDegree(expr.base, variable) * expr.exponent;
    default:
      throw new RangeError(
        `an identity must be a polynomial: "${expr.kind}${expr.kind === 'call' ? ` ${expr.name}` : ''}" is not allowed`,
      );
  }
}

/** Exact value of a polynomial expression at rational values of its variables. */
export function evaluatePolynomial(expr: Expr, values: readonly Rational[]): Rational {
  switch (expr.kind) {
    case 'number':
      return parseDecimal(expr.text);
    case 'variable':
      return values[expr.index]!;
    case 'negate': {
      const v = evaluatePolynomial(expr.operand, values);
      return rational(-v.num, v.den);
    }
    case 'add':
      return addRational(evaluatePolynomial(expr.left, values), evaluatePolynomial(expr.right, values));
    case 'subtract':
      return subtractRational(evaluatePolynomial(expr.left, values), evaluatePolynomial(expr.right, values));
    case 'multiply':
      return multiplyRational(evaluatePolynomial(expr.left, values), evaluatePolynomial(expr.right, values));
    case 'power': {
      let result = rational(1n);
      const base = evaluatePolynomial(expr.base, values);
      for (let i = 0; i < expr.exponent; i++) result = multiplyRational(result, base);
      return result;
    }
    default:
      throw new RangeError(`an identity must be a polynomial: "${expr.kind}" is not allowed`);
  }
}
