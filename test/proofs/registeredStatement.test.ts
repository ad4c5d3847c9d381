/**
 * A certificate proves its claim only if it states exactly the registered statement. Each test is
 * one tampering found by an outside audit, every one of which `prhs prove --check` and
 * `prhs verify` used to accept: checked here through the same entry points (checkCertificateFile
 * with and without the claim `verify` expects, and the CLI).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificatePath } from '../../src/claims/certificates.js';
import { main } from '../../src/cli/main.js';
import { packageRoot } from '../../src/io/packageRoot.js';
import type { Certificate, SignObligation } from '../../src/proofs/certificate.js';
import { checkCertificateFile } from '../../src/proofs/checkCertificateFile.js';
import {
  canonicalExpression,
  registeredObligations,
  statementMismatch,
  type RegisteredStatement,
} from '../../src/proofs/registeredStatement.js';
import { rectangle } from './rectangle.js';

type Json = Record<string, unknown> & { obligations: Array<Record<string, unknown>> };

function committed(claim: string): Json {
  return JSON.parse(readFileSync(join(packageRoot(), certificatePath(claim)), 'utf8')) as Json;
}

function write(certificate: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'prhs-binding-')), 'tampered.cert.json');
  writeFileSync(file, JSON.stringify(certificate));
  return file;
}

async function proveCheck(file: string): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = (t: string): void => void (out += t);
  const code = await main(['prove', '--check', file], { stdout: sink, stderr: sink, interactive: false });
  return { code, out };
}

/** A check's result is a rejection whose message contains `message`. */
function expectRejected(result: { ok: boolean; message: string }, message: string): void {
  expect(result.ok).toBe(false);
  expect(result.message).toContain(message);
}

/** `prhs prove --check` rejects the file: exit 1, its output containing `message`. */
async function expectCliRejects(file: string, message: string): Promise<void> {
  const cli = await proveCheck(file);
  expect(cli.code).toBe(1);
  expect(cli.out).toContain(message);
}

describe('a certificate not bound to its registered statement is rejected', () => {
  it('an unknown claim id', async () => {
    const file = write({ ...committed('scalar.tanh-below-linear'), claim: 'no.such.claim' });
    const result = checkCertificateFile(file);
    expectRejected(result, 'unknown claim id "no.such.claim"');
    await expectCliRejects(file, 'unknown claim id');
  });

  it('the certificate of scalar.gamma-n-corrected relabelled scalar.tanh-below-linear (as verify reads it)', () => {
    const file = write({ ...committed('scalar.gamma-n-corrected'), claim: 'scalar.tanh-below-linear' });
    for (const result of [checkCertificateFile(file, 'scalar.tanh-below-linear'), checkCertificateFile(file)]) {
      expectRejected(result, 'not the registered statement of scalar.tanh-below-linear');
    }
  });

  it('the same, with the statement text copied too: the obligations differ', () => {
    const tanh = committed('scalar.tanh-below-linear');
    const file = write({
      ...committed('scalar.gamma-n-corrected'),
      claim: tanh.claim,
      statement: tanh.statement,
      domain: tanh.domain,
    });
    const result = checkCertificateFile(file, 'scalar.tanh-below-linear');
    expectRejected(result, '3 obligation(s), but scalar.tanh-below-linear registers 1');
  });

  it('the tanh certificate with its quantity changed to r/2 + 2*tanh(r/4) and its slope to [0, 1.1]', async () => {
    const tanh = committed('scalar.tanh-below-linear');
    const obligation = tanh.obligations[0]!;
    const boxes = (obligation.boxes as Array<Record<string, unknown>>).map((b) => ({ ...b, slope: [0, 1.1] }));
    const file = write({ ...tanh, obligations: [{ ...obligation, quantity: 'r/2 + 2*tanh(r/4)', boxes }] });
    const result = checkCertificateFile(file, 'scalar.tanh-below-linear');
    expectRejected(result, 'quantity "r/2 + 2*tanh(r/4)" is not the registered "r/2 - 2*tanh(r/4)"');
    await expectCliRejects(file, 'is not the registered');
  });

  it('the h-concave certificate with its domain and box shrunk to [0.5, 1]', () => {
    const concave = committed('scalar.h-concave');
    const obligation = concave.obligations[0]!;
    const boxes = (obligation.boxes as Array<Record<string, unknown>>).map((b) => ({ ...b, box: [[0.5, 1]] }));
    const file = write({ ...concave, obligations: [{ ...obligation, domain: [[0.5, 1]], boxes }] });
    for (const result of [checkCertificateFile(file, 'scalar.h-concave'), checkCertificateFile(file)]) {
      expectRejected(result, 'domain x ∈ [0.5, 1] is not the registered domain x ∈ [0, 1]');
    }
  });

  it('a refutation presented as a proof of its claim', () => {
    const refutation = committed('scalar.gamma-n');
    const file = write({ ...refutation, verdict: 'proved', witness: undefined });
    const result = checkCertificateFile(file, 'scalar.gamma-n');
    expectRejected(result, 'verdict "proved" is not the registered "refuted"');
  });

  it('but not a certificate whose expressions differ only in spacing and brackets', () => {
    const tanh = committed('scalar.tanh-below-linear');
    const file = write({
      ...tanh,
      obligations: [{ ...tanh.obligations[0]!, quantity: '(r / 2) - (2 * tanh((r / 4)))' }],
    });
    const result = checkCertificateFile(file, 'scalar.tanh-below-linear');
    expect(result.message).toContain('proof verified');
    expect(result.ok).toBe(true);
  });
});

