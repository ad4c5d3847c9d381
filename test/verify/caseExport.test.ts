// The exported cases must be what the manifest says: exact logits, the generators' families, every
// stored counterexample, written atomically into a fresh folder.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceScores } from '../../src/backends/reference/float64Kernels.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { counterexampleFolder } from '../../src/claims/counterexampleStore.js';
import { exportCases, type ManifestEntry } from '../../src/verify/caseExport.js';
import { openSafetensors, readFloats, readIntegers, type StoredFile } from '../../src/verify/storedTensors.js';

const root = mkdtempSync(join(tmpdir(), 'prhs-cases-'));

function tensor(file: StoredFile, name: string) {
  const t = file.tensors.get(name);
  if (!t) throw new Error(`no tensor ${name}`);
  const count = t.shape.reduce((a, b) => a * b, 1);
  return { shape: t.shape, values: t.type.startsWith('I') ? readIntegers(t, 0, count) : readFloats(t, 0, count) };
}

let exports = 0;

/**
 * Exports every case into a fresh folder. Each test exports its own (not once at collection), so
 * that each one exercises the exporter itself (a mutation run only sees code run inside a test).
 */
function exported() {
  const out = join(root, `cases-${exports++}`);
  const entries = exportCases({ out, tokens: 256 });
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    schema: string;
    cases: ManifestEntry[];
  };
  return { out, entries, manifest };
}

describe('prhs cases export', () => {
  it('writes every edge case and every stored counterexample, listed in the manifest', () => {
    const { out, entries, manifest } = exported();
    expect(manifest.schema).toBe('prhs-cases/1');
    expect(manifest.cases).toEqual(JSON.parse(JSON.stringify(entries)));
    const names = manifest.cases.filter((c) => c.kind === 'edge-case').map((c) => c.file);
    expect(names).toEqual(
      ['ties', 'near-ties', 'one-hot', 'uniform', 'huge', 'huge-negative', 'n1', 'k0', 'kN'].map(
        (n) => `${n}.safetensors`,
      ),
    );
    const stored = readdirSync(counterexampleFolder())
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => JSON.parse(readFileSync(join(counterexampleFolder(), f), 'utf8')) as { claimId: string }[]);
    expect(manifest.cases.filter((c) => c.kind === 'counterexample').map((c) => c.claims[0])).toEqual(
      stored.map((s) => s.claimId),
    );
    expect(readdirSync(out).sort()).toEqual([...manifest.cases.map((c) => c.file), 'manifest.json'].sort());
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('each case file holds the tensors the manifest lists, and scale·q·k equals the stored logits exactly', () => {
    const { out, manifest } = exported();
    for (const entry of manifest.cases.filter((c) => c.kind === 'edge-case')) {
      const file = openSafetensors(join(out, entry.file));
      try {
        for (const [name, info] of Object.entries(entry.tensors))
          expect(file.tensors.get(name)).toMatchObject({ type: info.dtype, shape: info.shape });
        const q = tensor(file, 'q');
        const k = tensor(file, 'k');
        const v = tensor(file, 'v');
        const logits = tensor(file, 'logits').values;
        const [, , tokens, headDim] = k.shape as number[];
        const x = {
          shape: { batch: 1, queryHeads: 1, kvHeads: 1, tokens: tokens!, headDim: headDim!, valueDim: v.shape[3]! },
          query: q.values as Float64Array,
          keys: k.values as Float64Array,
          values: v.values as Float64Array,
          scale: Number(entry.metadata.scale),
        };
        expect(Array.from(referenceScores(x))).toEqual(Array.from(logits));
      } finally {
        file.close();
      }
    }
  });

  it('the families are what their names say', () => {
    const { out } = exported();
    const logitsOf = (name: string) => {
      const file = openSafetensors(join(out, `${name}.safetensors`));
      try {
        return Array.from(tensor(file, 'logits').values);
      } finally {
        file.close();
      }
    };
    expect(new Set(logitsOf('ties')).size).toBeLessThanOrEqual(3);
    expect(new Set(logitsOf('uniform')).size).toBe(1);
    expect(logitsOf('one-hot').filter((z) => z === 80)).toHaveLength(1);
    expect(Math.max(...logitsOf('huge'))).toBeGreaterThan(79);
    expect(logitsOf('n1')).toHaveLength(1);
    const k0 = openSafetensors(join(out, 'k0.safetensors'));
    expect(k0.tensors.get('topk_reference')!.shape).toEqual([1, 1, 0]);
    k0.close();
    const kN = openSafetensors(join(out, 'kN.safetensors'));
    expect(Array.from(tensor(kN, 'reference_out_sparse').values)).toEqual(
      Array.from(tensor(kN, 'reference_out').values),
    );
    expect(kN.tensors.get('topk_reference')!.shape).toEqual([1, 1, 256]);
    kN.close();
  });

  it('a counterexample with a head {q, K, V} is also given in the kernel layout', () => {
    const { manifest } = exported();
    const entry = manifest.cases.find((c) => c.claims[0] === 'cis.theorem-as-stated')!;
    expect(entry.tensors).toMatchObject({
      q: { shape: [1, 1, 2] },
      k: { shape: [1, 1, 2, 2] },
      v: { shape: [1, 1, 2, 1] },
      qPrime: { shape: [2] },
    });
    expect(JSON.parse(entry.metadata.scalars!)).toEqual({ k: 1 });
  });

  it('refuses a folder with files unless replacing, and a file in the way', () => {
    const full = join(root, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'mine.txt'), 'keep me');
    expect(() => exportCases({ out: full })).toThrow(InvalidArgumentError);
    expect(() => exportCases({ out: full })).toThrow(/--out: expected a new or empty folder/);
    expect(existsSync(join(full, 'mine.txt'))).toBe(true);
    exportCases({ out: full, replace: true, tokens: 8 });
    expect(existsSync(join(full, 'mine.txt'))).toBe(false);
    expect(existsSync(join(full, 'manifest.json'))).toBe(true);
    expect(() => exportCases({ out: join(full, 'manifest.json') })).toThrow(/--out: expected a folder to create/);
  });
});

