/**
 * The certificate checker: re-verifies a certificate without running the prover (it imports
 * nothing from it). Trusted base: this file, interval.ts, jet.ts, expression.ts, rational.ts,
 * certificate.ts, registeredStatement.ts and the formal statements of the claims catalogue
 * (theory/scalar.md, "What the checker trusts").
 *
 * First the certificate must state exactly the registered claim (registeredStatement.ts): a
 * valid proof of some other inequality, or of this one on a smaller domain, proves nothing.
 * For a sign obligation it checks that the boxes lie in the domain and cover it with no gap, and
 * on each box recomputes the enclosure the rule needs, requiring it to lie inside the enclosure
 * the certificate states and that enclosure to decide the relation. An identity obligation is a
 * polynomial checked to vanish on a grid larger than its degree, in exact rational arithmetic.
 */
import type { BoxProof, Certificate, IdentityObligation, Relation, SignObligation, Witness } from './certificate.js';
import { FUNCTIONS, parseExpression, type Expr } from './expression.js';
import { contains, type Interval } from './interval.js';
import { evaluateJet } from './jet.js';
import { evaluatePolynomial, polynomialDegree, rational, type Rational } from './rational.js';
import { statementMismatch, type RegisteredStatement } from './registeredStatement.js';

export interface CheckResult {
  readonly ok: boolean;
  readonly claim: string;
  readonly verdict: Certificate['verdict'];
  /** Boxes re-verified (all obligations together). */
  readonly boxes: number;
  /** `verified …` or the first failure, naming the obligation and box. */
  readonly message: string;
}

class Rejection extends Error {}

const MAX_GRID_CELLS = 4_000_000;
const MAX_IDENTITY_POINTS = 200_000;

function formatBound(x: number): string {
  return x === Infinity ? '∞' : x === -Infinity ? '−∞' : String(x);
}

/** A box as text, e.g. `x ∈ [0, 0.5], y ∈ [1, ∞]`. */
export function describeBox(variables: readonly string[], box: readonly Interval[]): string {
  return variables.map((v, i) => `${v} ∈ [${formatBound(box[i]!.lo)}, ${formatBound(box[i]!.hi)}]`).join(', ');
}

function describeInterval(x: Interval): string {
  return `[${formatBound(x.lo)}, ${formatBound(x.hi)}]`;
}

function sign(relation: Relation): 1 | -1 {
  return relation === '>=0' || relation === '>0' ? 1 : -1;
}

/** Does every value in x satisfy the relation? */
function decides(x: Interval, relation: Relation): boolean {
  switch (relation) {
    case '>=0':
      return x.lo >= 0;
    case '>0':
      return x.lo > 0;
    case '<=0':
      return x.hi <= 0;
    case '<0':
      return x.hi < 0;
  }
}

/** Does every value in x violate the relation? */
function violates(x: Interval, relation: Relation): boolean {
  switch (relation) {
    case '>=0':
      return x.hi < 0;
    case '>0':
      return x.hi <= 0;
    case '<=0':
      return x.lo > 0;
    case '<0':
      return x.lo >= 0;
  }
}

function checkVariables(variables: readonly string[], where: string): void {
  if (variables.length === 0) throw new Rejection(`${where}: no variables`);
  const seen = new Set<string>();
  for (const v of variables) {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(v) || (FUNCTIONS as readonly string[]).includes(v) || seen.has(v)) {
      throw new Rejection(`${where}: bad or repeated variable name "${v}"`);
    }
    seen.add(v);
  }
}

function parse(source: string, variables: readonly string[], where: string): Expr {
  try {
    return parseExpression(source, variables);
  } catch (error) {
    throw new Rejection(`${where}: ${(error as Error).message}`);
  }
}

function inside(box: readonly Interval[], domain: readonly Interval[]): boolean {
  return box.every((x, i) => domain[i]!.lo <= x.lo && x.hi <= domain[i]!.hi);
}

/** Boxes ⊆ domain and every cell of the grid their bounds induce is covered by some box. */
function checkCoverage(obligation: SignObligation, where: string): void {
  const { domain, boxes, variables } = obligation;
  boxes.forEach((b, i) => {
    if (!inside(b.box, domain))
      throw new Rejection(`${where} box #${i} (${describeBox(variables, b.box)}) leaves the domain`);
  });
  const coordinates = domain.map((d, axis) => {
    const values = new Set<number>([d.lo, d.hi]);
    for (const b of boxes) {
      values.add(b.box[axis]!.lo);
      values.add(b.box[axis]!.hi);
    }
    return [...values].sort((a, b) => a - b);
  });
  const counts = coordinates.map((c) => c.length - 1);
  const cells = counts.reduce((a, b) => a * b, 1);
  if (cells > MAX_GRID_CELLS) throw new Rejection(`${where}: too many grid cells to check coverage (${cells})`);
  const covered = new Uint8Array(cells);
  const strides = counts.map((_, axis) => counts.slice(axis + 1).reduce((a, b) => a * b, 1));
  for (const b of boxes) {
    const ranges = b.box.map(
      (x, axis) => [coordinates[axis]!.indexOf(x.lo), coordinates[axis]!.indexOf(x.hi)] as const,
    );
    const mark = (axis: number, offset: number): void => {
      if (axis === ranges.length) {
        covered[offset] = 1;
        return;
      }
      const [from, to] = ranges[axis]!;
      for (let k = from; k < to; k++) mark(axis + 1, offset + k * strides[axis]!);
    };
    mark(0, 0);
  }
  const gap = covered.indexOf(0);
  if (gap !== -1) {
    const cell = counts.map((_, axis) => {
      const k = Math.floor(gap / strides[axis]!) % counts[axis]!;
      return { lo: coordinates[axis]![k]!, hi: coordinates[axis]![k + 1]! };
    });
    throw new Rejection(`${where}: gap: ${describeBox(variables, cell)} is covered by no box`);
  }
}

