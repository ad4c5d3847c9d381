import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { proofScripts } from '../../proofs/index.js';
import { certificatePath, registeredStatement } from '../../src/claims/certificates.js';
import {
  decodeCertificate,
  type BoxProof,
  type Certificate,
  type SignObligation,
} from '../../src/proofs/certificate.js';
import { checkCertificate } from '../../src/proofs/checker.js';
import { checkCertificateFile } from '../../src/proofs/checkCertificateFile.js';
import type { RegisteredStatement } from '../../src/proofs/registeredStatement.js';
import { packageRoot } from '../../src/io/packageRoot.js';
import { rectangle } from './rectangle.js';

function load(claim: string): Certificate {
  return decodeCertificate(readFileSync(join(packageRoot(), certificatePath(claim)), 'utf8'));
}

/** Checks a certificate against the registered statement of the claim it names. */
function check(certificate: Certificate) {
  return checkCertificate(certificate, registeredStatement(certificate.claim));
}

/** A registered statement made from the certificate itself, to test the box checks alone. */
function selfRegistered(certificate: Certificate): RegisteredStatement {
  const goals = certificate.obligations.map((o) => {
    if (o.kind === 'identity') return o;
    return {
      name: o.name,
      variables: o.variables,
      domain: o.domain,
      quantity: o.quantity,
      relation: o.relation,
      ...(o.derivative ? { derivative: o.derivative } : {}),
    };
  });
  const refuted = certificate.witness ? goals.pop() : undefined;
  return {
    claim: certificate.claim,
    statement: certificate.statement,
    domain: certificate.domain,
    formal: { obligations: goals, ...(refuted && !('kind' in refuted) ? { refuted } : {}) },
  };
}

/** A copy of the certificate with obligation `index` replaced. */
function withObligation(
  certificate: Certificate,
  index: number,
  change: (o: SignObligation) => SignObligation,
): Certificate {
  const obligations = certificate.obligations.map((o, i) => (i === index && o.kind === 'sign' ? change(o) : o));
  return { ...certificate, obligations };
}

/** A copy of the certificate with box `index` of its first obligation replaced. */
function withBox(certificate: Certificate, index: number, change: (b: BoxProof) => BoxProof): Certificate {
  return withObligation(certificate, 0, (o) => ({ ...o, boxes: o.boxes.map((b, i) => (i === index ? change(b) : b)) }));
}

describe('the checker accepts every committed certificate', () => {
  it('all of them', () => {
    for (const script of proofScripts) {
      const result = checkCertificateFile(join(packageRoot(), certificatePath(script.claim)), script.claim);
      expect(result.ok, `${script.claim}: ${result.message}`).toBe(true);
      expect(result.verdict).toBe(registeredStatement(script.claim)!.formal.refuted ? 'refuted' : 'proved');
    }
  });
});