/** A counterexample folder of hand-made entries (one per way a stored entry can be laid out). */
const handMade: Record<string, unknown> = {
  'a.json': {
    claimId: 'claim.a',
    counterexample: [
      {
        q: [1, 2],
        K: [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        V: [[1], [2], [3]],
        nested: {
          m: [
            [1, 2],
            [3, 4],
          ],
          label: 'x',
          ragged: [[1], [2, 3]],
          mixed: [1, 'a'],
          leading: ['a', 1],
          empty: [],
        },
        k: 2,
      },
    ],
    explanation: 'a head',
    seed: 7,
    path: '0:1',
  },
  'm.json': [
    { claimId: 'claim.m', counterexample: [{ a: [1, 2] }, 5, 'text', null], explanation: 'several arguments' },
    { claimId: 'claim.m', counterexample: [null], explanation: 'null' },
    { claimId: 'claim.m', counterexample: [5], explanation: 'a number' },
    { claimId: 'claim.m', counterexample: [[1, 2]], explanation: 'an array' },
    { claimId: 'claim.m', counterexample: [{ q: [[1]], K: [[5]], V: [[7]] }], explanation: 'q of rank 2' },
    { claimId: 'claim.m', counterexample: [{ q: [1], K: [[[1]]], V: [[2]] }], explanation: 'K of rank 3' },
    { claimId: 'claim.m', counterexample: [{ q: [1], K: [[1]], V: [[[2]]] }], explanation: 'V of rank 3' },
    { claimId: 'claim.m', counterexample: [{ q: [1, 2], K: [[1]], V: [[1]] }], explanation: 'K too narrow' },
    { claimId: 'claim.m', counterexample: [{ q: [1], K: [[1]], V: [[1], [2]] }], explanation: 'V too long' },
    { claimId: 'claim.m', counterexample: [{ K: [[1]], V: [[1]] }], explanation: 'no q' },
    { claimId: 'claim.m', counterexample: [{ q: [1], V: [[1]] }], explanation: 'no K' },
    { claimId: 'claim.m', counterexample: [{ q: [1], K: [[1]] }], explanation: 'no V' },
  ],
  'z.json': [{ claimId: 'claim.z', counterexample: [{ x: 1 }], explanation: 'last', seed: 0, path: '' }],
};

/** Runs f with PRHS_COUNTEREXAMPLE_DIR set to folder. */
function withCounterexamples<T>(folder: string, f: () => T): T {
  const saved = process.env.PRHS_COUNTEREXAMPLE_DIR;
  process.env.PRHS_COUNTEREXAMPLE_DIR = folder;
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env.PRHS_COUNTEREXAMPLE_DIR;
    else process.env.PRHS_COUNTEREXAMPLE_DIR = saved;
  }
}

