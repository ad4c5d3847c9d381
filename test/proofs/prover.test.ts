import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { proofScripts } from '../../proofs/index.js';
import { certificatePath, certifiedClaimIds, registeredStatement } from '../../src/claims/certificates.js';
import { packageRoot } from '../../src/io/packageRoot.js';
import { encodeCertificate } from '../../src/proofs/certificate.js';
import { proveSign } from '../../src/proofs/prover.js';
import { runProofScript } from '../../src/proofs/runProofScript.js';

describe('the prover', () => {
  it('fails to prove a false statement and returns a box where it fails', () => {
    const outcome = proveSign({
      name: 'h(x) + x ln 3 non-decreasing on [0, 1]',
      variables: ['x'],
      domain: [{ lo: 0, hi: 1 }],
      quantity: 'h(x) + x*log(3)',
      derivative: { variable: 'x', order: 1 },
      relation: '>=0',
    });
    expect(outcome.proved).toBe(false);
    if (outcome.proved) return;
    expect(outcome.counterexample).toBeDefined();
    expect(outcome.counterexample!.box[0]!.lo).toBeGreaterThanOrEqual(0.75); // beyond M/(M+1) = 3/4
    expect(outcome.counterexample!.enclosure.hi).toBeLessThan(0);
  });

  it('fails on an inequality that is false only in a thin sliver', () => {
    const outcome = proveSign({
      name: 'γ ≤ 1.01 z on [0, 0.01]',
      variables: ['z'],
      domain: [{ lo: 0, hi: 0.01 }],
      quantity: '1.01*z - z/(1 - z)',
      relation: '>=0',
    });
    expect(outcome.proved).toBe(false);
  });

  it('proves a true one by branch and bound, using monotonicity near the touching point', () => {
    const outcome = proveSign({
      name: 'ln t ≤ t − 1 on [0.1, 1]',
      variables: ['t'],
      domain: [{ lo: 0.1, hi: 1 }],
      quantity: 't - 1 - log(t)',
      relation: '>=0',
    });
    expect(outcome.proved).toBe(true);
    if (!outcome.proved) return;
    expect(outcome.obligation.boxes.some((b) => b.rule !== 'enclosure')).toBe(true);
  });

  it('has exactly one proof script per machine-checked claim of the registry', () => {
    expect(proofScripts.map((s) => s.claim).sort()).toEqual([...certifiedClaimIds].sort());
  });

  it('refuses to run a script whose claim has no registered formal statement', () => {
    const run = runProofScript(
      { claim: 'no.such.claim', lemmas: [], reduction: '' },
      registeredStatement('no.such.claim'),
    );
    expect(run.ok).toBe(false);
    expect(run.message).toContain('no formal statement for no.such.claim');
  });

  it('reproduces every committed certificate byte for byte', () => {
    for (const script of proofScripts) {
      const run = runProofScript(script, registeredStatement(script.claim));
      expect(run.ok, `${script.claim}: ${run.message}`).toBe(true);
      const committed = readFileSync(join(packageRoot(), certificatePath(script.claim)), 'utf8');
      expect(encodeCertificate(run.certificate!), script.claim).toBe(committed);
    }
  });
});

