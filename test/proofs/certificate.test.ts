/**
 * The certificate codec (part of the checker's trusted base): encoding round-trips exactly, with
 * infinite bounds written "inf"/"-inf", and every malformed field is refused naming its path.
 */
import { describe, expect, it } from 'vitest';
import {
  CertificateFormatError,
  decodeCertificate,
  encodeCertificate,
  type Certificate,
} from '../../src/proofs/certificate.js';
import { rectangle } from './rectangle.js';

const certificate: Certificate = {
  format: 'prhs-proof-certificate/1',
  claim: 'test.codec',
  verdict: 'refuted',
  statement: 'q ≥ 0',
  domain: 'x ≥ 0, y ∈ [−∞, 1]',
  lemmas: ['a lemma'],
  reduction: 'theory/scalar.md',
  obligations: [
    { kind: 'identity', name: 'id', variables: ['x'], polynomial: 'x - x' },
    {
      kind: 'sign',
      name: 'q',
      variables: ['x', 'y'],
      domain: rectangle(0, Infinity, -Infinity, 1),
      quantity: 'x + y',
      derivative: { variable: 'x', order: 2 },
      relation: '<0',
      boxes: [
        {
          box: rectangle(0, 0.1, -Infinity, 1),
          rule: 'monotone-upper',
          variable: 'y',
          enclosure: { lo: -2, hi: -1 },
          slope: { lo: 1, hi: 1 },
        },
        {
          box: rectangle(0.1, Infinity, -Infinity, 1),
          rule: 'enclosure',
          enclosure: { lo: -Infinity, hi: -5e-324 },
        },
      ],
    },
  ],
  witness: {
    obligation: 1,
    box: rectangle(1, 2, 0, 0.5),
    enclosure: { lo: 1, hi: 2.5 },
  },
};

function raw(): Record<string, unknown> {
  return JSON.parse(encodeCertificate(certificate)) as Record<string, unknown>;
}

