/**
 * runProofScript on hand-made registered statements: a true sign goal is proved and counted, a
 * false one is reported with the box where it fails, a refutation of a true goal or of a goal the
 * prover cannot decide is refused, and a script's own witness is certified for each relation and
 * derivative order the checker accepts.
 */
import { describe, expect, it } from 'vitest';
import type { RegisteredStatement } from '../../src/proofs/registeredStatement.js';
import { runProofScript } from '../../src/proofs/runProofScript.js';

type Relation = '>=0' | '>0' | '<=0' | '<0';
const goal = (quantity: string, relation: Relation, more: object = {}) => ({
  name: 'q',
  variables: ['x'],
  domain: [{ lo: 0, hi: 1 }],
  quantity,
  relation,
  ...more,
});
const statement = (formal: RegisteredStatement['formal']): RegisteredStatement => ({
  claim: 'test.run',
  statement: 'S',
  domain: 'D',
  formal,
});
const script = { claim: 'test.run', lemmas: ['a lemma'], reduction: 'theory/x.md' };

describe('runProofScript', () => {
  it('proves true goals, counting the boxes of all of them', () => {
    const one = runProofScript(script, statement({ obligations: [goal('x + 1', '>0')] }));
    expect(one.ok, one.message).toBe(true);
    expect(one.examined).toBeGreaterThan(0);
    const two = runProofScript(script, statement({ obligations: [goal('x + 1', '>0'), goal('x + 2', '>0')] }));
    expect(two.ok).toBe(true);
    expect(two.examined).toBeGreaterThan(one.examined);
    expect(two.certificate).toMatchObject({ claim: 'test.run', verdict: 'proved', lemmas: ['a lemma'] });
  });
  it('reports a false goal with the box where it fails', () => {
    const run = runProofScript(script, statement({ obligations: [goal('x - 0.5', '>=0')] }), { maxBoxes: 200 });
    expect(run.ok).toBe(false);
    expect(run.certificate).toBeUndefined();
    expect(run.message).toMatch(/^could not prove "q": .* at x ∈ \[[-0-9.e]+, [-0-9.e]+\]$/);
    expect(run.examined).toBeGreaterThan(0);
  });
  it('refuses to refute a goal the prover proves', () => {
    const run = runProofScript(script, statement({ obligations: [], refuted: goal('x + 1', '>0') }));
    expect(run.ok).toBe(false);
    expect(run.message).toBe('the prover proved "q", which the script says is false');
    expect(run.examined).toBeGreaterThan(0);
  });
  it('refuses to refute a goal false at one point only: no box fails everywhere, so no counterexample', () => {
    const run = runProofScript(script, statement({ obligations: [], refuted: goal('x', '>0') }), { maxBoxes: 100 });
    expect(run.ok).toBe(false);
    expect(run.message).toMatch(/^the prover failed on "q" without a counterexample: /);
  });
  it('refutes a false goal with the prover’s counterexample box, or with the script’s own witness', () => {
    const refuted = statement({ obligations: [goal('x + 1', '>0')], refuted: goal('x - 0.5', '>=0') });
    const run = runProofScript(script, refuted);
    expect(run.ok, run.message).toBe(true);
    expect(run.certificate).toMatchObject({ verdict: 'refuted', witness: { obligation: 1 } });
    const witness = [{ lo: 0.125, hi: 0.25 }];
    const own = runProofScript({ ...script, witness }, refuted);
    expect(own.ok, own.message).toBe(true);
    expect(own.certificate!.witness!.box).toEqual(witness);
    // x − 0.5 on [0.125, 0.25] is [−0.375, −0.25]: the certified enclosure holds it.
    const enclosure = own.certificate!.witness!.enclosure;
    expect(enclosure.lo).toBeLessThanOrEqual(-0.375);
    expect(enclosure.hi).toBeGreaterThanOrEqual(-0.25);
    expect(enclosure.hi).toBeLessThan(0);
  });
  it('certifies a script’s witness for every relation and derivative order', () => {
    const cases: [string, Relation, object, { lo: number; hi: number }][] = [
      // On [0.5, 0.75]: the value, the first and the second derivative each violate the relation.
      ['0.25 - x', '>=0', {}, { lo: 0.5, hi: 0.75 }],
      ['0.5 - x', '>0', {}, { lo: 0.5, hi: 0.75 }],
      ['x - 0.25', '<=0', {}, { lo: 0.5, hi: 0.75 }],
      ['x - 0.5', '<0', {}, { lo: 0.5, hi: 0.75 }],
      ['x^2', '<=0', { derivative: { variable: 'x', order: 1 } }, { lo: 0.5, hi: 0.75 }],
      ['x^3', '<0', { derivative: { variable: 'x', order: 2 } }, { lo: 0.5, hi: 0.75 }],
    ];
    for (const [quantity, relation, derivative, box] of cases) {
      const refuted = statement({ obligations: [], refuted: goal(quantity, relation, derivative) });
      const run = runProofScript({ ...script, witness: [box] }, refuted);
      expect(run.ok, `${quantity} ${relation}: ${run.message}`).toBe(true);
      expect(run.certificate!.witness!.box).toEqual([box]);
    }
    // A witness box where the relation holds somewhere is not certified: the checker refuses it.
    const touching = statement({ obligations: [], refuted: goal('x - 0.5', '<0') });
    const run = runProofScript({ ...script, witness: [{ lo: 0.25, hi: 0.75 }] }, touching);
    expect(run.ok).toBe(false);
    expect(run.message).toMatch(/^the checker rejects the prover's certificate: /);
  });
  it('reports every variable of a failed box, in order', () => {
    const twoVariables = {
      name: 'q',
      variables: ['x', 'y'],
      domain: [
        { lo: 0, hi: 1 },
        { lo: 0, hi: 1 },
      ],
      quantity: 'x + y - 1',
      relation: '>=0' as const,
    };
    const run = runProofScript(script, statement({ obligations: [twoVariables] }), { maxBoxes: 200 });
    expect(run.ok).toBe(false);
    expect(run.message).toMatch(
      /^could not prove "q": .* at x ∈ \[[-0-9.e]+, [-0-9.e]+\], y ∈ \[[-0-9.e]+, [-0-9.e]+\]$/,
    );
  });
  it('widens a witness’s enclosure by the pad on each side where the relation still fails, and keeps an end the pad would carry across 0', () => {
    // [quantity, relation, witness box, the exact value there, which ends may be widened]. The pad
    // (2⁻³⁰ relative, then one ulp) lets a checker whose libm differs in the last bits still find
    // its enclosure inside; an end at 0, or one subnormal step from it, cannot move without the
    // enclosure no longer violating the relation, so it stays as computed.
    const tiny = Number.MIN_VALUE;
    const cases: [string, Relation, { lo: number; hi: number }, { lo: number; hi: number }, boolean, boolean][] = [
      ['0.25 - x', '>=0', { lo: 0.5, hi: 0.75 }, { lo: -0.5, hi: -0.25 }, true, true],
      ['-x', '>=0', { lo: tiny, hi: 0.5 }, { lo: -0.5, hi: -tiny }, true, false],
      ['0.25 - x', '>0', { lo: 0.5, hi: 0.75 }, { lo: -0.5, hi: -0.25 }, true, true],
      ['0.5 - x', '>0', { lo: 0.5, hi: 0.75 }, { lo: -0.25, hi: 0 }, true, false],
      ['x - 0.25', '<=0', { lo: 0.5, hi: 0.75 }, { lo: 0.25, hi: 0.5 }, true, true],
      ['x', '<=0', { lo: tiny, hi: 0.5 }, { lo: tiny, hi: 0.5 }, false, true],
      ['x - 0.25', '<0', { lo: 0.5, hi: 0.75 }, { lo: 0.25, hi: 0.5 }, true, true],
      ['x - 0.5', '<0', { lo: 0.5, hi: 0.75 }, { lo: 0, hi: 0.25 }, false, true],
    ];
    for (const [quantity, relation, box, value, lowerWidened, upperWidened] of cases) {
      const refuted = statement({ obligations: [], refuted: goal(quantity, relation) });
      const run = runProofScript({ ...script, witness: [box] }, refuted);
      const label = `${quantity} ${relation} on [${box.lo}, ${box.hi}]`;
      expect(run.ok, `${label}: ${run.message}`).toBe(true);
      const { enclosure } = run.certificate!.witness!;
      if (lowerWidened) {
        expect(enclosure.lo, label).toBeLessThan(value.lo);
        expect(enclosure.lo, label).toBeGreaterThanOrEqual(value.lo - Math.abs(value.lo) * 2 ** -29);
      } else expect(enclosure.lo, label).toBe(value.lo);
      if (upperWidened) {
        expect(enclosure.hi, label).toBeGreaterThan(value.hi);
        expect(enclosure.hi, label).toBeLessThanOrEqual(value.hi + Math.abs(value.hi) * 2 ** -29);
      } else expect(enclosure.hi, label).toBe(value.hi);
    }
  });
});
