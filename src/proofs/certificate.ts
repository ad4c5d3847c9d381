/**
 * The proof certificate: what the prover writes and the checker re-verifies (format described in
 * theory/scalar.md, "Certificates"). JSON has no infinities, so an unbounded end is written
 * "inf" or "-inf"; every other bound is a JSON number, which round-trips a double exactly.
 */
import type { Interval } from './interval.js';

export const CERTIFICATE_FORMAT = 'prhs-proof-certificate/1';

/** What the obligation asserts about its quantity q (or q's derivative) at every point of the domain. */
export type Relation = '>=0' | '>0' | '<=0' | '<0';

/** How one box is decided. */
export type BoxRule =
  /** The enclosure of the quantity on the whole box has the required sign. */
  | 'enclosure'
  /** q is monotone along `variable` (slope enclosure) towards the box's lower face, where q has the sign. */
  | 'monotone-lower'
  /** The same towards the upper face. */
  | 'monotone-upper';

export interface BoxProof {
  readonly box: readonly Interval[];
  readonly rule: BoxRule;
  /** The variable of a monotone rule. */
  readonly variable?: string;
  /** Enclosure of the quantity: on the box (enclosure rule) or on the face (monotone rules). */
  readonly enclosure: Interval;
  /** Monotone rules: enclosure of ∂q/∂variable on the box. */
  readonly slope?: Interval;
}

/** "For every point of the domain, q (or ∂ᵏq/∂vᵏ) relation 0." */
export interface SignObligation {
  readonly kind: 'sign';
  readonly name: string;
  readonly variables: readonly string[];
  readonly domain: readonly Interval[];
  readonly quantity: string;
  /** When present, the obligation is about this derivative of the quantity (computed by the checker). */
  readonly derivative?: { readonly variable: string; readonly order: 1 | 2 };
  readonly relation: Relation;
  /** Boxes covering the domain, each with the rule that decides it (empty for a refuted obligation). */
  readonly boxes: readonly BoxProof[];
}

/** "This polynomial is identically zero" (checked exactly over the rationals). */
export interface IdentityObligation {
  readonly kind: 'identity';
  readonly name: string;
  readonly variables: readonly string[];
  readonly polynomial: string;
}

export type Obligation = SignObligation | IdentityObligation;

/** A box inside an obligation's domain where the relation fails at every point. */
export interface Witness {
  readonly obligation: number;
  readonly box: readonly Interval[];
  /** Enclosure of the quantity (or its derivative) on the witness box: entirely on the wrong side. */
  readonly enclosure: Interval;
}

export interface Certificate {
  readonly format: typeof CERTIFICATE_FORMAT;
  readonly claim: string;
  /** `proved`: every obligation holds. `refuted`: the witness shows the witnessed obligation is false. */
  readonly verdict: 'proved' | 'refuted';
  readonly statement: string;
  readonly domain: string;
  readonly lemmas: readonly string[];
  /** Where the argument from the obligations to the claim is written. */
  readonly reduction: string;
  readonly obligations: readonly Obligation[];
  readonly witness?: Witness;
}

export class CertificateFormatError extends Error {
  override name = 'CertificateFormatError';
}

// ---------------------------------------------------------------- JSON codec

function encodeBound(x: number): number | string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return x;
}

function encodeInterval(x: Interval): [number | string, number | string] {
  return [encodeBound(x.lo), encodeBound(x.hi)];
}

/** Lays JSON out with indentation, keeping any value whose compact form is short on one line. */
function layout(value: unknown, indent: string): string {
  const compact = JSON.stringify(value);
  if (compact.length <= 160 || value === null || typeof value !== 'object') return compact;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + layout(v, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${layout(v, inner)}`).join(',\n')}\n${indent}}`;
}

/** The certificate as JSON text: deterministic, one box per line for readable diffs. */
export function encodeCertificate(certificate: Certificate): string {
  const replacer = (_key: string, value: unknown): unknown => {
    if (
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      Object.keys(value).length === 2 &&
      'lo' in value &&
      'hi' in value
    ) {
      return encodeInterval(value as Interval);
    }
    return value;
  };
  return `${layout(JSON.parse(JSON.stringify(certificate, replacer)), '')}\n`;
}

function fail(path: string, expected: string): never {
  throw new CertificateFormatError(`${path}: expected ${expected}`);
}

function decodeBound(value: unknown, path: string): number {
  if (value === 'inf') return Infinity;
  if (value === '-inf') return -Infinity;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a finite number, "inf" or "-inf"');
  return value;
}

function decodeInterval(value: unknown, path: string): Interval {
  if (!Array.isArray(value) || value.length !== 2) fail(path, 'an interval [lo, hi]');
  const lo = decodeBound(value[0], `${path}[0]`);
  const hi = decodeBound(value[1], `${path}[1]`);
  if (lo > hi) fail(path, 'lo ≤ hi');
  return { lo, hi };
}

function decodeBox(value: unknown, dimension: number, path: string): Interval[] {
  if (!Array.isArray(value) || value.length !== dimension) fail(path, `a box of ${dimension} interval(s)`);
  return value.map((x, i) => decodeInterval(x, `${path}[${i}]`));
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(path, 'an object');
  return value as Record<string, unknown>;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string');
  return value;
}

function strings(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) fail(path, 'an array of strings');
  return value.map((x, i) => string(x, `${path}[${i}]`));
}