describe('the checker rejects', () => {
  const corrected = load('scalar.gamma-n-corrected');
  const first = corrected.obligations[0] as SignObligation;

  it('a certificate with a box removed, naming the gap', () => {
    const removed = first.boxes[1]!;
    const result = check(withObligation(corrected, 0, (o) => ({ ...o, boxes: o.boxes.filter((_, i) => i !== 1) })));
    expect(result.ok).toBe(false);
    expect(result.message).toContain('gap');
    expect(result.message).toContain(`z ∈ [${removed.box[0]!.lo}, ${removed.box[0]!.hi}]`);
  });

  it('a tampered enclosure (recomputed one no longer inside), naming the box', () => {
    const result = check(withBox(corrected, 2, (b) => ({ ...b, enclosure: { lo: 1, hi: 2 } })));
    expect(result.ok).toBe(false);
    expect(result.message).toContain('box #2');
    expect(result.message).toContain('not inside the certified');
  });

  it('an enclosure widened until it no longer decides, naming the box', () => {
    const result = check(withBox(corrected, 2, (b) => ({ ...b, enclosure: { lo: -1, hi: 1 } })));
    expect(result.ok).toBe(false);
    expect(result.message).toContain('box #2');
    expect(result.message).toContain('does not decide');
  });

  it('a box stretched so that its recomputed enclosure no longer decides', () => {
    const result = check(withBox(corrected, 1, (b) => ({ ...b, box: [{ lo: 0, hi: b.box[0]!.hi }] })));
    expect(result.ok).toBe(false);
    expect(result.message).toContain('box #1');
  });

  it('a certificate claiming a false inequality: h(x) + x·ln 2 increasing on all of [0, 1]', () => {
    const refutation = load('scalar.h-plus-xlnm-not-increasing-beyond');
    const goal = refutation.obligations[0] as SignObligation;
    const forged: Certificate = {
      ...refutation,
      claim: 'scalar.h-plus-xlnm-increasing',
      verdict: 'proved',
      witness: undefined,
      obligations: [
        { ...goal, boxes: [{ box: [{ lo: 0, hi: 1 }], rule: 'enclosure', enclosure: { lo: 0, hi: Infinity } }] },
      ],
    };
    const result = checkCertificate(forged, selfRegistered(forged));
    expect(result.ok).toBe(false);
    expect(result.message).toContain('box #0 (x ∈ [0, 1])');
    // Splitting finer does not help: the box beyond 2/3 fails on its own.
    const split: Certificate = {
      ...forged,
      obligations: [
        {
          ...goal,
          boxes: [
            { box: [{ lo: 0, hi: 0.5 }], rule: 'enclosure', enclosure: { lo: 0, hi: Infinity } },
            { box: [{ lo: 0.5, hi: 1 }], rule: 'enclosure', enclosure: { lo: 0, hi: Infinity } },
          ],
        },
      ],
    };
    const second = checkCertificate(split, selfRegistered(split));
    expect(second.ok).toBe(false);
    expect(second.message).toContain('box #1 (x ∈ [0.5, 1])');
  });

  it('a changed quantity', () => {
    const tanh = load('scalar.tanh-below-linear');
    const result = check(withObligation(tanh, 0, (o) => ({ ...o, quantity: 'r/3 - 2*tanh(r/4)' })));
    expect(result.ok).toBe(false);
  });

  it('a false identity', () => {
    const softmax = load('scalar.softmax-two-point-max');
    const obligations = softmax.obligations.map((o) =>
      o.kind === 'identity' ? { ...o, polynomial: `${o.polynomial} + x*E` } : o,
    );
    const tampered = { ...softmax, obligations };
    expect(check(tampered).message).toContain('polynomial');
    const result = checkCertificate(tampered, selfRegistered(tampered));
    expect(result.ok).toBe(false);
    expect(result.message).toContain('not 0');
  });

  it('a witness moved to where the claim holds', () => {
    const refutation = load('scalar.h-plus-xlnm-not-increasing-beyond');
    const result = check({ ...refutation, witness: { ...refutation.witness!, box: [{ lo: 0.1, hi: 0.2 }] } });
    expect(result.ok).toBe(false);
    expect(result.message).toContain('x ∈ [0.1, 0.2]');
  });

  it('a certificate presented for another claim', () => {
    expect(checkCertificate(load('scalar.h-concave'), registeredStatement('scalar.tanh-below-linear')).ok).toBe(false);
  });
});

describe('the box checks alone accept the audit tamperings, so the binding to the registry is what rejects them', () => {
  it('tanh with quantity r/2 + 2*tanh(r/4) and slope [0, 1.1]; h-concave on [0.5, 1]', () => {
    const tanh = withObligation(load('scalar.tanh-below-linear'), 0, (o) => ({
      ...o,
      quantity: 'r/2 + 2*tanh(r/4)',
      boxes: o.boxes.map((b) => ({ ...b, slope: { lo: 0, hi: 1.1 } })),
    }));
    const concave = withObligation(load('scalar.h-concave'), 0, (o) => ({
      ...o,
      domain: [{ lo: 0.5, hi: 1 }],
      boxes: o.boxes.map((b) => ({ ...b, box: [{ lo: 0.5, hi: 1 }] })),
    }));
    for (const tampered of [tanh, concave]) {
      expect(checkCertificate(tampered, selfRegistered(tampered)).ok).toBe(true);
      expect(check(tampered).ok).toBe(false);
    }
  });
});

/**
 * The checker's rules one by one, on small synthetic certificates whose enclosures are known by
 * hand (x on [0, 1] is [0, 1] with slope 1; x² has slope 2x ∈ [0, 2]; x³ on [−1, 1] has
 * 3x² ∈ [0, 3] and 6x ∈ [−6, 6]). Each is checked against a registered statement made from the
 * certificate itself, so only the box, identity and witness checks can reject it.
 */