function handMadeFolder(extra: Record<string, string> = {}): string {
  const folder = join(root, `counterexamples-${exports++}`);
  mkdirSync(folder);
  // Written in reverse name order, so that the export's own sort is what orders them.
  for (const [name, content] of Object.entries({ ...extra, ...handMade }).reverse())
    writeFileSync(join(folder, name), typeof content === 'string' ? content : JSON.stringify(content));
  writeFileSync(join(folder, 'notes.txt'), 'not a counterexample');
  return folder;
}

const f64 = (...shape: number[]) => ({ dtype: 'F64', shape });

describe('prhs cases export: stored counterexamples', () => {
  it('every entry of every .json file in name order: tensors named by path, the rest as scalars, kernel layout only for a well-formed head', () => {
    const folder = handMadeFolder();
    const entries = withCounterexamples(folder, () =>
      exportCases({ out: join(root, `cases-${exports++}`), tokens: 8 }),
    ).filter((e) => e.kind === 'counterexample');
    const brief = entries.map((e) => [e.file, e.description, e.claims, e.tensors, e.metadata]);
    const m = (n: number, explanation: string, tensors: object, scalars: object) => [
      `counterexample-claim.m-${n}.safetensors`,
      `stored counterexample to claim.m: ${explanation}`,
      ['claim.m'],
      tensors,
      { claim: 'claim.m', explanation, scalars: JSON.stringify(scalars) },
    ];
    expect(brief).toStrictEqual([
      [
        'counterexample-claim.a-0.safetensors',
        'stored counterexample to claim.a: a head',
        ['claim.a'],
        { q: f64(1, 1, 2), K: f64(3, 2), V: f64(3, 1), 'nested.m': f64(2, 2), k: f64(1, 1, 3, 2), v: f64(1, 1, 3, 1) },
        {
          claim: 'claim.a',
          explanation: 'a head',
          scalars: JSON.stringify({
            'nested.label': 'x',
            'nested.ragged': [[1], [2, 3]],
            'nested.mixed': [1, 'a'],
            'nested.leading': ['a', 1],
            'nested.empty': [],
            k: 2,
          }),
          seed: '7',
          path: '0:1',
        },
      ],
      m(0, 'several arguments', { 'arg0.a': f64(2) }, { arg1: 5, arg2: 'text', arg3: null }),
      m(1, 'null', {}, { arg0: null }),
      m(2, 'a number', {}, { arg0: 5 }),
      m(3, 'an array', { arg0: f64(2) }, {}),
      m(4, 'q of rank 2', { q: f64(1, 1), K: f64(1, 1), V: f64(1, 1) }, {}),
      m(5, 'K of rank 3', { q: f64(1), K: f64(1, 1, 1), V: f64(1, 1) }, {}),
      m(6, 'V of rank 3', { q: f64(1), K: f64(1, 1), V: f64(1, 1, 1) }, {}),
      m(7, 'K too narrow', { q: f64(2), K: f64(1, 1), V: f64(1, 1) }, {}),
      m(8, 'V too long', { q: f64(1), K: f64(1, 1), V: f64(2, 1) }, {}),
      m(9, 'no q', { K: f64(1, 1), V: f64(1, 1) }, {}),
      m(10, 'no K', { q: f64(1), V: f64(1, 1) }, {}),
      m(11, 'no V', { q: f64(1), K: f64(1, 1) }, {}),
      [
        'counterexample-claim.z-0.safetensors',
        'stored counterexample to claim.z: last',
        ['claim.z'],
        {},
        { claim: 'claim.z', explanation: 'last', scalars: JSON.stringify({ x: 1 }), seed: '0', path: '' },
      ],
    ]);
  });

  it("the kernel-layout tensors hold the head's values in order", () => {
    const out = join(root, `cases-${exports++}`);
    withCounterexamples(handMadeFolder(), () => exportCases({ out, tokens: 8 }));
    const file = openSafetensors(join(out, 'counterexample-claim.a-0.safetensors'));
    try {
      expect(Array.from(tensor(file, 'q').values)).toEqual([1, 2]);
      expect(Array.from(tensor(file, 'k').values)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Array.from(tensor(file, 'K').values)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Array.from(tensor(file, 'v').values)).toEqual([1, 2, 3]);
      expect(Array.from(tensor(file, 'nested.m').values)).toEqual([1, 2, 3, 4]);
    } finally {
      file.close();
    }
  });

  it('no counterexample folder: the edge cases alone', () => {
    const entries = withCounterexamples(join(root, 'no-such-folder'), () =>
      exportCases({ out: join(root, `cases-${exports++}`), tokens: 8 }),
    );
    expect(entries.map((e) => e.kind)).toEqual(Array(9).fill('edge-case'));
  });

  it('a malformed stored file: the error goes through, and neither the destination nor a temporary folder is left', () => {
    const parent = join(root, `malformed-${exports++}`);
    const folder = handMadeFolder({ 'b.json': '{ not json' });
    expect(() => withCounterexamples(folder, () => exportCases({ out: join(parent, 'cases'), tokens: 8 }))).toThrow(
      SyntaxError,
    );
    expect(readdirSync(parent)).toEqual([]);
  });

  it.runIf(process.platform === 'linux')(
    'a temporary folder that cannot be made: the error of making it, not of removing it',
    () => {
      let caught: unknown;
      try {
        exportCases({ out: '/proc/prhs-cases-export', tokens: 8 });
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'ENOENT', syscall: 'mkdir' });
    },
  );
});