function refusal(text: string): string {
  try {
    decodeCertificate(text);
  } catch (error) {
    expect(error).toBeInstanceOf(CertificateFormatError);
    expect((error as Error).name).toBe('CertificateFormatError');
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

/** The encoded certificate with one field replaced (a path of keys and indices). */
function withField(path: (string | number)[], value: unknown): string {
  const r = raw();
  let at: Record<string | number, unknown> = r;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return JSON.stringify(r);
}

describe('certificate codec', () => {
  it('round-trips exactly, infinite bounds as "inf" and "-inf", subnormals included', () => {
    const text = encodeCertificate(certificate);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('"domain": [[0,"inf"],["-inf",1]]');
    expect(decodeCertificate(text)).toEqual(certificate);
    const proved: Certificate = { ...certificate, verdict: 'proved', witness: undefined };
    expect(decodeCertificate(encodeCertificate(proved))).toEqual(proved);
    expect('witness' in decodeCertificate(encodeCertificate(proved))).toBe(false);
  });

  it('keeps a short value on one line and puts each box of a long list on its own line', () => {
    const text = encodeCertificate(certificate);
    expect(text.startsWith('{\n  "format": "prhs-proof-certificate/1",\n  "claim": "test.codec",\n')).toBe(true);
    expect(text).toContain(
      '\n        {"box":[[0,0.1],["-inf",1]],"rule":"monotone-upper","variable":"y","enclosure":[-2,-1],"slope":[1,1]},\n',
    );
    expect(text).toContain('"lemmas": ["a lemma"]');
    expect(text).toContain(
      '\n    {"kind":"identity","name":"id","variables":["x"],"polynomial":"x - x"},\n    {\n      "kind": "sign",\n',
    );
    expect(text.endsWith('\n  "witness": {"obligation":1,"box":[[1,2],[0,0.5]],"enclosure":[1,2.5]}\n}\n')).toBe(true);
  });

  it('a value whose compact form is exactly 160 characters stays on one line; 161 is laid out', () => {
    // "lemmas": [ + quotes: 4 characters around the lemma.
    const at = (n: number) => encodeCertificate({ ...certificate, lemmas: ['x'.repeat(n)] });
    expect(at(156)).toContain(`"lemmas": ["${'x'.repeat(156)}"],\n`);
    expect(at(157)).toContain(`"lemmas": [\n    "${'x'.repeat(157)}"\n  ],\n`);
  });

  it('refuses text that is not a certificate object', () => {
    expect(refusal('{')).toMatch(/^not JSON: /);
    expect(refusal('null')).toBe('certificate: expected an object');
    expect(refusal('[]')).toBe('certificate: expected an object');
    expect(refusal('3')).toBe('certificate: expected an object');
    expect(refusal(withField(['format'], 'prhs-proof-certificate/2'))).toBe(
      'certificate.format: expected "prhs-proof-certificate/1"',
    );
    expect(refusal(withField(['verdict'], 'maybe'))).toBe('certificate.verdict: expected "proved" or "refuted"');
    expect(refusal(withField(['obligations'], []))).toBe('certificate.obligations: expected a non-empty array');
    expect(refusal(withField(['obligations'], {}))).toBe('certificate.obligations: expected a non-empty array');
    expect(refusal(withField(['claim'], 3))).toBe('certificate.claim: expected a string');
    expect(refusal(withField(['statement'], undefined))).toBe('certificate.statement: expected a string');
    expect(refusal(withField(['domain'], null))).toBe('certificate.domain: expected a string');
    expect(refusal(withField(['reduction'], []))).toBe('certificate.reduction: expected a string');
    expect(refusal(withField(['lemmas'], 'a'))).toBe('certificate.lemmas: expected an array of strings');
    expect(refusal(withField(['lemmas'], ['a', 2]))).toBe('certificate.lemmas[1]: expected a string');
  });

  it('refuses malformed obligations, naming the field', () => {
    expect(refusal(withField(['obligations', 0], 'x'))).toBe('obligations[0]: expected an object');
    expect(refusal(withField(['obligations', 1, 'name'], 1))).toBe('obligations[1].name: expected a string');
    expect(refusal(withField(['obligations', 1, 'variables'], 'x'))).toBe(
      'obligations[1].variables: expected an array of strings',
    );
    expect(refusal(withField(['obligations', 0, 'polynomial'], 0))).toBe(
      'obligations[0].polynomial: expected a string',
    );
    expect(refusal(withField(['obligations', 1, 'kind'], 'other'))).toBe(
      'obligations[1].kind: expected "sign" or "identity"',
    );
    expect(refusal(withField(['obligations', 1, 'domain'], [[0, 1]]))).toBe(
      'obligations[1].domain: expected a box of 2 interval(s)',
    );
    expect(refusal(withField(['obligations', 1, 'domain'], 'x'))).toBe(
      'obligations[1].domain: expected a box of 2 interval(s)',
    );
    expect(refusal(withField(['obligations', 1, 'domain', 1], [0]))).toBe(
      'obligations[1].domain[1]: expected an interval [lo, hi]',
    );
    expect(refusal(withField(['obligations', 1, 'domain', 1], { lo: 0, hi: 1 }))).toBe(
      'obligations[1].domain[1]: expected an interval [lo, hi]',
    );
    expect(refusal(withField(['obligations', 1, 'domain', 1], [1, 0]))).toBe(
      'obligations[1].domain[1]: expected lo ≤ hi',
    );
    expect(refusal(withField(['obligations', 1, 'domain', 1], [0, 'Infinity']))).toBe(
      'obligations[1].domain[1][1]: expected a finite number, "inf" or "-inf"',
    );
    // JSON has no infinity: 1e999 parses to one, and only "inf" may say it.
    expect(refusal(withField(['obligations', 1, 'domain', 1], [0, 1]).replace('[0,1]]', '[0,1e999]]'))).toBe(
      'obligations[1].domain[1][1]: expected a finite number, "inf" or "-inf"',
    );
    expect(refusal(withField(['obligations', 1, 'domain', 1], [null, 1]))).toBe(
      'obligations[1].domain[1][0]: expected a finite number, "inf" or "-inf"',
    );
    expect(decodeCertificate(withField(['obligations', 1, 'domain', 1], [1, 1])).obligations[1]).toMatchObject({
      domain: rectangle(0, Infinity, 1, 1),
    });
    expect(refusal(withField(['obligations', 1, 'relation'], '>'))).toBe(
      'obligations[1].relation: expected >=0 or >0 or <=0 or <0',
    );
    expect(refusal(withField(['obligations', 1, 'derivative'], 2))).toBe(
      'obligations[1].derivative: expected an object',
    );
    expect(refusal(withField(['obligations', 1, 'derivative', 'order'], 3))).toBe(
      'obligations[1].derivative.order: expected 1 or 2',
    );
    expect(refusal(withField(['obligations', 1, 'derivative', 'order'], 0))).toBe(
      'obligations[1].derivative.order: expected 1 or 2',
    );
    expect(refusal(withField(['obligations', 1, 'derivative', 'variable'], 1))).toBe(
      'obligations[1].derivative.variable: expected a string',
    );
    expect(decodeCertificate(withField(['obligations', 1, 'derivative', 'order'], 1)).obligations[1]).toMatchObject({
      derivative: { variable: 'x', order: 1 },
    });
    expect(refusal(withField(['obligations', 1, 'quantity'], 1))).toBe('obligations[1].quantity: expected a string');
    expect(refusal(withField(['obligations', 1, 'boxes'], {}))).toBe('obligations[1].boxes: expected an array');
    expect(refusal(withField(['obligations', 1, 'boxes', 1], 1))).toBe('obligations[1].boxes[1]: expected an object');
    expect(refusal(withField(['obligations', 1, 'boxes', 1, 'rule'], 'bisection'))).toBe(
      'obligations[1].boxes[1].rule: expected enclosure or monotone-lower or monotone-upper',
    );
    expect(refusal(withField(['obligations', 1, 'boxes', 1, 'box'], [[0, 1]]))).toBe(
      'obligations[1].boxes[1].box: expected a box of 2 interval(s)',
    );
    expect(refusal(withField(['obligations', 1, 'boxes', 0, 'variable'], 0))).toBe(
      'obligations[1].boxes[0].variable: expected a string',
    );
    expect(refusal(withField(['obligations', 1, 'boxes', 1, 'enclosure'], [2, 1]))).toBe(
      'obligations[1].boxes[1].enclosure: expected lo ≤ hi',
    );
    expect(refusal(withField(['obligations', 1, 'boxes', 0, 'slope'], [1]))).toBe(
      'obligations[1].boxes[0].slope: expected an interval [lo, hi]',
    );
    const plain = decodeCertificate(withField(['obligations', 1, 'derivative'], undefined)).obligations[1]!;
    expect('derivative' in plain).toBe(false);
    const box = decodeCertificate(encodeCertificate(certificate)).obligations[1]!;
    expect(box.kind === 'sign' && ['variable' in box.boxes[1]!, 'slope' in box.boxes[1]!]).toEqual([false, false]);
  });

  it('refuses a malformed witness, naming the field', () => {
    expect(refusal(withField(['witness'], 1))).toBe('certificate.witness: expected an object');
    for (const index of [-1, 2, 0.5, '1']) {
      expect(refusal(withField(['witness', 'obligation'], index))).toBe(
        'certificate.witness.obligation: expected an obligation index in [0, 1]',
      );
    }
    // The witness box has the dimension of the obligation it refutes (here the one-variable identity).
    expect(refusal(withField(['witness', 'obligation'], 0))).toBe(
      'certificate.witness.box: expected a box of 1 interval(s)',
    );
    expect(refusal(withField(['witness', 'box'], [[0, 1]]))).toBe(
      'certificate.witness.box: expected a box of 2 interval(s)',
    );
    expect(refusal(withField(['witness', 'enclosure'], [3, 1]))).toBe(
      'certificate.witness.enclosure: expected lo ≤ hi',
    );
  });
});