interface PreparedSign {
  readonly obligation: SignObligation;
  readonly expr: Expr;
  readonly order: 0 | 1 | 2;
  /** The differentiation variable's index (−1 for order 0). */
  readonly along: number;
  readonly where: string;
}

function prepareSign(obligation: SignObligation, where: string): PreparedSign {
  checkVariables(obligation.variables, where);
  obligation.domain.forEach((d, i) => {
    if (!(d.lo < d.hi)) throw new Rejection(`${where}: the domain of ${obligation.variables[i]} has no width`);
  });
  const expr = parse(obligation.quantity, obligation.variables, where);
  const order = obligation.derivative?.order ?? 0;
  const along = obligation.derivative ? obligation.variables.indexOf(obligation.derivative.variable) : -1;
  if (obligation.derivative && along === -1)
    throw new Rejection(`${where}: derivative variable "${obligation.derivative.variable}" is not a variable`);
  return { obligation, expr, order, along, where };
}

/** The quantity the obligation is about (q, ∂q or ∂²q) on a box, with whether q is defined there. */
function quantityOn(p: PreparedSign, box: readonly Interval[]): { value: Interval; defined: boolean } {
  const jet = evaluateJet(p.expr, box, p.along);
  return { value: p.order === 0 ? jet.value : p.order === 1 ? jet.first : jet.second, defined: jet.defined };
}

function checkBox(p: PreparedSign, proof: BoxProof, index: number): void {
  const { obligation } = p;
  const at = `${p.where} box #${index} (${describeBox(obligation.variables, proof.box)})`;
  const certified = (stored: Interval, recomputed: Interval, what: string): void => {
    if (!contains(stored, recomputed)) {
      throw new Rejection(
        `${at}: recomputed ${what} ${describeInterval(recomputed)} is not inside the certified ${describeInterval(stored)}`,
      );
    }
  };
  if (proof.rule === 'enclosure') {
    const q = quantityOn(p, proof.box);
    if (!q.defined) throw new Rejection(`${at}: the quantity is not defined and continuous on the whole box`);
    certified(proof.enclosure, q.value, 'enclosure');
    if (!decides(proof.enclosure, obligation.relation)) {
      throw new Rejection(
        `${at}: enclosure ${describeInterval(proof.enclosure)} does not decide ${obligation.relation}`,
      );
    }
    return;
  }
  // Monotone rules: q (order 0 only) is continuous on the box and monotone along the variable
  // towards the face where it has the sign, so it has the sign on the whole box.
  if (p.order !== 0) throw new Rejection(`${at}: monotone rules apply to order-0 quantities only`);
  const axis = obligation.variables.indexOf(proof.variable ?? '');
  if (axis === -1) throw new Rejection(`${at}: monotone rule without a valid variable`);
  const lower = proof.rule === 'monotone-lower';
  const end = lower ? proof.box[axis]!.lo : proof.box[axis]!.hi;
  if (!Number.isFinite(end)) throw new Rejection(`${at}: the face of a monotone rule must be finite`);
  const jet = evaluateJet(p.expr, proof.box, axis);
  if (!jet.defined) throw new Rejection(`${at}: the quantity is not defined and continuous on the whole box`);
  if (!proof.slope) throw new Rejection(`${at}: monotone rule without a slope enclosure`);
  certified(proof.slope, jet.first, 'slope');
  const direction = sign(obligation.relation) * (lower ? 1 : -1);
  const slopeOk = direction > 0 ? proof.slope.lo >= 0 : proof.slope.hi <= 0;
  if (!slopeOk)
    throw new Rejection(
      `${at}: slope ${describeInterval(proof.slope)} along ${proof.variable} does not have the sign the rule needs`,
    );
  const face = proof.box.map((x, i) => (i === axis ? { lo: end, hi: end } : x));
  const q = quantityOn(p, face);
  certified(proof.enclosure, q.value, 'face enclosure');
  if (!decides(proof.enclosure, obligation.relation)) {
    throw new Rejection(
      `${at}: face enclosure ${describeInterval(proof.enclosure)} does not decide ${obligation.relation}`,
    );
  }
}

