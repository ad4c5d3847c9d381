import { describe, expect, it } from 'vitest';
import { ExpressionError, parseExpression } from '../../src/proofs/expression.js';
import { literalInterval } from '../../src/proofs/rational.js';

describe('the proof expression grammar', () => {
  it('parses arithmetic, powers and the fixed functions', () => {
    const e = parseExpression('-x^2 + h(x)*log1p(y)/2', ['x', 'y']);
    expect(e.kind).toBe('add');
  });
  it('rejects anything outside the grammar, so a certificate cannot smuggle code', () => {
    for (const source of ['process.exit(1)', 'x; y', 'constructor(x)', 'eval(x)', 'x ** 2', 'x^y', 'x^0.5', '`x`', 'x[0]', 'z']) {
      expect(() => parseExpression(source, ['x', 'y']), source).toThrow(ExpressionError);
    }
  });
  it('encloses decimal literals that are not doubles, keeps exact ones exact', () => {
    expect(literalInterval('0.5')).toEqual({ lo: 0.5, hi: 0.5 });
    const tenth = literalInterval('0.1');
    expect(tenth.lo).toBeLessThan(tenth.hi);
    expect(tenth.lo <= 0.1 && 0.1 <= tenth.hi).toBe(true);
  });
});