describe('the prover, step by step on hand-made goals', () => {
  type Relation = '>=0' | '>0' | '<=0' | '<0';
  const goal = (quantity: string, relation: Relation, domain: { lo: number; hi: number }[], more: object = {}) => ({
    name: 'q',
    variables: domain.length === 1 ? ['x'] : ['x', 'y'],
    domain,
    quantity,
    relation,
    ...more,
  });
  const refuted = (outcome: ReturnType<typeof proveSign>) => {
    if (outcome.proved) throw new Error('expected the prover to fail');
    return outcome;
  };

  it('refuses a derivative along a variable the goal does not have', () => {
    expect(() => proveSign(goal('x', '>=0', [{ lo: 0, hi: 1 }], { derivative: { variable: 'y', order: 1 } }))).toThrow(
      'goal "q": unknown derivative variable y',
    );
  });

  it('gives up after maxBoxes boxes, breadth first, on the box it stopped at', () => {
    // x > 0 on [0, 1] fails only at 0: each level decides [2⁻ᵏ, 2¹⁻ᵏ] and splits [0, 2⁻ᵏ], so box
    // 11 is [1/32, 1/16].
    const outcome = refuted(proveSign(goal('x', '>0', [{ lo: 0, hi: 1 }]), { maxBoxes: 10 }));
    expect(outcome.reason).toBe('gave up after 10 boxes');
    expect(outcome.examined).toBe(11);
    expect(outcome.box).toEqual([{ lo: 1 / 32, hi: 1 / 16 }]);
    expect(outcome.counterexample).toBeUndefined();
  });

  it('stops splitting at the relative width asked for (2⁻⁴⁰ by default) and reports that box', () => {
    const byDefault = refuted(proveSign(goal('x', '>0', [{ lo: 0, hi: 1 }])));
    expect(byDefault.reason).toBe('a box too narrow to split is still undecided');
    expect(byDefault.box).toEqual([{ lo: 0, hi: 2 ** -40 }]);
    expect(byDefault.examined).toBe(81);
    const coarse = refuted(proveSign(goal('x', '>0', [{ lo: 0, hi: 1 }]), { minRelativeWidth: 2 ** -10 }));
    expect(coarse.box).toEqual([{ lo: 0, hi: 2 ** -10 }]);
    expect(coarse.examined).toBe(21);
  });

  it('splits an unbounded side at 0, ±1 or twice its finite end, and keeps only bounded counterexamples', () => {
    const cases: [string, Relation, { lo: number; hi: number }, { lo: number; hi: number }][] = [
      ['-1 - x', '>=0', { lo: 0, hi: Infinity }, { lo: 0, hi: 1 }],
      ['-1 - x', '>=0', { lo: 2, hi: Infinity }, { lo: 2, hi: 4 }],
      ['-1 - x*x', '>=0', { lo: -5, hi: Infinity }, { lo: -5, hi: 0 }],
      ['x - 1', '>=0', { lo: -Infinity, hi: 0 }, { lo: -1, hi: 0 }],
      ['x - 1', '>=0', { lo: -Infinity, hi: -3 }, { lo: -6, hi: -3 }],
      ['-1 - x*x', '>=0', { lo: -Infinity, hi: 5 }, { lo: 0, hi: 5 }],
      ['-1 - x*x', '>=0', { lo: -Infinity, hi: Infinity }, { lo: -1, hi: 0 }],
    ];
    for (const [quantity, relation, domain, box] of cases) {
      const outcome = refuted(proveSign(goal(quantity, relation, [domain])));
      const label = `${quantity} ${relation} on [${domain.lo}, ${domain.hi}]`;
      expect(outcome.counterexample?.box, label).toEqual([box]);
      expect(outcome.box, label).toEqual([box]);
      expect(outcome.reason, label).toBe('the relation fails on a whole box');
    }
  });

  it('a derivative counterexample needs a positive width along its variable', () => {
    // (x²)′ = 2x = 1 > 0 at x = ½ violates ≤ 0, but on a box of width 0 along x.
    const outcome = refuted(
      proveSign(goal('x^2', '<=0', [{ lo: 0.5, hi: 0.5 }], { derivative: { variable: 'x', order: 1 } })),
    );
    expect(outcome.counterexample).toBeUndefined();
    expect(outcome.reason).toBe('a box too narrow to split is still undecided');
    const wide = refuted(
      proveSign(goal('x^2', '<=0', [{ lo: 0.5, hi: 1 }], { derivative: { variable: 'x', order: 1 } })),
    );
    expect(wide.counterexample?.box).toEqual([{ lo: 0.5, hi: 1 }]);
  });

  it('lists the boxes of a proof by their lower corner, axis after axis', () => {
    // (x − ½)² + (y − ½)² + 0.01 written so that the plain enclosure is loose: bisection needed.
    const outcome = proveSign(
      goal('x*x - x + y*y - y + 0.51', '>0', [
        { lo: 0, hi: 1 },
        { lo: 0, hi: 1 },
      ]),
    );
    expect(outcome.proved).toBe(true);
    if (!outcome.proved) return;
    const boxes = outcome.obligation.boxes;
    expect(boxes.length).toBeGreaterThan(4);
    for (let i = 1; i < boxes.length; i++) {
      const [a, b] = [boxes[i - 1]!.box, boxes[i]!.box];
      const order = a[0]!.lo !== b[0]!.lo ? a[0]!.lo < b[0]!.lo : a[1]!.lo <= b[1]!.lo;
      expect(order, `box ${i}`).toBe(true);
    }
  });

  it('proves each relation with the enclosure padded away from 0, or by monotonicity towards the face', () => {
    const unit = [{ lo: 0, hi: 1 }];
    for (const [quantity, relation] of [
      ['x + 1', '>=0'],
      ['x + 1', '>0'],
      ['-x - 1', '<=0'],
      ['-x - 1', '<0'],
    ] as [string, Relation][]) {
      const outcome = proveSign(goal(quantity, relation, unit));
      expect(outcome.proved, `${quantity} ${relation}`).toBe(true);
      if (!outcome.proved) continue;
      expect(outcome.examined).toBe(1);
      const [proof] = outcome.obligation.boxes;
      expect(proof!.rule).toBe('enclosure');
      // The exact range is [1, 2] (or [−2, −1]): both ends padded outward, by at most 2⁻²⁹ relative.
      const exact = quantity === 'x + 1' ? { lo: 1, hi: 2 } : { lo: -2, hi: -1 };
      expect(proof!.enclosure.lo).toBeLessThan(exact.lo);
      expect(proof!.enclosure.hi).toBeGreaterThan(exact.hi);
      expect(proof!.enclosure.lo).toBeGreaterThan(exact.lo - 2 ** -28);
      expect(proof!.enclosure.hi).toBeLessThan(exact.hi + 2 ** -28);
    }
    // x ≥ 0 touches 0 at x = 0: the enclosure [0, 1] decides ≥ 0 as it is, its lower end unpadded.
    const touching = proveSign(goal('x', '>=0', unit));
    expect(touching.proved).toBe(true);
    if (touching.proved) expect(touching.obligation.boxes[0]!.enclosure.lo).toBe(0);
  });

  it('decides a strict relation only away from 0, and refutes on the first box that fails everywhere', () => {
    const unit = [{ lo: 0, hi: 1 }];
    // −x < 0 fails only at 0, where −x = 0: an enclosure ending at 0 does not prove < 0.
    expect(proveSign(goal('-x', '<0', unit)).proved).toBe(false);
    // Breadth first, the counterexample is the widest box on which the relation fails everywhere:
    // ≤ 0 and < 0 fail on [½, 1] for x − ½ only where x − ½ > 0, resp. ≥ 0.
    const cases: [string, Relation, { lo: number; hi: number }][] = [
      ['x - 0.5', '<=0', { lo: 0.75, hi: 1 }],
      ['x - 0.5', '<0', { lo: 0.5, hi: 1 }],
      ['0.5 - x', '>=0', { lo: 0.75, hi: 1 }],
      ['0.5 - x', '>0', { lo: 0.5, hi: 1 }],
      ['-x', '>0', { lo: 0, hi: 1 }],
    ];
    for (const [quantity, relation, box] of cases)
      expect(refuted(proveSign(goal(quantity, relation, unit))).counterexample?.box, `${quantity} ${relation}`).toEqual(
        [box],
      );
  });

  it('stops splitting at a width relative to the box’s magnitude', () => {
    // x − 1000 > 0 fails only at 1000: splitting stops at width 2⁻⁴⁰·1000, after 40 halvings.
    const outcome = refuted(proveSign(goal('x - 1000', '>0', [{ lo: 1000, hi: 2000 }])));
    expect(outcome.box).toEqual([{ lo: 1000, hi: 1000 + 1000 * 2 ** -40 }]);
    expect(outcome.examined).toBe(81);
  });

  it('never proves a derivative obligation by monotonicity of the quantity itself', () => {
    // q = −(1 − x)², q′ = 2(1 − x) ≥ 0 with q′(1) = 0: "q′ ≤ 0 on [0, 1]" is false; a monotone rule
    // applied to q′ with q′ (instead of q″) as its slope would take the face x = 1 and prove it.
    const outcome = refuted(
      proveSign(goal('-(1 - x)^2', '<=0', [{ lo: 0, hi: 1 }], { derivative: { variable: 'x', order: 1 } })),
    );
    expect(outcome.counterexample?.box).toEqual([{ lo: 0, hi: 0.5 }]);
  });

  it('in two dimensions: a counterexample is bounded along every axis, ties split the first axis, halves tile the box', () => {
    const square = [
      { lo: 0, hi: 1 },
      { lo: 0, hi: 1 },
    ];
    // −1 − x − y < 0 everywhere, but [0, 1] × [0, ∞) is unbounded: the unbounded side is split first.
    const strip = refuted(
      proveSign(
        goal('-1 - x - y', '>=0', [
          { lo: 0, hi: 1 },
          { lo: 0, hi: Infinity },
        ]),
      ),
    );
    expect(strip.counterexample?.box).toEqual(square);
    // x − ½ ≥ 0 fails for x < ½: the square is split along x first (equal widths), then the
    // half [0, ½] × [0, 1] along y, then [0, ½]² along x again.
    const half = refuted(proveSign(goal('x - 0.5', '>=0', square)));
    expect(half.counterexample?.box).toEqual([
      { lo: 0, hi: 0.25 },
      { lo: 0, hi: 0.5 },
    ]);
    // A proof's boxes cover the square exactly: their areas sum to 1 (dyadic, so exactly).
    const proved = proveSign(goal('x*x - x + y*y - y + 0.51', '>0', square));
    if (!proved.proved) throw new Error('expected a proof');
    const area = proved.obligation.boxes.reduce(
      (sum, b) => sum + (b.box[0]!.hi - b.box[0]!.lo) * (b.box[1]!.hi - b.box[1]!.lo),
      0,
    );
    expect(area).toBe(1);
  });
});