function checkSign(obligation: SignObligation, where: string): number {
  const prepared = prepareSign(obligation, where);
  if (obligation.boxes.length === 0) throw new Rejection(`${where}: no boxes`);
  checkCoverage(obligation, where);
  obligation.boxes.forEach((proof, i) => checkBox(prepared, proof, i));
  return obligation.boxes.length;
}

function checkIdentity(obligation: IdentityObligation, where: string): void {
  checkVariables(obligation.variables, where);
  const expr = parse(obligation.polynomial, obligation.variables, where);
  let degrees: number[];
  try {
    degrees = obligation.variables.map((_, i) => polynomialDegree(expr, i));
  } catch (error) {
    throw new Rejection(`${where}: ${(error as Error).message}`);
  }
  const points = degrees.reduce((a, d) => a * (d + 1), 1);
  if (points > MAX_IDENTITY_POINTS) throw new Rejection(`${where}: degree too high to check (${points} grid points)`);
  // A polynomial of degree ≤ dᵢ in each variable that vanishes on a grid of dᵢ + 1 values per
  // variable is the zero polynomial.
  const values: Rational[] = degrees.map(() => rational(0n));
  const visit = (axis: number): void => {
    if (axis === degrees.length) {
      const v = evaluatePolynomial(expr, values);
      if (v.num !== 0n) {
        const at = obligation.variables.map((name, i) => `${name} = ${values[i]!.num}`).join(', ');
        throw new Rejection(`${where}: the polynomial is ${v.num}/${v.den}, not 0, at ${at}`);
      }
      return;
    }
    for (let k = 0; k <= degrees[axis]!; k++) {
      values[axis] = rational(BigInt(k));
      visit(axis + 1);
    }
  };
  visit(0);
}

function checkWitness(certificate: Certificate, witness: Witness): void {
  const obligation = certificate.obligations[witness.obligation]!;
  const where = `witness for obligation "${obligation.name}"`;
  if (obligation.kind !== 'sign') throw new Rejection(`${where}: only sign obligations can be refuted by a witness`);
  const p = prepareSign(obligation, where);
  const at = `${where} (${describeBox(obligation.variables, witness.box)})`;
  if (obligation.boxes.length !== 0) throw new Rejection(`${where}: a refuted obligation carries no boxes`);
  if (!inside(witness.box, obligation.domain)) throw new Rejection(`${at}: the witness leaves the domain`);
  if (witness.box.some((x) => !Number.isFinite(x.lo) || !Number.isFinite(x.hi)))
    throw new Rejection(`${at}: the witness must be bounded`);
  if (p.order > 0 && !(witness.box[p.along]!.lo < witness.box[p.along]!.hi)) {
    throw new Rejection(`${at}: a derivative witness needs positive width along ${obligation.derivative!.variable}`);
  }
  const q = quantityOn(p, witness.box);
  if (!q.defined) throw new Rejection(`${at}: the quantity is not defined on the whole witness`);
  if (!contains(witness.enclosure, q.value)) {
    throw new Rejection(
      `${at}: recomputed enclosure ${describeInterval(q.value)} is not inside the certified ${describeInterval(witness.enclosure)}`,
    );
  }
  if (!violates(witness.enclosure, obligation.relation)) {
    throw new Rejection(
      `${at}: enclosure ${describeInterval(witness.enclosure)} does not violate ${obligation.relation}`,
    );
  }
}

/**
 * Re-verifies a decoded certificate against the registered statement of the claim it must prove
 * (undefined: the claim has no registered statement, and the certificate is rejected).
 */
export function checkCertificate(certificate: Certificate, registered: RegisteredStatement | undefined): CheckResult {
  let boxes = 0;
  const base = { claim: certificate.claim, verdict: certificate.verdict };
  try {
    if (registered === undefined)
      throw new Rejection(
        `unknown claim id "${certificate.claim}": no machine-checked claim of the registry has that id`,
      );
    const mismatch = statementMismatch(certificate, registered);
    if (mismatch !== undefined) throw new Rejection(`not the registered statement of ${registered.claim}: ${mismatch}`);
    if (certificate.verdict === 'proved' && certificate.witness) throw new Rejection('a proof carries no witness');
    if (certificate.verdict === 'refuted' && !certificate.witness) throw new Rejection('a refutation needs a witness');
    certificate.obligations.forEach((obligation, i) => {
      const where = `obligation ${i} "${obligation.name}"`;
      if (certificate.witness?.obligation === i) return;
      if (obligation.kind === 'identity') checkIdentity(obligation, where);
      else boxes += checkSign(obligation, where);
    });
    if (certificate.witness) {
      checkWitness(certificate, certificate.witness);
      boxes += 1;
    }
  } catch (error) {
    if (error instanceof Rejection) return { ...base, ok: false, boxes, message: error.message };
    throw error;
  }
  const what = certificate.verdict === 'proved' ? 'proof' : 'refutation';
  return {
    ...base,
    ok: true,
    boxes,
    message: `${what} verified: ${certificate.obligations.length} obligation(s), ${boxes} box(es)`,
  };
}
