import { describe, expect, it } from 'vitest';
import { ExpressionError, parseExpression, type Expr } from '../../src/proofs/expression.js';
import { literalInterval } from '../../src/proofs/rational.js';

describe('the proof expression grammar', () => {
  it('parses arithmetic, powers and the fixed functions', () => {
    const e = parseExpression('-x^2 + h(x)*log1p(y)/2', ['x', 'y']);
    expect(e.kind).toBe('add');
  });
  it('rejects anything outside the grammar, so a certificate cannot smuggle code', () => {
    for (const source of [
      'process.exit(1)',
      'x; y',
      'constructor(x)',
      'eval(x)',
      'x ** 2',
      'x^y',
      'x^0.5',
      '`x`',
      'x[0]',
      'z',
    ]) {
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

/** The parse tree, fully parenthesised. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return e.text;
    case 'variable':
      return `${e.name}#${e.index}`;
    case 'negate':
      return `(-${show(e.operand)})`;
    case 'power':
      return `(${show(e.base)}^${e.exponent})`;
    case 'call':
      return `${e.name}(${show(e.argument)})`;
    default:
      return `(${show(e.left)}${{ add: '+', subtract: '-', multiply: '*', divide: '/' }[e.kind]}${show(e.right)})`;
  }
}

function refusal(source: string, variables = ['x', 'y']): string {
  try {
    parseExpression(source, variables);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as Error).name).toBe('ExpressionError');
    return (error as Error).message;
  }
  throw new Error(`expected a refusal of ${source}`);
}

describe('the parse tree', () => {
  const parse = (source: string) => show(parseExpression(source, ['x', 'y']));
  it('precedence and associativity', () => {
    expect(parse('x + y * x ^ 2')).toBe('(x#0+(y#1*(x#0^2)))');
    expect(parse('x - y - 1')).toBe('((x#0-y#1)-1)');
    expect(parse('x / y / 2')).toBe('((x#0/y#1)/2)');
    expect(parse('x * y / 2 * x')).toBe('(((x#0*y#1)/2)*x#0)');
    expect(parse('x - y + 1')).toBe('((x#0-y#1)+1)');
    expect(parse('-x^2')).toBe('(-(x#0^2))');
    expect(parse('- -x')).toBe('(-(-x#0))');
    expect(parse('-x * y')).toBe('((-x#0)*y#1)');
    expect(parse('2 * -x')).toBe('(2*(-x#0))');
    expect(parse('(x + y) * 2')).toBe('((x#0+y#1)*2)');
    expect(parse('(x)^3')).toBe('(x#0^3)');
  });
  it('numbers, names, functions and whitespace', () => {
    expect(parse(' 12 + 0.5 - 1.5e-3 + 3E+2 + 7e2 ')).toBe('((((12+0.5)-1.5e-3)+3E+2)+7e2)');
    // Exponents of more than one digit are one number token.
    expect(parse('2.5e-12 * x + 1E+300')).toBe('((2.5e-12*x#0)+1E+300)');
    expect(parse('exp(log(x)) + log1p(sqrt(tanh(xlogx(h(y)))))')).toBe(
      '(exp(log(x#0))+log1p(sqrt(tanh(xlogx(h(y#1))))))',
    );
    expect(show(parseExpression('b2 * a', ['a', 'b2']))).toBe('(b2#1*a#0)');
    expect(parse('x^64')).toBe('(x#0^64)');
    expect(parse('x^0')).toBe('(x#0^0)');
    expect(parse(`${'('.repeat(40)}x${')'.repeat(40)}`)).toBe('x#0');
    expect(parse(`1${' '.repeat(19_999)}`)).toBe('1');
  });
});

describe('what the grammar refuses, with the reason', () => {
  it('names the place and the reason', () => {
    const length = 'an expression must be a non-empty string of at most 20000 characters';
    expect(refusal('')).toBe(length);
    expect(refusal(`1${' '.repeat(20_000)}`)).toBe(length);
    expect(refusal(3 as unknown as string)).toBe(length);
    expect(refusal('x $ y')).toBe('unexpected character at 1: " $ y"');
    expect(refusal('exp x')).toBe('expected "(" at 4 in "exp x"');
    expect(refusal('exp(x')).toBe('expected ")" at 5 in "exp(x"');
    expect(refusal('(x + y')).toBe('expected ")" at 6 in "(x + y"');
    expect(refusal('(x + y y')).toBe('expected ")" at 7 in "(x + y y"');
    expect(refusal('z + 1')).toBe('unknown name "z" in "z + 1" (variables: x, y)');
    expect(refusal(') + x')).toBe('unexpected ")" at 0 in ") + x"');
    expect(refusal('x y')).toBe('unexpected "y" at 2 in "x y"');
    expect(refusal('x +')).toBe('unexpected end of "x +"');
    expect(refusal('x^65')).toBe('"^" takes a natural exponent ≤ 64 in "x^65"');
    expect(refusal('x^2.0')).toBe('"^" takes a natural exponent ≤ 64 in "x^2.0"');
    expect(refusal('x^(2)')).toBe('"^" takes a natural exponent ≤ 64 in "x^(2)"');
    expect(refusal('x^')).toBe('"^" takes a natural exponent ≤ 64 in "x^"');
    expect(refusal('x^2^2')).toBe('unexpected "^" at 3 in "x^2^2"');
    expect(refusal(`${'('.repeat(300)}x${')'.repeat(300)}`)).toBe('expression nested too deeply');
    expect(refusal(`${'-'.repeat(300)}x`)).toBe('expression nested too deeply');
  });
});