const RELATIONS: readonly Relation[] = ['>=0', '>0', '<=0', '<0'];
const RULES: readonly BoxRule[] = ['enclosure', 'monotone-lower', 'monotone-upper'];

function decodeObligation(value: unknown, path: string): Obligation {
  const o = object(value, path);
  const name = string(o.name, `${path}.name`);
  const variables = strings(o.variables, `${path}.variables`);
  if (o.kind === 'identity')
    return { kind: 'identity', name, variables, polynomial: string(o.polynomial, `${path}.polynomial`) };
  if (o.kind !== 'sign') fail(`${path}.kind`, '"sign" or "identity"');
  const domain = decodeBox(o.domain, variables.length, `${path}.domain`);
  const relation = o.relation as Relation;
  if (!RELATIONS.includes(relation)) fail(`${path}.relation`, RELATIONS.join(' or '));
  let derivative: SignObligation['derivative'];
  if (o.derivative !== undefined) {
    const d = object(o.derivative, `${path}.derivative`);
    if (d.order !== 1 && d.order !== 2) fail(`${path}.derivative.order`, '1 or 2');
    derivative = { variable: string(d.variable, `${path}.derivative.variable`), order: d.order };
  }
  if (!Array.isArray(o.boxes)) fail(`${path}.boxes`, 'an array');
  const boxes = o.boxes.map((b, i): BoxProof => {
    const bp = object(b, `${path}.boxes[${i}]`);
    const rule = bp.rule as BoxRule;
    if (!RULES.includes(rule)) fail(`${path}.boxes[${i}].rule`, RULES.join(' or '));
    return {
      box: decodeBox(bp.box, variables.length, `${path}.boxes[${i}].box`),
      rule,
      ...(bp.variable === undefined ? {} : { variable: string(bp.variable, `${path}.boxes[${i}].variable`) }),
      enclosure: decodeInterval(bp.enclosure, `${path}.boxes[${i}].enclosure`),
      ...(bp.slope === undefined ? {} : { slope: decodeInterval(bp.slope, `${path}.boxes[${i}].slope`) }),
    };
  });
  return {
    kind: 'sign',
    name,
    variables,
    domain,
    quantity: string(o.quantity, `${path}.quantity`),
    ...(derivative ? { derivative } : {}),
    relation,
    boxes,
  };
}

/** Parses and shape-checks certificate JSON (the mathematics is the checker's job). */
export function decodeCertificate(text: string): Certificate {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CertificateFormatError(`not JSON: ${(error as Error).message}`);
  }
  const c = object(raw, 'certificate');
  if (c.format !== CERTIFICATE_FORMAT) fail('certificate.format', `"${CERTIFICATE_FORMAT}"`);
  if (c.verdict !== 'proved' && c.verdict !== 'refuted') fail('certificate.verdict', '"proved" or "refuted"');
  if (!Array.isArray(c.obligations) || c.obligations.length === 0) fail('certificate.obligations', 'a non-empty array');
  const obligations = c.obligations.map((o, i) => decodeObligation(o, `obligations[${i}]`));
  let witness: Witness | undefined;
  if (c.witness !== undefined) {
    const w = object(c.witness, 'certificate.witness');
    const index = w.obligation;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= obligations.length) {
      fail('certificate.witness.obligation', `an obligation index in [0, ${obligations.length - 1}]`);
    }
    const witnessed = obligations[index]!;
    witness = {
      obligation: index,
      box: decodeBox(w.box, witnessed.variables.length, 'certificate.witness.box'),
      enclosure: decodeInterval(w.enclosure, 'certificate.witness.enclosure'),
    };
  }
  return {
    format: CERTIFICATE_FORMAT,
    claim: string(c.claim, 'certificate.claim'),
    verdict: c.verdict,
    statement: string(c.statement, 'certificate.statement'),
    domain: string(c.domain, 'certificate.domain'),
    lemmas: strings(c.lemmas, 'certificate.lemmas'),
    reduction: string(c.reduction, 'certificate.reduction'),
    obligations,
    ...(witness ? { witness } : {}),
  };
}
