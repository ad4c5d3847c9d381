/**
 * The derivatives the checker computes itself (forward-mode interval jets): at a point, value,
 * first and second derivative of every function of the grammar, composed with an inner
 * polynomial so the chain rule to order two is exercised, must enclose the exact values (60-digit
 * mathjs) and be narrow: within a relative 10⁻¹² (theory/scalar.md, "What the checker trusts":
 * a point jet takes at most ~40 outward-rounded steps of a few ulps each on values of magnitude
 * ≤ 10, so about 10⁻¹⁴; a wrong rule is off by far more).
 */
import type { BigNumber } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { parseExpression } from '../../src/proofs/expression.js';
import type { Interval } from '../../src/proofs/interval.js';
import { evaluateJet } from '../../src/proofs/jet.js';
import { big } from '../../src/verify/highPrecision.js';

function expectTightEnclosure(x: Interval, exact: BigNumber, what: string): void {
  expect(big(x.lo).lte(exact), `${what}: lo ${x.lo} above ${exact.toString()}`).toBe(true);
  expect(big(x.hi).gte(exact), `${what}: hi ${x.hi} below ${exact.toString()}`).toBe(true);
  const slack = 1e-12 * (1 + Math.abs(exact.toNumber()));
  expect(x.hi - x.lo, `${what}: width`).toBeLessThanOrEqual(slack);
}

const x0 = 0.3;
const x = big(x0);
const one = big(1);
// Inner g(x) = x²/2 + x: g′ = x + 1, g″ = 1.
const g = x.times(x).div(2).plus(x);
const g1 = x.plus(1);
const g2 = one;

/** F(g), F′(g), F″(g) for each function of the grammar. */
const outer: Record<string, [BigNumber, BigNumber, BigNumber]> = {
  exp: [g.exp(), g.exp(), g.exp()],
  log: [g.ln(), one.div(g), one.div(g.times(g)).neg()],
  log1p: [g.plus(1).ln(), one.div(g.plus(1)), one.div(g.plus(1).pow(2)).neg()],
  sqrt: [g.sqrt(), one.div(g.sqrt().times(2)), one.div(g.pow(1.5).times(4)).neg()],
  tanh: [
    g.tanh(),
    one.minus(g.tanh().pow(2)),
    g
      .tanh()
      .times(one.minus(g.tanh().pow(2)))
      .times(-2),
  ],
  xlogx: [g.times(g.ln()), g.ln().plus(1), one.div(g)],
  h: [
    g
      .times(g.ln())
      .plus(one.minus(g).times(one.minus(g).ln()))
      .neg(),
    one.minus(g).ln().minus(g.ln()),
    one
      .div(g)
      .plus(one.div(one.minus(g)))
      .neg(),
  ],
};

