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
