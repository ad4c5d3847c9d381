/**
 * The proof expression language: a tiny fixed grammar, parsed (never evaluated as code), so a
 * certificate cannot smuggle anything but arithmetic.
 *
 *   expr   := term (('+' | '-') term)*
 *   term   := unary (('*' | '/') unary)*
 *   unary  := '-' unary | power
 *   power  := atom ('^' natural)?
 *   atom   := number | variable | function '(' expr ')' | '(' expr ')'
 *   function ∈ exp log log1p sqrt tanh xlogx h
 *
 * Numbers are decimal literals (`12`, `0.5`, `1.01`, `3e-2`); a literal that is not a double
 * exactly is enclosed by the two doubles around it. `xlogx(t)` is t·ln t with value 0 at 0;
 * `h(t)` is −t ln t − (1−t) ln(1−t) on [0, 1].
 */

export const FUNCTIONS = ['exp', 'log', 'log1p', 'sqrt', 'tanh', 'xlogx', 'h'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export type Expr =
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'variable'; readonly index: number; readonly name: string }
  | { readonly kind: 'negate'; readonly operand: Expr }
  | { readonly kind: 'add' | 'subtract' | 'multiply' | 'divide'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'power'; readonly base: Expr; readonly exponent: number }
  | { readonly kind: 'call'; readonly name: FunctionName; readonly argument: Expr };

export class ExpressionError extends Error {
  override name = 'ExpressionError';
}

const MAX_LENGTH = 20_000;
const MAX_DEPTH = 200;
const MAX_EXPONENT = 64;

type Token = { readonly type: 'number' | 'name' | 'symbol'; readonly text: string; readonly at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z][A-Za-z0-9]*)|([-+*/^(),]))/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(source);
    if (!match) throw new ExpressionError(`unexpected character at ${at}: "${source.slice(at, at + 10)}"`);
    const start = match.index + match[0].length - (match[1] ?? match[2] ?? match[3] ?? '').length;
    if (match[1] !== undefined) tokens.push({ type: 'number', text: match[1], at: start });
    else if (match[2] !== undefined) tokens.push({ type: 'name', text: match[2], at: start });
    else tokens.push({ type: 'symbol', text: match[3]!, at: start });
    at = pattern.lastIndex;
  }
  return tokens;
}

/** Parses `source` over the named variables (their order gives each variable's index). */
export function parseExpression(source: string, variables: readonly string[]): Expr {
  if (typeof source !== 'string' || source.length === 0 || source.length > MAX_LENGTH) {
    throw new ExpressionError(`an expression must be a non-empty string of at most ${MAX_LENGTH} characters`);
  }
  const tokens = tokenize(source);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const expect = (text: string): void => {
    const token = tokens[position];
    if (token?.text !== text)
      throw new ExpressionError(`expected "${text}" at ${token?.at ?? source.length} in "${source}"`);
    position++;
  };

  const expr = (depth: number): Expr => {
    if (depth > MAX_DEPTH) throw new ExpressionError('expression nested too deeply');
    let left = term(depth + 1);
    for (let token = peek(); token?.text === '+' || token?.text === '-'; token = peek()) {
      position++;
      const right = term(depth + 1);
      left = { kind: token.text === '+' ? 'add' : 'subtract', left, right };
    }
    return left;
  };
  const term = (depth: number): Expr => {
    let left = unary(depth + 1);
    for (let token = peek(); token?.text === '*' || token?.text === '/'; token = peek()) {
      position++;
      const right = unary(depth + 1);
      left = { kind: token.text === '*' ? 'multiply' : 'divide', left, right };
    }
    return left;
  };
  const unary = (depth: number): Expr => {
    if (depth > MAX_DEPTH) throw new ExpressionError('expression nested too deeply');
    if (peek()?.text === '-') {
      position++;
      return { kind: 'negate', operand: unary(depth + 1) };
    }
    const base = atom(depth + 1);
    if (peek()?.text !== '^') return base;
    position++;
    const exponent = tokens[position++];
    if (exponent?.type !== 'number' || !/^\d+$/.test(exponent.text) || Number(exponent.text) > MAX_EXPONENT) {
      throw new ExpressionError(`"^" takes a natural exponent ≤ ${MAX_EXPONENT} in "${source}"`);
    }
    return { kind: 'power', base, exponent: Number(exponent.text) };
  };
  const atom = (depth: number): Expr => {
    const token = tokens[position++];
    if (token === undefined) throw new ExpressionError(`unexpected end of "${source}"`);
    if (token.type === 'number') return { kind: 'number', text: token.text };
    if (token.text === '(') {
      const inner = expr(depth + 1);
      expect(')');
      return inner;
    }
    if (token.type === 'name') {
      if ((FUNCTIONS as readonly string[]).includes(token.text)) {
        expect('(');
        const argument = expr(depth + 1);
        expect(')');
        return { kind: 'call', name: token.text as FunctionName, argument };
      }
      const index = variables.indexOf(token.text);
      if (index === -1)
        throw new ExpressionError(`unknown name "${token.text}" in "${source}" (variables: ${variables.join(', ')})`);
      return { kind: 'variable', index, name: token.text };
    }
    throw new ExpressionError(`unexpected "${token.text}" at ${token.at} in "${source}"`);
  };

  const result = expr(0);
  if (position !== tokens.length)
    throw new ExpressionError(`unexpected "${tokens[position]!.text}" at ${tokens[position]!.at} in "${source}"`);
  return result;
}