describe('jets at a point enclose the exact value and derivatives, tightly', () => {
  for (const [name, [F, F1, F2]] of Object.entries(outer)) {
    it(`${name}(x²/2 + x) at x = 0.3: the chain rule to order two`, () => {
      const jet = evaluateJet(parseExpression(`${name}(0.5*x^2 + x)`, ['x']), [{ lo: x0, hi: x0 }], 0);
      expect(jet.defined).toBe(true);
      expectTightEnclosure(jet.value, F, 'value');
      expectTightEnclosure(jet.first, F1.times(g1), 'first');
      expectTightEnclosure(jet.second, F2.times(g1.pow(2)).plus(F1.times(g2)), 'second');
    });
  }

  it('products, quotients, powers and negation', () => {
    const at = (source: string) => evaluateJet(parseExpression(source, ['x']), [{ lo: x0, hi: x0 }], 0);
    // x·e^x: (x + 1)e^x, (x + 2)e^x.
    const product = at('x*exp(x)');
    expectTightEnclosure(product.value, x.times(x.exp()), 'x e^x');
    expectTightEnclosure(product.first, x.plus(1).times(x.exp()), "(x e^x)'");
    expectTightEnclosure(product.second, x.plus(2).times(x.exp()), "(x e^x)''");
    // x/(1 + x²): (1 − x²)/(1 + x²)², (2x³ − 6x)/(1 + x²)³.
    const quotient = at('x/(1 + x^2)');
    const d = one.plus(x.pow(2));
    expectTightEnclosure(quotient.value, x.div(d), 'x/(1+x²)');
    expectTightEnclosure(quotient.first, one.minus(x.pow(2)).div(d.pow(2)), "(x/(1+x²))'");
    expectTightEnclosure(quotient.second, x.pow(3).times(2).minus(x.times(6)).div(d.pow(3)), "(x/(1+x²))''");
    // −x³: −3x², −6x; x⁰ = 1 with zero derivatives.
    const cube = at('-(x^3)');
    expectTightEnclosure(cube.value, x.pow(3).neg(), '−x³');
    expectTightEnclosure(cube.first, x.pow(2).times(-3), "(−x³)'");
    expectTightEnclosure(cube.second, x.times(-6), "(−x³)''");
    const constant = at('x^0');
    expect([constant.value, constant.first, constant.second]).toEqual([
      { lo: 1, hi: 1 },
      { lo: 0, hi: 0 },
      { lo: 0, hi: 0 },
    ]);
    const linear = at('x^1 - 2');
    expectTightEnclosure(linear.value, x.minus(2), 'x − 2');
    expect([linear.first, linear.second]).toEqual([
      { lo: 1, hi: 1 },
      { lo: 0, hi: 0 },
    ]);
  });

  it('differentiates along the variable asked for only', () => {
    const box = [
      { lo: 2, hi: 2 },
      { lo: 3, hi: 3 },
    ];
    const expr = parseExpression('x^2*y', ['x', 'y']);
    expect(evaluateJet(expr, box, 0)).toEqual({
      value: { lo: 12, hi: 12 },
      first: { lo: 12, hi: 12 },
      second: { lo: 6, hi: 6 },
      defined: true,
    });
    expect(evaluateJet(expr, box, 1)).toEqual({
      value: { lo: 12, hi: 12 },
      first: { lo: 4, hi: 4 },
      second: { lo: 0, hi: 0 },
      defined: true,
    });
    expect(evaluateJet(expr, box, -1)).toEqual({
      value: { lo: 12, hi: 12 },
      first: { lo: 0, hi: 0 },
      second: { lo: 0, hi: 0 },
      defined: true,
    });
  });
});

describe('defined: every operation inside the set where it is defined and continuous', () => {
  const defined = (source: string, lo: number, hi: number) =>
    evaluateJet(parseExpression(source, ['x']), [{ lo, hi }], 0).defined;
  it('at and beyond the edge of each domain', () => {
    expect([defined('log(x)', 0.5, 1), defined('log(x)', 0, 1), defined('log(x)', -1, -0.5)]).toEqual([
      true,
      false,
      false,
    ]);
    expect([defined('log1p(x)', -0.5, 1), defined('log1p(x)', -1, 1)]).toEqual([true, false]);
    expect([defined('sqrt(x)', 0, 1), defined('sqrt(x)', -1e-300, 1)]).toEqual([true, false]);
    expect([defined('xlogx(x)', 0, 1), defined('xlogx(x)', -1e-300, 1)]).toEqual([true, false]);
    expect([defined('h(x)', 0, 1), defined('h(x)', -1e-300, 0.5), defined('h(x)', 0.5, 1.0000000000000002)]).toEqual([
      true,
      false,
      false,
    ]);
    expect([defined('1/x', 0.5, 1), defined('1/x', 0, 1), defined('1/x', -1, 1), defined('1/x', -1, -0.5)]).toEqual([
      true,
      false,
      false,
      true,
    ]);
    expect([
      defined('exp(x) + tanh(x)', -1e300, 1e300),
      defined('log(x) + exp(x)', 0, 1),
      defined('exp(log(x))', 0, 1),
    ]).toEqual([true, false, false]);
  });
});
