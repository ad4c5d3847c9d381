/**
 * Branch-and-bound prover for sign obligations: "for every point of a box, q (or ∂ᵏq/∂vᵏ)
 * relation 0". On each box it tries, in order: the plain enclosure; for order-0 quantities,
 * monotonicity along each variable towards a face where the sign holds; otherwise it bisects.
 * It stops with a witness when a box lies entirely on the wrong side. The prover is not trusted:
 * what it finds is written as a certificate that the checker re-verifies.
 */
import type { BoxProof, Relation, SignObligation } from './certificate.js';
import { parseExpression, type Expr } from './expression.js';
import { nextDown, nextUp, type Interval } from './interval.js';
import { evaluateJet } from './jet.js';

/** A sign obligation before it is proved: the certificate's obligation without its boxes. */
export type SignGoal = Omit<SignObligation, 'kind' | 'boxes'>;

/** The certificate obligation stating a goal, with the boxes that decide it (none for a refutation). */
export function signObligation(goal: SignGoal, boxes: SignObligation['boxes']): SignObligation {
  const { derivative } = goal;
  return {
    kind: 'sign',
    name: goal.name,
    variables: goal.variables,
    domain: goal.domain,
    quantity: goal.quantity,
    ...(derivative ? { derivative } : {}),
    relation: goal.relation,
    boxes,
  };
}

export interface ProverOptions {
  /** Boxes examined before giving up (default 50 000). */
  readonly maxBoxes?: number;
  /** Relative width below which a box is not split further (default 2⁻⁴⁰). */
  readonly minRelativeWidth?: number;
}

export type ProverOutcome =
  | { readonly proved: true; readonly obligation: SignObligation; readonly examined: number }
  | {
      readonly proved: false;
      readonly reason: string;
      /** The box the prover could not decide, or the counterexample box. */
      readonly box: readonly Interval[];
      /** Present when the box violates the relation at every point (a refutation). */
      readonly counterexample?: { readonly box: readonly Interval[]; readonly enclosure: Interval };
      readonly examined: number;
    };

const holds: Record<Relation, (x: Interval) => boolean> = {
  '>=0': (x) => x.lo >= 0,
  '>0': (x) => x.lo > 0,
  '<=0': (x) => x.hi <= 0,
  '<0': (x) => x.hi < 0,
};

const fails: Record<Relation, (x: Interval) => boolean> = {
  '>=0': (x) => x.hi < 0,
  '>0': (x) => x.hi <= 0,
  '<=0': (x) => x.lo > 0,
  '<0': (x) => x.lo >= 0,
};

const PAD = 2 ** -30;

function padDown(x: number): number {
  return Number.isFinite(x) ? nextDown(x - Math.abs(x) * PAD) : x;
}

function padUp(x: number): number {
  return Number.isFinite(x) ? nextUp(x + Math.abs(x) * PAD) : x;
}

/**
 * The enclosure to certify: widened slightly on each side where the widening keeps `keep` true,
 * so a checker whose libm differs in the last bits still finds its enclosure inside.
 */
export function certifiedEnclosure(x: Interval, keep: (x: Interval) => boolean): Interval {
  const candidates: Interval[] = [
    { lo: padDown(x.lo), hi: padUp(x.hi) },
    { lo: x.lo, hi: padUp(x.hi) },
    { lo: padDown(x.lo), hi: x.hi },
  ];
  return candidates.find(keep) ?? x;
}

function width(x: Interval): number {
  return x.hi - x.lo;
}

function splitPoint(x: Interval): number {
  if (Number.isFinite(x.lo) && Number.isFinite(x.hi)) return x.lo + (x.hi - x.lo) / 2;
  if (Number.isFinite(x.lo)) return x.lo < 0 ? 0 : Math.max(1, 2 * x.lo);
  if (Number.isFinite(x.hi)) return x.hi > 0 ? 0 : Math.min(-1, 2 * x.hi);
  return 0;
}

function tooNarrow(x: Interval, minRelativeWidth: number): boolean {
  if (!Number.isFinite(width(x))) return false;
  return width(x) <= minRelativeWidth * Math.max(1, Math.abs(x.lo), Math.abs(x.hi));
}

function byLowerCorner(a: BoxProof, b: BoxProof): number {
  for (let i = 0; i < a.box.length; i++) {
    const d = a.box[i]!.lo - b.box[i]!.lo;
    if (d !== 0) return d;
  }
  return 0;
}

