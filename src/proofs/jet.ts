/**
 * Interval evaluation of an expression together with its first and second derivatives with
 * respect to one variable (forward-mode automatic differentiation over intervals), so the
 * derivative a proof relies on is computed by the checker, never supplied by the prover.
 *
 * `defined` is true when every operation is applied inside the set where it is defined and
 * continuous (log and ÷ away from 0, √ and x·ln x on [0, ∞), h on [0, 1], log1p above −1). Then
 * the expression is continuous on the whole box, `value` encloses it there, and `first`/`second`
 * enclose its derivatives at every point of the box where they exist (possibly unbounded near a
 * point such as 0 for x·ln x).
 */
import type { Expr } from './expression.js';
import * as I from './interval.js';
import type { Interval } from './interval.js';
import { literalInterval } from './rational.js';

export interface Jet {
  readonly value: Interval;
  readonly first: Interval;
  readonly second: Interval;
}

export interface JetEvaluation extends Jet {
  readonly defined: boolean;
}

const ZERO = I.interval(0);
const ONE = I.interval(1);

function constant(value: Interval): Jet {
  return { value, first: ZERO, second: ZERO };
}

/** f(u) with f′(u), f″(u) given: the chain rule up to order two. */
function compose(u: Jet, value: Interval, d1: Interval, d2: Interval): Jet {
  return {
    value,
    first: I.mul(d1, u.first),
    second: I.add(I.mul(d2, I.powInt(u.first, 2)), I.mul(d1, u.second)),
  };
}

function multiply(a: Jet, b: Jet): Jet {
  return {
    value: I.mul(a.value, b.value),
    first: I.add(I.mul(a.first, b.value), I.mul(a.value, b.first)),
    second: I.add(I.add(I.mul(a.second, b.value), I.scale(2, I.mul(a.first, b.first))), I.mul(a.value, b.second)),
  };
}

function reciprocal(u: Jet): Jet {
  const r = I.recip(u.value);
  const r2 = I.powInt(r, 2);
  return compose(u, r, I.neg(r2), I.scale(2, I.mul(r2, r)));
}

function power(u: Jet, n: number): Jet {
  if (n === 0) return constant(ONE);
  const d1 = n >= 1 ? I.scale(n, I.powInt(u.value, n - 1)) : ZERO;
  const d2 = n >= 2 ? I.scale(n * (n - 1), I.powInt(u.value, n - 2)) : ZERO;
  return compose(u, I.powInt(u.value, n), d1, d2);
}

/**
 * Evaluates `expr` on the box (one interval per variable), differentiating with respect to
 * variable `along` (−1: no derivative; then `first` and `second` are 0).
 */
export function evaluateJet(expr: Expr, box: readonly Interval[], along: number): JetEvaluation {
  let defined = true;
  const require = (condition: boolean): void => {
    if (!condition) defined = false;
  };

  const visit = (e: Expr): Jet => {
    switch (e.kind) {
      case 'number':
        return constant(literalInterval(e.text));
      case 'variable':
        return { value: box[e.index]!, first: e.index === along ? ONE : ZERO, second: ZERO };
      case 'negate': {
        const u = visit(e.operand);
        return { value: I.neg(u.value), first: I.neg(u.first), second: I.neg(u.second) };
      }
      case 'add':
      case 'subtract': {
        const a = visit(e.left);
        const b = visit(e.right);
        const op = e.kind === 'add' ? I.add : I.sub;
        return { value: op(a.value, b.value), first: op(a.first, b.first), second: op(a.second, b.second) };
      }
      case 'multiply':
        return multiply(visit(e.left), visit(e.right));
      case 'divide': {
        const a = visit(e.left);
        const b = visit(e.right);
        require(I.excludesZero(b.value));
        const quotient = multiply(a, reciprocal(b));
        // The quotient's value is tighter when divided directly.
        return { ...quotient, value: I.excludesZero(b.value) ? I.div(a.value, b.value) : quotient.value };
      }
      case 'power':
        return power(visit(e.base), e.exponent);
      case 'call': {
        const u = visit(e.argument);
        const x = u.value;
        switch (e.name) {
          case 'exp': {
            const v = I.exp(x);
            return compose(u, v, v, v);
          }
          case 'log': {
            require(x.lo > 0);
            const r = I.recip(x);
            return compose(u, I.log(x), r, I.neg(I.powInt(r, 2)));
          }
          case 'log1p': {
            require(x.lo > -1);
            const r = I.recip(I.add(ONE, x));
            return compose(u, I.log1p(x), r, I.neg(I.powInt(r, 2)));
          }
          case 'sqrt': {
            require(x.lo >= 0);
            const s = I.sqrt(x);
            const d1 = I.recip(I.scale(2, s));
            return compose(u, s, d1, I.neg(I.mul(d1, I.recip(I.scale(2, x)))));
          }
          case 'tanh': {
            const t = I.tanh(x);
            const d1 = I.sub(ONE, I.powInt(t, 2));
            return compose(u, t, d1, I.scale(-2, I.mul(t, d1)));
          }
          case 'xlogx': {
            require(x.lo >= 0);
            return compose(u, I.xlogx(x), I.add(I.log(x), ONE), I.recip(x));
          }
          case 'h': {
            require(x.lo >= 0 && x.hi <= 1);
            const complement = I.sub(ONE, x);
            const d1 = I.sub(I.log(complement), I.log(x));
            const d2 = I.neg(I.add(I.recip(x), I.recip(complement)));
            return compose(u, I.binaryEntropy(x), d1, d2);
          }
        }
      }
    }
  };

  const jet = visit(expr);
  return { ...jet, defined };
}
