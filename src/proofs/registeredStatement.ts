/**
 * The formal statement a certificate must prove, as the claims catalogue registers it
 * (src/claims/catalogue/scalar.ts), and the check that a certificate states exactly that: same
 * claim id, verdict, statement text, and obligation by obligation the same kind, name, variables,
 * domain box, relation, derivative and expression (compared in a canonical form). Part of the
 * checker's trusted base; imports nothing from the prover.
 */
import type { Certificate, IdentityObligation, Obligation, SignObligation } from './certificate.js';
import { parseExpression, type Expr } from './expression.js';
import type { Interval } from './interval.js';
import { parseDecimal } from './rational.js';

/** A sign obligation without its boxes: "q (or ∂ᵏq/∂vᵏ) relation 0 on the whole domain box". */
export type FormalSignGoal = Omit<SignObligation, 'kind' | 'boxes'>;

/** The registered, formal part of a machine-checked claim. */
export interface FormalStatement {
  /** Obligations that must all be proved (sign goals, or polynomial identities). */
  readonly obligations: ReadonlyArray<FormalSignGoal | IdentityObligation>;
  /** For a claim false as stated: the false sign goal, which the certificate refutes with a witness. */
  readonly refuted?: FormalSignGoal;
}

/** What the checker compares a certificate with. */
export interface RegisteredStatement {
  readonly claim: string;
  readonly statement: string;
  readonly domain: string;
  readonly formal: FormalStatement;
}

/** The obligations a certificate of this statement carries, in order (the refuted goal last). */
export function registeredObligations(formal: FormalStatement): ReadonlyArray<FormalSignGoal | IdentityObligation> {
  return formal.refuted ? [...formal.obligations, formal.refuted] : formal.obligations;
}

function canonical(expr: Expr): string {
  switch (expr.kind) {
    case 'number': {
      const value = parseDecimal(expr.text);
      return value.den === 1n ? `${value.num}` : `${value.num}/${value.den}`;
    }
    case 'variable':
      return expr.name;
    case 'negate':
      return `(-${canonical(expr.operand)})`;
    case 'power':
      return `(${canonical(expr.base)}^${expr.exponent})`;
    case 'call':
      return `${expr.name}(${canonical(expr.argument)})`;
    default: {
      const symbol = { add: '+', subtract: '-', multiply: '*', divide: '/' }[expr.kind];
      return `(${canonical(expr.left)}${symbol}${canonical(expr.right)})`;
    }
  }
}

/**
 * The canonical form of an expression: fully parenthesised, numbers as exact reduced fractions,
 * so spacing, redundant brackets and spellings such as `0.50` or `5e-1` do not matter, while any
 * change to the operations, their order or a constant's value does.
 */
export function canonicalExpression(source: string, variables: readonly string[]): string {
  try {
    return canonical(parseExpression(source, variables));
  } catch (error) {
    return `unparsable: ${(error as Error).message}`;
  }
}

function bound(x: number): string {
  return x === Infinity ? '∞' : x === -Infinity ? '−∞' : String(x);
}

/** The domain in words, interval by interval (an in-memory certificate may hold fewer intervals than variables). */
function box(variables: readonly string[], domain: readonly Interval[]): string {
  return domain.map((d, i) => `${variables[i] ?? '?'} ∈ [${bound(d.lo)}, ${bound(d.hi)}]`).join(', ');
}

function sameBox(a: readonly Interval[], b: readonly Interval[]): boolean {
  return a.length === b.length && a.every((x, i) => x.lo === b[i]!.lo && x.hi === b[i]!.hi);
}

function isIdentity(goal: FormalSignGoal | IdentityObligation): goal is IdentityObligation {
  return 'kind' in goal && goal.kind === 'identity';
}

/** The first difference between a certificate's obligation and the registered one, if any. */
function obligationMismatch(actual: Obligation, registered: FormalSignGoal | IdentityObligation): string | undefined {
  const expectedKind = isIdentity(registered) ? 'identity' : 'sign';
  if (actual.kind !== expectedKind)
    return `is a ${actual.kind} obligation, the registered one is a ${expectedKind} obligation`;
  if (actual.name !== registered.name) return `is named "${actual.name}", the registered one "${registered.name}"`;
  if (actual.variables.join(',') !== registered.variables.join(',')) {
    return `has variables (${actual.variables.join(', ')}), the registered ones are (${registered.variables.join(', ')})`;
  }
  const vars = registered.variables;
  if (actual.kind === 'identity' && isIdentity(registered)) {
    const [mine, theirs] = [
      canonicalExpression(actual.polynomial, vars),
      canonicalExpression(registered.polynomial, vars),
    ];
    return mine === theirs
      ? undefined
      : `polynomial "${actual.polynomial}" is not the registered "${registered.polynomial}"`;
  }
  if (actual.kind !== 'sign' || isIdentity(registered)) return undefined;
  if (!sameBox(actual.domain, registered.domain))
    return `domain ${box(vars, actual.domain)} is not the registered domain ${box(vars, registered.domain)}`;
  if (actual.relation !== registered.relation)
    return `relation ${actual.relation} is not the registered ${registered.relation}`;
  const [d, r] = [actual.derivative, registered.derivative];
  if (d?.variable !== r?.variable || d?.order !== r?.order) {
    const say = (x: typeof d): string => (x ? `∂^${x.order}/∂${x.variable}^${x.order}` : 'none');
    return `derivative ${say(d)} is not the registered ${say(r)}`;
  }
  const [mine, theirs] = [canonicalExpression(actual.quantity, vars), canonicalExpression(registered.quantity, vars)];
  return mine === theirs ? undefined : `quantity "${actual.quantity}" is not the registered "${registered.quantity}"`;
}

/**
 * Why the certificate does not state exactly the registered claim, or undefined when it does.
 * Checked before any box is recomputed: a valid proof of another statement proves nothing here.
 */
export function statementMismatch(certificate: Certificate, registered: RegisteredStatement): string | undefined {
  if (certificate.claim !== registered.claim)
    return `the certificate is for ${certificate.claim}, not ${registered.claim}`;
  const verdict = registered.formal.refuted ? 'refuted' : 'proved';
  if (certificate.verdict !== verdict)
    return `verdict "${certificate.verdict}" is not the registered "${verdict}" for ${registered.claim}`;
  if (certificate.statement !== registered.statement)
    return `the statement text is not the registered statement of ${registered.claim}`;
  if (certificate.domain !== registered.domain)
    return `the domain text "${certificate.domain}" is not the registered "${registered.domain}"`;
  const expected = registeredObligations(registered.formal);
  if (certificate.obligations.length !== expected.length) {
    return `${certificate.obligations.length} obligation(s), but ${registered.claim} registers ${expected.length}`;
  }
  for (let i = 0; i < expected.length; i++) {
    const mismatch = obligationMismatch(certificate.obligations[i]!, expected[i]!);
    if (mismatch) return `obligation ${i} ${mismatch}`;
  }
  if (certificate.witness && certificate.witness.obligation !== expected.length - 1) {
    return `the witness refutes obligation ${certificate.witness.obligation}, not the registered false goal (obligation ${expected.length - 1})`;
  }
  return undefined;
}