/** Runs branch and bound on one goal. */
export function proveSign(goal: SignGoal, options: ProverOptions = {}): ProverOutcome {
  const maxBoxes = options.maxBoxes ?? 50_000;
  const minRelativeWidth = options.minRelativeWidth ?? 2 ** -40;
  const expr: Expr = parseExpression(goal.quantity, goal.variables);
  const order = goal.derivative?.order ?? 0;
  const along = goal.derivative ? goal.variables.indexOf(goal.derivative.variable) : -1;
  if (goal.derivative && along === -1)
    throw new Error(`goal "${goal.name}": unknown derivative variable ${goal.derivative.variable}`);
  const pick = (box: readonly Interval[]): { value: Interval; defined: boolean } => {
    const jet = evaluateJet(expr, box, along);
    return { value: order === 0 ? jet.value : order === 1 ? jet.first : jet.second, defined: jet.defined };
  };
  const decide = holds[goal.relation];
  const refute = fails[goal.relation];
  const sign = goal.relation === '>=0' || goal.relation === '>0' ? 1 : -1;

  const tryMonotone = (box: readonly Interval[]): BoxProof | undefined => {
    if (order !== 0) return undefined;
    for (let axis = 0; axis < box.length; axis++) {
      const jet = evaluateJet(expr, box, axis);
      if (!jet.defined) return undefined;
      for (const lower of [true, false]) {
        const end = lower ? box[axis]!.lo : box[axis]!.hi;
        if (!Number.isFinite(end)) continue;
        const direction = sign * (lower ? 1 : -1);
        const slopeOk = (s: Interval): boolean => (direction > 0 ? s.lo >= 0 : s.hi <= 0);
        if (!slopeOk(jet.first)) continue;
        const face = box.map((x, i) => (i === axis ? { lo: end, hi: end } : x));
        const q = pick(face);
        if (!q.defined || !decide(q.value)) continue;
        return {
          box,
          rule: lower ? 'monotone-lower' : 'monotone-upper',
          variable: goal.variables[axis]!,
          enclosure: certifiedEnclosure(q.value, decide),
          slope: certifiedEnclosure(jet.first, slopeOk),
        };
      }
    }
    return undefined;
  };

  const proofs: BoxProof[] = [];
  // Breadth first: a counterexample, when there is one, is found on the widest box that shows it.
  const queue: Array<readonly Interval[]> = [goal.domain];
  let examined = 0;
  // The first box that could not be decided; the search goes on for a counterexample elsewhere.
  let undecided: { reason: string; box: readonly Interval[] } | undefined;
  for (let next = 0; next < queue.length; next++) {
    const box = queue[next]!;
    examined++;
    if (examined > maxBoxes)
      return { proved: false, reason: `gave up after ${maxBoxes} boxes`, box: undecided?.box ?? box, examined };
    const q = pick(box);
    if (q.defined && decide(q.value)) {
      proofs.push({ box, rule: 'enclosure', enclosure: certifiedEnclosure(q.value, decide) });
      continue;
    }
    const bounded = box.every((x) => Number.isFinite(x.lo) && Number.isFinite(x.hi));
    const wideAlong = order === 0 || width(box[along]!) > 0;
    if (q.defined && refute(q.value) && bounded && wideAlong) {
      const enclosure = certifiedEnclosure(q.value, refute);
      return {
        proved: false,
        reason: 'the relation fails on a whole box',
        box,
        counterexample: { box, enclosure },
        examined,
      };
    }
    const monotone = q.defined ? tryMonotone(box) : undefined;
    if (monotone) {
      proofs.push(monotone);
      continue;
    }
    // Bisect the widest side (an unbounded side counts as widest).
    let axis = 0;
    for (let i = 1; i < box.length; i++) if (width(box[i]!) > width(box[axis]!)) axis = i;
    if (tooNarrow(box[axis]!, minRelativeWidth)) {
      undecided ??= { reason: 'a box too narrow to split is still undecided', box };
      continue;
    }
    const at = splitPoint(box[axis]!);
    const lowerHalf = box.map((x, i) => (i === axis ? { lo: x.lo, hi: at } : x));
    const upperHalf = box.map((x, i) => (i === axis ? { lo: at, hi: x.hi } : x));
    queue.push(lowerHalf, upperHalf);
  }
  if (undecided) return { proved: false, ...undecided, examined };
  return {
    proved: true,
    obligation: signObligation(goal, proofs.sort(byLowerCorner)),
    examined,
  };
}