describe('the checker rule by rule', () => {
  const unit = [{ lo: 0, hi: 1 }];
  type Box = SignObligation['boxes'][number];

  function sign(
    quantity: string,
    relation: SignObligation['relation'],
    boxes: Box[],
    more: Partial<SignObligation> = {},
  ): SignObligation {
    return { kind: 'sign', name: 'q', variables: ['x'], domain: unit, quantity, relation, boxes, ...more };
  }
  function enclosure(lo: number, hi: number, box = unit): Box {
    return { box, rule: 'enclosure', enclosure: { lo, hi } };
  }
  function certificate(obligations: Certificate['obligations'], witness?: Certificate['witness']): Certificate {
    return {
      format: 'prhs-proof-certificate/1',
      claim: 'test.synthetic',
      verdict: witness ? 'refuted' : 'proved',
      statement: 'a synthetic statement',
      domain: 'a synthetic domain',
      lemmas: [],
      reduction: 'none',
      obligations,
      ...(witness ? { witness } : {}),
    };
  }
  function run(...obligations: Certificate['obligations']) {
    const c = certificate(obligations);
    return checkCertificate(c, selfRegistered(c));
  }
  function refute(
    obligation: SignObligation,
    witness: Omit<NonNullable<Certificate['witness']>, 'obligation'>,
    before: Certificate['obligations'] = [],
  ) {
    const c = certificate([...before, obligation], { obligation: before.length, ...witness });
    return checkCertificate(c, selfRegistered(c));
  }

  it('accepts an enclosure that decides, and reports what it checked', () => {
    const result = run(sign('x', '>=0', [enclosure(0, 1)]));
    expect(result).toEqual({
      ok: true,
      claim: 'test.synthetic',
      verdict: 'proved',
      boxes: 1,
      message: 'proof verified: 1 obligation(s), 1 box(es)',
    });
    expect(run(sign('-x', '<=0', [enclosure(-1, 0)])).ok).toBe(true);
    expect(run(sign('x + 1', '>0', [enclosure(1, 2)])).ok).toBe(true);
    expect(run(sign('x - 2', '<0', [enclosure(-2, -1)])).ok).toBe(true);
  });

  it('a strict relation is not decided by an enclosure that touches 0 (the audit: lo = 0 for > 0)', () => {
    expect(run(sign('x', '>0', [enclosure(0, 1)])).message).toBe(
      'obligation 0 "q" box #0 (x ∈ [0, 1]): enclosure [0, 1] does not decide >0',
    );
    expect(run(sign('-x', '<0', [enclosure(-1, 0)])).message).toBe(
      'obligation 0 "q" box #0 (x ∈ [0, 1]): enclosure [-1, 0] does not decide <0',
    );
    expect(run(sign('x', '<=0', [enclosure(0, 1)])).message).toContain('does not decide <=0');
    expect(run(sign('-x', '>=0', [enclosure(-1, 0)])).message).toContain('does not decide >=0');
  });

  it('recomputes the enclosure and requires it inside the certified one, on both ends', () => {
    expect(run(sign('x + 1', '>0', [enclosure(1.5, 2)])).message).toBe(
      'obligation 0 "q" box #0 (x ∈ [0, 1]): recomputed enclosure [1, 2] is not inside the certified [1.5, 2]',
    );
    expect(run(sign('x + 1', '>0', [enclosure(1, 1.5)])).message).toContain(
      'recomputed enclosure [1, 2] is not inside the certified [1, 1.5]',
    );
  });

  it('refuses a quantity not defined on the whole box', () => {
    expect(run(sign('log(x)', '<=0', [enclosure(-Infinity, 0)])).message).toBe(
      'obligation 0 "q" box #0 (x ∈ [0, 1]): the quantity is not defined and continuous on the whole box',
    );
  });

  it('decides the derivative the obligation names: ∂x³ = 3x² ∈ [0, 3] on [−1, 1], ∂²x³ = 6x is not decided', () => {
    const cube = (order: 1 | 2, lo: number, hi: number) =>
      sign('x^3', '>=0', [enclosure(lo, hi, [{ lo: -1, hi: 1 }])], {
        domain: [{ lo: -1, hi: 1 }],
        derivative: { variable: 'x', order },
      });
    expect(run(cube(1, 0, 3)).ok).toBe(true);
    expect(run(cube(2, 0, 3)).message).toContain('recomputed enclosure [-6, 6] is not inside the certified [0, 3]');
    expect(run(cube(2, -6, 6)).message).toContain('enclosure [-6, 6] does not decide >=0');
    expect(run(sign('x^3', '>=0', [enclosure(0, 3)], { derivative: { variable: 'y', order: 1 } })).message).toBe(
      'obligation 0 "q": derivative variable "y" is not a variable',
    );
  });

  it('monotone rules: the slope towards the face with the sign, then the face', () => {
    const lower: Box = {
      box: unit,
      rule: 'monotone-lower',
      variable: 'x',
      slope: { lo: 1, hi: 1 },
      enclosure: { lo: 0, hi: 0 },
    };
    const upper: Box = {
      box: unit,
      rule: 'monotone-upper',
      variable: 'x',
      slope: { lo: -1, hi: -1 },
      enclosure: { lo: 0, hi: 0 },
    };
    expect(run(sign('x', '>=0', [lower])).ok).toBe(true);
    expect(run(sign('1 - x', '>=0', [upper])).ok).toBe(true);
    expect(run(sign('-x', '<=0', [{ ...lower, slope: { lo: -1, hi: -1 } }])).ok).toBe(true);
    expect(run(sign('x - 1', '<=0', [{ ...upper, slope: { lo: 1, hi: 1 } }])).ok).toBe(true);
    // A slope touching 0 is monotone enough: x² (slope [0, 2]) and −x² (slope [−2, 0]) from x = 0.
    expect(run(sign('x^2', '>=0', [{ ...lower, slope: { lo: 0, hi: 2 } }])).ok).toBe(true);
    expect(run(sign('-(x^2)', '<=0', [{ ...lower, slope: { lo: -2, hi: 0 } }])).ok).toBe(true);
    const at = 'obligation 0 "q" box #0 (x ∈ [0, 1])';
    expect(run(sign('x', '>=0', [{ ...upper, slope: { lo: 1, hi: 1 } }])).message).toBe(
      `${at}: slope [1, 1] along x does not have the sign the rule needs`,
    );
    expect(run(sign('-x', '<=0', [lower])).message).toBe(
      `${at}: recomputed slope [-1, -1] is not inside the certified [1, 1]`,
    );
    expect(run(sign('x', '>=0', [{ ...lower, slope: { lo: 1, hi: 2 } }])).ok).toBe(true);
    expect(run(sign('x', '>=0', [{ ...lower, slope: { lo: 0, hi: 0.5 } }])).message).toBe(
      `${at}: recomputed slope [1, 1] is not inside the certified [0, 0.5]`,
    );
    expect(run(sign('x', '>=0', [{ ...lower, enclosure: { lo: 0.5, hi: 1 } }])).message).toBe(
      `${at}: recomputed face enclosure [0, 0] is not inside the certified [0.5, 1]`,
    );
    expect(run(sign('x', '>0', [lower])).message).toBe(`${at}: face enclosure [0, 0] does not decide >0`);
    const noSlope: Box = { box: unit, rule: 'monotone-lower', variable: 'x', enclosure: { lo: 0, hi: 0 } };
    expect(run(sign('x', '>=0', [noSlope])).message).toBe(`${at}: monotone rule without a slope enclosure`);
    const noVariable: Box = { box: unit, rule: 'monotone-lower', slope: { lo: 1, hi: 1 }, enclosure: { lo: 0, hi: 0 } };
    expect(run(sign('x', '>=0', [noVariable])).message).toBe(`${at}: monotone rule without a valid variable`);
    expect(run(sign('x', '>=0', [{ ...lower, variable: 'y' }])).message).toBe(
      `${at}: monotone rule without a valid variable`,
    );
    expect(run(sign('log(x)', '<=0', [{ ...upper, slope: { lo: 1, hi: Infinity } }])).message).toBe(
      `${at}: the quantity is not defined and continuous on the whole box`,
    );
    expect(
      run(sign('x^2', '>=0', [{ ...lower, slope: { lo: 0, hi: 2 } }], { derivative: { variable: 'x', order: 1 } }))
        .message,
    ).toBe(`${at}: monotone rules apply to order-0 quantities only`);
    const halfLine = [{ lo: 0, hi: Infinity }];
    const unbounded: Box = { ...upper, box: halfLine };
    expect(run(sign('x', '>=0', [unbounded], { domain: halfLine })).message).toBe(
      'obligation 0 "q" box #0 (x ∈ [0, ∞]): the face of a monotone rule must be finite',
    );
  });

  it('monotone rules in two variables use the named variable and keep the other side of the box', () => {
    // q = x + y on [0, 1]²: increasing in x, so it is ≥ 0 where it is on the face x = 0 (q = y ∈ [0, 1]).
    const square = rectangle(0, 1, 0, 1);
    const box: Box = {
      box: square,
      rule: 'monotone-lower',
      variable: 'y',
      slope: { lo: 1, hi: 1 },
      enclosure: { lo: 0, hi: 1 },
    };
    const obligation = (b: Box) => ({ ...sign('x + y', '>=0', [b]), variables: ['x', 'y'], domain: square });
    expect(run(obligation(box)).ok).toBe(true);
    expect(run(obligation({ ...box, variable: 'x' })).ok).toBe(true);
    expect(run(obligation({ ...box, enclosure: { lo: 0, hi: 0 } })).message).toContain(
      'recomputed face enclosure [0, 1] is not inside the certified [0, 0]',
    );
  });

  it('names bad variables, domains and quantities', () => {
    expect(run(sign('1', '>0', [], { variables: [], domain: [] })).message).toBe('obligation 0 "q": no variables');
    for (const name of ['1x', 'x_1', 'exp', '']) {
      expect(run(sign('1', '>0', [enclosure(1, 1)], { variables: [name] })).message).toBe(
        `obligation 0 "q": bad or repeated variable name "${name}"`,
      );
    }
    expect(run(sign('1', '>0', [], { variables: ['x', 'x'], domain: [...unit, ...unit] })).message).toBe(
      'obligation 0 "q": bad or repeated variable name "x"',
    );
    expect(run(sign('x', '>=0', [enclosure(0, 1)], { variables: ['x2'] })).message).toContain('obligation 0 "q": ');
    expect(run(sign('x2', '>=0', [enclosure(0, 1)], { variables: ['x2'] })).ok).toBe(true);
    expect(run(sign('x', '>=0', [enclosure(1, 1, [{ lo: 1, hi: 1 }])], { domain: [{ lo: 1, hi: 1 }] })).message).toBe(
      'obligation 0 "q": the domain of x has no width',
    );
    expect(run(sign('x', '>=0', [], { domain: [{ lo: 1, hi: 0 }] })).message).toBe(
      'obligation 0 "q": the domain of x has no width',
    );
    expect(run(sign('x +', '>=0', [enclosure(0, 1)])).message).toBe('obligation 0 "q": unexpected end of "x +"');
    expect(run(sign('x', '>=0', [])).message).toBe('obligation 0 "q": no boxes');
  });

  it('boxes must lie in the domain and cover it, in every dimension', () => {
    expect(run(sign('x', '>=0', [enclosure(0, 1.5, [{ lo: 0, hi: 1.5 }])])).message).toBe(
      'obligation 0 "q" box #0 (x ∈ [0, 1.5]) leaves the domain',
    );
    expect(run(sign('x + 1', '>=0', [enclosure(0, 2, [{ lo: -0.5, hi: 1 }])])).message).toBe(
      'obligation 0 "q" box #0 (x ∈ [-0.5, 1]) leaves the domain',
    );
    expect(run(sign('x', '>=0', [enclosure(0, 0.5, [{ lo: 0, hi: 0.5 }])])).message).toBe(
      'obligation 0 "q": gap: x ∈ [0.5, 1] is covered by no box',
    );
    expect(run(sign('x', '>=0', [enclosure(0.5, 1, [{ lo: 0.5, hi: 1 }])])).message).toBe(
      'obligation 0 "q": gap: x ∈ [0, 0.5] is covered by no box',
    );
    const halfLine = [{ lo: 0, hi: Infinity }];
    expect(run(sign('x', '>=0', [enclosure(0, 1)], { domain: halfLine })).message).toBe(
      'obligation 0 "q": gap: x ∈ [1, ∞] is covered by no box',
    );
    expect(
      run(sign('x', '<=0', [enclosure(-1, 0, [{ lo: -1, hi: 0 }])], { domain: [{ lo: -Infinity, hi: 0 }] })).message,
    ).toBe('obligation 0 "q": gap: x ∈ [−∞, -1] is covered by no box');
    // Two dimensions: three quarters of [0, 1]² covered, each quarter named by both coordinates.
    const quarter = (x: number, y: number): Box =>
      enclosure(1, 3, [
        { lo: x, hi: x + 0.5 },
        { lo: y, hi: y + 0.5 },
      ]);
    const square = (boxes: Box[]) => ({
      ...sign('x + y + 1', '>0', boxes),
      variables: ['x', 'y'],
      domain: rectangle(0, 1, 0, 1),
    });
    const all = [quarter(0, 0), quarter(0, 0.5), quarter(0.5, 0), quarter(0.5, 0.5)];
    expect(run(square(all)).message).toBe('proof verified: 1 obligation(s), 4 box(es)');
    for (let missing = 0; missing < 4; missing++) {
      const [x, y] = [
        [0, 0],
        [0, 0.5],
        [0.5, 0],
        [0.5, 0.5],
      ][missing]!;
      expect(run(square(all.filter((_, i) => i !== missing))).message).toBe(
        `obligation 0 "q": gap: x ∈ [${x}, ${x + 0.5}], y ∈ [${y}, ${y + 0.5}] is covered by no box`,
      );
    }
    // One box spanning the whole x range and half the y range, the other half by two boxes.
    expect(run(square([enclosure(1, 3, rectangle(0, 1, 0, 0.5)), quarter(0, 0.5), quarter(0.5, 0.5)])).ok).toBe(true);
  });

  it('a monotone rule towards the wrong face cannot prove a false inequality', () => {
    // 0.5 − x ≥ 0 is false at x = 1; it holds on the face x = 0, but q decreases away from it.
    const lower: Box = {
      box: unit,
      rule: 'monotone-lower',
      variable: 'x',
      slope: { lo: -1, hi: -1 },
      enclosure: { lo: 0.5, hi: 0.5 },
    };
    expect(run(sign('0.5 - x', '>=0', [lower])).message).toBe(
      'obligation 0 "q" box #0 (x ∈ [0, 1]): slope [-1, -1] along x does not have the sign the rule needs',
    );
    // x − 0.5 ≤ 0 is false at x = 1; it holds on the face x = 0, but q increases away from it.
    expect(
      run(sign('x - 0.5', '<=0', [{ ...lower, slope: { lo: 1, hi: 1 }, enclosure: { lo: -0.5, hi: -0.5 } }])).message,
    ).toContain('does not have the sign the rule needs');
  });

  it('in two dimensions a box or witness must lie in the domain, and be bounded, along every axis', () => {
    const square = rectangle(0, 1, 0, 1);
    const obligation = (boxes: Box[]) => ({ ...sign('x + y + 1', '>0', boxes), variables: ['x', 'y'], domain: square });
    expect(run(obligation([enclosure(1, 4, rectangle(0, 1, 0, 1.5))])).message).toBe(
      'obligation 0 "q" box #0 (x ∈ [0, 1], y ∈ [0, 1.5]) leaves the domain',
    );
    const halfPlane = rectangle(0, 1, 0, Infinity);
    const goal = { ...sign('x + y', '<0', []), variables: ['x', 'y'], domain: halfPlane };
    expect(
      refute(goal, {
        box: rectangle(0, 1, 1, 2),
        enclosure: { lo: 1, hi: 3 },
      }).ok,
    ).toBe(true);
    expect(
      refute(goal, {
        box: rectangle(0, 1, 1, Infinity),
        enclosure: { lo: 1, hi: Infinity },
      }).message,
    ).toBe('witness for obligation "q" (x ∈ [0, 1], y ∈ [1, ∞]): the witness must be bounded');
    expect(
      refute(goal, {
        box: rectangle(0, 2, 1, 2),
        enclosure: { lo: 1, hi: 4 },
      }).message,
    ).toBe('witness for obligation "q" (x ∈ [0, 2], y ∈ [1, 2]): the witness leaves the domain');
  });

  it('checks a coverage grid of exactly 4,000,000 cells', () => {
    // 2000 strips along x and 2000 along y: 2001 coordinates per axis, 2000² cells, all covered.
    const n = 2000;
    const strip = (i: number, axis: 0 | 1): Box => {
      const part = { lo: i / n, hi: (i + 1) / n };
      return enclosure(1, 3, axis === 0 ? [part, { lo: 0, hi: 1 }] : [{ lo: 0, hi: 1 }, part]);
    };
    const boxes = [
      ...Array.from({ length: n }, (_, i) => strip(i, 0)),
      ...Array.from({ length: n }, (_, i) => strip(i, 1)),
    ];
    const square = {
      ...sign('x + y + 1', '>0', boxes),
      variables: ['x', 'y'],
      domain: rectangle(0, 1, 0, 1),
    };
    expect(run(square).message).toBe(`proof verified: 1 obligation(s), ${2 * n} box(es)`);
  });

  it('refuses to enumerate a coverage grid of more than 4,000,000 cells', () => {
    // 2001 diagonal boxes in [0, 1]²: 2002 coordinates per axis, 2001² cells.
    const n = 2001;
    const boxes = Array.from({ length: n }, (_, i) =>
      enclosure(0, 3, [
        { lo: i / n, hi: (i + 1) / n },
        { lo: i / n, hi: (i + 1) / n },
      ]),
    );
    const square = {
      ...sign('x + y + 1', '>0', boxes),
      variables: ['x', 'y'],
      domain: rectangle(0, 1, 0, 1),
    };
    expect(run(square).message).toBe(`obligation 0 "q": too many grid cells to check coverage (${n * n})`);
  });

  it('identities: checked on a grid one larger than the degree, in exact arithmetic', () => {
    const identity = (polynomial: string, variables = ['x', 'y']) => ({
      kind: 'identity' as const,
      name: 'p',
      variables,
      polynomial,
    });
    expect(run(identity('(x + y)^2 - x^2 - 2*x*y - y^2')).message).toBe('proof verified: 1 obligation(s), 0 box(es)');
    expect(run(identity('(x + y)^2 - x^2 - y^2')).message).toBe(
      'obligation 0 "p": the polynomial is 2/1, not 0, at x = 1, y = 1',
    );
    // x(x − 1)(x − 2) vanishes at 0, 1, 2: only the fourth point of its degree-3 grid shows it.
    expect(run(identity('x*(x - 1)*(x - 2)', ['x'])).message).toBe(
      'obligation 0 "p": the polynomial is 6/1, not 0, at x = 3',
    );
    expect(run(identity('y*(y - 1) + 0*x', ['x', 'y'])).message).toBe(
      'obligation 0 "p": the polynomial is 2/1, not 0, at x = 0, y = 2',
    );
    expect(run(identity('0.5*x - x*0.5', ['x'])).ok).toBe(true);
    expect(run(identity('0.5*x', ['x'])).message).toBe('obligation 0 "p": the polynomial is 1/2, not 0, at x = 1');
    expect(run(identity('x', [])).message).toBe('obligation 0 "p": no variables');
    expect(run(identity('x', ['x', 'x'])).message).toBe('obligation 0 "p": bad or repeated variable name "x"');
    expect(run(identity('x +', ['x'])).message).toBe('obligation 0 "p": unexpected end of "x +"');
    expect(run(identity('exp(x) - exp(x)', ['x'])).message).toBe(
      'obligation 0 "p": an identity must be a polynomial: "call exp" is not allowed',
    );
    expect(run(identity('(x*y*z)^64 - (x*y*z)^64', ['x', 'y', 'z'])).message).toBe(
      'obligation 0 "p": degree too high to check (274625 grid points)',
    );
  });

  it('counts the boxes of every obligation, and stops at the first failing one', () => {
    const good = sign('x', '>=0', [enclosure(0, 0.5, [{ lo: 0, hi: 0.5 }]), enclosure(0.5, 1, [{ lo: 0.5, hi: 1 }])]);
    expect(run(good, { ...good, name: 'r' }).message).toBe('proof verified: 2 obligation(s), 4 box(es)');
    const failing = run(good, { ...good, name: 'r', relation: '>0' });
    expect(failing.ok).toBe(false);
    expect(failing.boxes).toBe(2);
    expect(failing.message).toBe('obligation 1 "r" box #0 (x ∈ [0, 0.5]): enclosure [0, 0.5] does not decide >0');
  });

  describe('witnesses', () => {
    const falseGoal = (relation: SignObligation['relation'], quantity = 'x') => sign(quantity, relation, []);
    const where = 'witness for obligation "q"';

    it('a witness box on which the relation fails everywhere refutes; the proved obligations before it are checked', () => {
      const before = [sign('x', '>=0', [enclosure(0, 1)])];
      expect(refute(falseGoal('<0'), { box: unit, enclosure: { lo: 0, hi: 1 } }, before)).toEqual({
        ok: true,
        claim: 'test.synthetic',
        verdict: 'refuted',
        boxes: 2,
        message: 'refutation verified: 2 obligation(s), 2 box(es)',
      });
      expect(
        refute(falseGoal('<0'), { box: unit, enclosure: { lo: 0, hi: 1 } }, [sign('x', '>0', [enclosure(0, 1)])])
          .message,
      ).toContain('obligation 0 "q" box #0');
      expect(refute(falseGoal('>0', '-x'), { box: unit, enclosure: { lo: -1, hi: 0 } }).ok).toBe(true);
      expect(refute(falseGoal('<=0'), { box: [{ lo: 0.5, hi: 1 }], enclosure: { lo: 0.5, hi: 1 } }).ok).toBe(true);
      expect(refute(falseGoal('>=0', '-x'), { box: [{ lo: 0.5, hi: 1 }], enclosure: { lo: -1, hi: -0.5 } }).ok).toBe(
        true,
      );
    });

    it('a witness that touches the relation does not refute it', () => {
      expect(refute(falseGoal('<=0'), { box: unit, enclosure: { lo: 0, hi: 1 } }).message).toBe(
        `${where} (x ∈ [0, 1]): enclosure [0, 1] does not violate <=0`,
      );
      expect(refute(falseGoal('>=0', '-x'), { box: unit, enclosure: { lo: -1, hi: 0 } }).message).toBe(
        `${where} (x ∈ [0, 1]): enclosure [-1, 0] does not violate >=0`,
      );
      expect(refute(falseGoal('<0'), { box: [{ lo: 0.5, hi: 1 }], enclosure: { lo: -1, hi: 1 } }).message).toContain(
        'does not violate <0',
      );
      expect(refute(falseGoal('>0'), { box: [{ lo: 0.5, hi: 1 }], enclosure: { lo: -1, hi: 1 } }).message).toContain(
        'does not violate >0',
      );
    });

    it('the witness is recomputed, bounded, inside the domain, and the refuted obligation has no boxes', () => {
      expect(refute(falseGoal('<0'), { box: unit, enclosure: { lo: 0.5, hi: 1 } }).message).toBe(
        `${where} (x ∈ [0, 1]): recomputed enclosure [0, 1] is not inside the certified [0.5, 1]`,
      );
      expect(refute(falseGoal('<0'), { box: unit, enclosure: { lo: 0, hi: 0.5 } }).message).toContain(
        'recomputed enclosure [0, 1] is not inside the certified [0, 0.5]',
      );
      expect(refute(falseGoal('<0'), { box: [{ lo: 0.5, hi: 1.5 }], enclosure: { lo: 0.5, hi: 1.5 } }).message).toBe(
        `${where} (x ∈ [0.5, 1.5]): the witness leaves the domain`,
      );
      expect(refute(falseGoal('<0'), { box: [{ lo: -0.5, hi: 0.5 }], enclosure: { lo: 0, hi: 1 } }).message).toBe(
        `${where} (x ∈ [-0.5, 0.5]): the witness leaves the domain`,
      );
      const halfLine = [{ lo: 0, hi: Infinity }];
      expect(
        refute(sign('x', '<0', [], { domain: halfLine }), {
          box: [{ lo: 1, hi: Infinity }],
          enclosure: { lo: 1, hi: Infinity },
        }).message,
      ).toBe(`${where} (x ∈ [1, ∞]): the witness must be bounded`);
      const line = [{ lo: -Infinity, hi: 0 }];
      expect(
        refute(sign('x', '>0', [], { domain: line }), {
          box: [{ lo: -Infinity, hi: -1 }],
          enclosure: { lo: -Infinity, hi: -1 },
        }).message,
      ).toBe(`${where} (x ∈ [−∞, -1]): the witness must be bounded`);
      expect(refute(sign('log(x)', '>0', []), { box: unit, enclosure: { lo: -Infinity, hi: 0 } }).message).toBe(
        `${where} (x ∈ [0, 1]): the quantity is not defined on the whole witness`,
      );
      expect(refute(sign('x', '<0', [enclosure(0, 1)]), { box: unit, enclosure: { lo: 0, hi: 1 } }).message).toBe(
        `${where}: a refuted obligation carries no boxes`,
      );
      expect(
        refute(sign('x', '<0', [], { variables: ['exp'] }), { box: unit, enclosure: { lo: 0, hi: 1 } }).message,
      ).toBe(`${where}: bad or repeated variable name "exp"`);
    });

    it('a derivative witness needs width along the variable, and refutes the derivative', () => {
      const slope = (box: typeof unit, lo: number, hi: number) =>
        refute(sign('x^2', '<0', [], { derivative: { variable: 'x', order: 1 } }), { box, enclosure: { lo, hi } });
      expect(slope([{ lo: 0.5, hi: 1 }], 1, 2).ok).toBe(true);
      expect(slope([{ lo: 0.5, hi: 0.5 }], 1, 1).message).toBe(
        `${where} (x ∈ [0.5, 0.5]): a derivative witness needs positive width along x`,
      );
      const point = refute(sign('x', '<0', []), { box: [{ lo: 0.5, hi: 0.5 }], enclosure: { lo: 0.5, hi: 0.5 } });
      expect(point.message).toBe('refutation verified: 1 obligation(s), 1 box(es)');
    });

    it('a proof carries no witness and a refutation needs one', () => {
      const proved = certificate([sign('x', '>=0', [enclosure(0, 1)])]);
      const withWitness = { ...proved, witness: { obligation: 0, box: unit, enclosure: { lo: 0, hi: 1 } } };
      expect(checkCertificate(withWitness, selfRegistered(proved)).message).toBe('a proof carries no witness');
      const refuted = certificate([falseGoal('<0')], { obligation: 0, box: unit, enclosure: { lo: 0, hi: 1 } });
      expect(checkCertificate({ ...refuted, witness: undefined }, selfRegistered(refuted)).message).toBe(
        'a refutation needs a witness',
      );
    });
  });

  it('names an unknown claim and a statement that is not the registered one', () => {
    const c = certificate([sign('x', '>=0', [enclosure(0, 1)])]);
    expect(checkCertificate(c, undefined)).toEqual({
      ok: false,
      claim: 'test.synthetic',
      verdict: 'proved',
      boxes: 0,
      message: 'unknown claim id "test.synthetic": no machine-checked claim of the registry has that id',
    });
    expect(checkCertificate({ ...c, statement: 'another' }, selfRegistered(c)).message).toBe(
      'not the registered statement of test.synthetic: the statement text is not the registered statement of test.synthetic',
    );
  });
});

// Last: it runs every scalar claim (seconds), and the faster tests above decide most mutants first.
describe('runClaim on certificate claims', () => {
  it('reports machine-checked for proofs and fails for verified refutations', async () => {
    const { claims } = await import('../../src/claims/registry.js');
    const { runClaim } = await import('../../src/claims/runClaim.js');
    const scalar = claims.filter((c) => c.id.startsWith('scalar.'));
    expect(scalar.length).toBe(proofScripts.length);
    for (const claim of scalar) {
      const result = runClaim(claim);
      expect(result.status, `${claim.id}: ${result.evidence}`).toBe(
        claim.expected === 'holds' ? 'machine-checked' : 'fails',
      );
      expect(result.asExpected).toBe(true);
    }
  });
});