describe('statementMismatch, field by field', () => {
  const goal = {
    name: 'q',
    variables: ['x', 'y'],
    domain: rectangle(0, Infinity, -Infinity, 1),
    quantity: 'x - 2*y',
    relation: '>=0' as const,
  };
  const identity = { kind: 'identity' as const, name: 'p', variables: ['x'], polynomial: 'x*(x + 1) - x^2 - x' };
  const registered: RegisteredStatement = {
    claim: 'test.claim',
    statement: 'S',
    domain: 'D',
    formal: { obligations: [identity, goal] },
  };
  const sign = (more: Partial<SignObligation> = {}): SignObligation => ({ kind: 'sign', ...goal, boxes: [], ...more });
  const base: Certificate = {
    format: 'prhs-proof-certificate/1',
    claim: 'test.claim',
    verdict: 'proved',
    statement: 'S',
    domain: 'D',
    lemmas: [],
    reduction: '',
    obligations: [identity, sign()],
  };
  const mismatch = (change: Partial<Certificate>, against = registered) =>
    statementMismatch({ ...base, ...change }, against);

  it('accepts the registered statement, in any spelling of its expressions', () => {
    expect(mismatch({})).toBeUndefined();
    expect(
      mismatch({
        obligations: [{ ...identity, polynomial: '((x)*(x+1)) - x^2 - (x)' }, sign({ quantity: '(x) - (2.0*y)' })],
      }),
    ).toBeUndefined();
    expect(mismatch({ obligations: [identity, sign({ quantity: 'x - 20e-1*y' })] })).toBeUndefined();
  });

  it('names the first difference', () => {
    expect(mismatch({ claim: 'other' })).toBe('the certificate is for other, not test.claim');
    expect(mismatch({ verdict: 'refuted' })).toBe('verdict "refuted" is not the registered "proved" for test.claim');
    expect(mismatch({ statement: 'T' })).toBe('the statement text is not the registered statement of test.claim');
    expect(mismatch({ domain: 'E' })).toBe('the domain text "E" is not the registered "D"');
    expect(mismatch({ obligations: [identity] })).toBe('1 obligation(s), but test.claim registers 2');
    expect(mismatch({ obligations: [sign(), sign()] })).toBe(
      'obligation 0 is a sign obligation, the registered one is a identity obligation',
    );
    expect(mismatch({ obligations: [identity, { ...identity, name: 'q' }] })).toBe(
      'obligation 1 is a identity obligation, the registered one is a sign obligation',
    );
    expect(mismatch({ obligations: [{ ...identity, name: 'r' }, sign()] })).toBe(
      'obligation 0 is named "r", the registered one "p"',
    );
    expect(mismatch({ obligations: [{ ...identity, variables: ['y'] }, sign()] })).toBe(
      'obligation 0 has variables (y), the registered ones are (x)',
    );
    expect(mismatch({ obligations: [identity, sign({ variables: ['y', 'x'] })] })).toBe(
      'obligation 1 has variables (y, x), the registered ones are (x, y)',
    );
    expect(mismatch({ obligations: [identity, sign({ variables: ['x'] })] })).toBe(
      'obligation 1 has variables (x), the registered ones are (x, y)',
    );
    expect(mismatch({ obligations: [{ ...identity, polynomial: 'x*(x + 1) - x^2 + x' }, sign()] })).toBe(
      'obligation 0 polynomial "x*(x + 1) - x^2 + x" is not the registered "x*(x + 1) - x^2 - x"',
    );
    expect(
      mismatch({
        obligations: [
          identity,
          sign({
            domain: rectangle(0, 1, -Infinity, 1),
          }),
        ],
      }),
    ).toBe('obligation 1 domain x ∈ [0, 1], y ∈ [−∞, 1] is not the registered domain x ∈ [0, ∞], y ∈ [−∞, 1]');
    expect(
      mismatch({
        obligations: [
          identity,
          sign({
            domain: rectangle(0, Infinity, -1, 1),
          }),
        ],
      }),
    ).toContain('obligation 1 domain');
    expect(mismatch({ obligations: [identity, sign({ relation: '>0' })] })).toBe(
      'obligation 1 relation >0 is not the registered >=0',
    );
    expect(mismatch({ obligations: [identity, sign({ derivative: { variable: 'x', order: 1 } })] })).toBe(
      'obligation 1 derivative ∂^1/∂x^1 is not the registered none',
    );
    expect(mismatch({ obligations: [identity, sign({ quantity: 'x - 2*y + 0' })] })).toBe(
      'obligation 1 quantity "x - 2*y + 0" is not the registered "x - 2*y"',
    );
    expect(mismatch({ obligations: [identity, sign({ quantity: 'x - 2.5*y' })] })).toContain(
      'quantity "x - 2.5*y" is not the registered',
    );
  });

  it('a domain with fewer intervals than the registered one is a different domain (an in-memory certificate the decoder never built)', () => {
    expect(mismatch({ obligations: [identity, sign({ domain: [{ lo: 0, hi: Infinity }] })] })).toBe(
      'obligation 1 domain x ∈ [0, ∞] is not the registered domain x ∈ [0, ∞], y ∈ [−∞, 1]',
    );
    // An interval beyond the variables is shown without a name.
    const longer = [
      { lo: 0, hi: Infinity },
      { lo: -Infinity, hi: 1 },
      { lo: 0, hi: 1 },
    ];
    expect(mismatch({ obligations: [identity, sign({ domain: longer })] })).toBe(
      'obligation 1 domain x ∈ [0, ∞], y ∈ [−∞, 1], ? ∈ [0, 1] is not the registered domain x ∈ [0, ∞], y ∈ [−∞, 1]',
    );
  });

  it('compares derivatives by variable and order', () => {
    const withDerivative: RegisteredStatement = {
      ...registered,
      formal: { obligations: [identity, { ...goal, derivative: { variable: 'y', order: 2 } }] },
    };
    const against = (derivative?: SignObligation['derivative']) =>
      mismatch({ obligations: [identity, sign(derivative ? { derivative } : {})] }, withDerivative);
    expect(against({ variable: 'y', order: 2 })).toBeUndefined();
    expect(against({ variable: 'x', order: 2 })).toBe(
      'obligation 1 derivative ∂^2/∂x^2 is not the registered ∂^2/∂y^2',
    );
    expect(against({ variable: 'y', order: 1 })).toBe(
      'obligation 1 derivative ∂^1/∂y^1 is not the registered ∂^2/∂y^2',
    );
    expect(against()).toBe('obligation 1 derivative none is not the registered ∂^2/∂y^2');
  });

  it('a refutation: its false goal comes last and the witness must refute it', () => {
    const refuted: RegisteredStatement = { ...registered, formal: { obligations: [identity], refuted: goal } };
    const witness = {
      obligation: 1,
      box: rectangle(0, 1, 0, 1),
      enclosure: { lo: -2, hi: -1 },
    };
    expect(registeredObligations(refuted.formal)).toEqual([identity, goal]);
    expect(registeredObligations(registered.formal)).toBe(registered.formal.obligations);
    expect(mismatch({ verdict: 'refuted', witness }, refuted)).toBeUndefined();
    expect(mismatch({ verdict: 'proved', witness }, refuted)).toBe(
      'verdict "proved" is not the registered "refuted" for test.claim',
    );
    expect(mismatch({ verdict: 'refuted', witness: { ...witness, obligation: 0 } }, refuted)).toBe(
      'the witness refutes obligation 0, not the registered false goal (obligation 1)',
    );
  });
});

describe('canonicalExpression', () => {
  it('parenthesises fully and writes numbers as reduced fractions', () => {
    expect(canonicalExpression('x + 2*y', ['x', 'y'])).toBe('(x+(2*y))');
    expect(canonicalExpression('0.50*x', ['x'])).toBe('(1/2*x)');
    expect(canonicalExpression('5e-1 * x', ['x'])).toBe('(1/2*x)');
    expect(canonicalExpression('-x^3 / 4', ['x'])).toBe(canonicalExpression('(-(x^3))/4', ['x']));
    expect(canonicalExpression('exp(x) - h(y)', ['x', 'y'])).toBe('(exp(x)-h(y))');
    expect(canonicalExpression('x - y - 1', ['x', 'y'])).toBe('((x-y)-1)');
    expect(canonicalExpression('x - (y - 1)', ['x', 'y'])).toBe('(x-(y-1))');
    expect(canonicalExpression('x*y/2', ['x', 'y'])).toBe('((x*y)/2)');
    expect(canonicalExpression('-x', ['x'])).toBe('(-x)');
    expect(canonicalExpression('x^2', ['x'])).toBe('(x^2)');
    expect(canonicalExpression('x +', ['x'])).toBe('unparsable: unexpected end of "x +"');
  });
});