describe('prhs cases export: the manifest and the destination', () => {
  it("the manifest gives the layout, each tensor's dtype, and ends with a newline", () => {
    const out = join(root, `cases-${exports++}`);
    const entries = withCounterexamples(join(root, 'no-such-folder'), () => exportCases({ out, tokens: 8 }));
    const text = readFileSync(join(out, 'manifest.json'), 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text).layout).toBe(
      'q [batch, queryHeads, headDim], k [batch, kvHeads, tokens, headDim], v [batch, kvHeads, tokens, valueDim]; logits are scale·q·k exactly',
    );
    const dtypes = (name: string) =>
      Object.fromEntries(
        Object.entries(entries.find((e) => e.file === `${name}.safetensors`)!.tensors).map(([n, t]) => [n, t.dtype]),
      );
    expect(dtypes('ties')).toEqual({
      q: 'F32',
      k: 'F32',
      v: 'F32',
      logits: 'F64',
      reference_out: 'F64',
      topk_reference: 'I32',
    });
    expect(dtypes('kN')).toMatchObject({ indices: 'I32', reference_out_sparse: 'F64' });
  });

  it('an existing empty folder is taken without --force', () => {
    const out = join(root, `empty-${exports++}`);
    mkdirSync(out);
    withCounterexamples(join(root, 'no-such-folder'), () => exportCases({ out, tokens: 8 }));
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
  });

  it('the refusals name the argument, what was expected and received, as domain problems', () => {
    const full = join(root, `full-${exports++}`);
    mkdirSync(full);
    writeFileSync(join(full, 'mine.txt'), 'keep me');
    const refusal = (out: string) => {
      try {
        exportCases({ out });
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(refusal(full)).toMatchObject({
      argument: '--out',
      expected: 'a new or empty folder (or --force to replace it)',
      received: `${JSON.stringify(full)}, which has files`,
      problem: 'domain',
    });
    const file = join(full, 'mine.txt');
    expect(refusal(file)).toMatchObject({
      argument: '--out',
      expected: 'a folder to create',
      received: `${JSON.stringify(file)}, an existing file`,
      problem: 'domain',
    });
  });
});
