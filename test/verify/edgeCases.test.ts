// The edge cases `prhs cases export` writes (src/verify/edgeCases.ts): what each case says it is
// (name, description, claims: a foreign suite reads them from the manifest), the logit families it
// is built from, its seeded key columns and values, and the stored top-k size.
import { describe, expect, it } from 'vitest';
import { expandLogits } from '../../properties/generators.js';
import { edgeCaseHeadDim, edgeCases, type EdgeCase } from '../../src/verify/edgeCases.js';
import { gaussianSource } from '../../src/verify/randomInputs.js';

const softmax = 'reference.softmax-stable';
const topKOrder = 'reference.topk-order';

function data(c: EdgeCase, name: string): number[] {
  const t = c.tensors.get(name);
  if (!t) throw new Error(`${c.name}: no tensor ${name}`);
  return Array.from(t.data);
}

describe('edgeCases', () => {
  it('names, descriptions and claims of every case, in order', () => {
    expect(edgeCases(32, 4).map((c) => [c.name, c.description, c.claims])).toEqual([
      ['ties', 'exact ties: at most three distinct logits (0, 2.5, 5)', [topKOrder, softmax]],
      [
        'near-ties',
        'near-ties: logits within 1e-12 relative of 3, rounded to fp32 (one-ulp gaps and exact ties)',
        [topKOrder, softmax],
      ],
      ['one-hot', 'one-hot row: one logit +80, the rest -80 (attention all on one token)', [softmax]],
      ['uniform', 'uniform row: every logit equal (attention 1/N each)', [softmax, topKOrder]],
      [
        'huge',
        'huge logits: about half near +80, the rest in [-80, 0] (overflows exp without the max subtraction)',
        [softmax],
      ],
      ['huge-negative', 'every logit near -80 (underflows exp without the max subtraction)', [softmax]],
      ['n1', 'N = 1: a single token (output = its value row)', [softmax]],
      ['k0', 'top-k with k = 0 (an empty result) over tied logits', [topKOrder]],
      [
        'kN',
        'k = N: sparse attention over every token equals dense; top-k of all N is the full (score desc, index asc) order',
        [topKOrder, 'output-error.bound'],
      ],
    ]);
    for (const c of edgeCases(8, 2)) expect(c.metadata).toEqual({ dtype: 'fp32', scale: '0.125' });
  });

  it('the logits are the generator families rounded to fp32; huge-negative is huge with every logit made negative', () => {
    const tokens = 40;
    const byName = new Map(edgeCases(tokens, 4).map((c) => [c.name, c]));
    const fp32 = (z: number[]) => z.map(Math.fround);
    expect(data(byName.get('ties')!, 'logits')).toEqual(fp32(expandLogits('ties', tokens, 1, 2.5)));
    expect(data(byName.get('near-ties')!, 'logits')).toEqual(fp32(expandLogits('near-ties', tokens, 2, 3)));
    expect(data(byName.get('one-hot')!, 'logits')).toEqual(fp32(expandLogits('one-hot', tokens, 3, 0)));
    expect(data(byName.get('uniform')!, 'logits')).toEqual(fp32(expandLogits('uniform', tokens, 4, 7)));
    expect(data(byName.get('huge')!, 'logits')).toEqual(fp32(expandLogits('huge', tokens, 5, 0)));
    expect(data(byName.get('k0')!, 'logits')).toEqual(fp32(expandLogits('ties', tokens, 7, 1)));
    expect(data(byName.get('kN')!, 'logits')).toEqual(fp32(expandLogits('ties', tokens, 8, 0.5)));
    const huge = expandLogits('huge', tokens, 6, 0);
    expect(huge.some((z) => z > 0)).toBe(true);
    const negative = data(byName.get('huge-negative')!, 'logits');
    expect(negative).toEqual(fp32(huge.map((z) => -Math.abs(z))));
    expect(Math.max(...negative)).toBeLessThanOrEqual(0);
    expect(data(byName.get('n1')!, 'logits')).toEqual([0.5]);
  });

  it('case i draws its key columns, then its values, from gaussianSource(1000 + i); k[i][0] = 8·z_i', () => {
    const tokens = 6;
    const valueDim = 3;
    const d = edgeCaseHeadDim;
    edgeCases(tokens, valueDim).forEach((c, i) => {
      const n = c.tensors.get('logits')!.shape[2]!;
      const normal = gaussianSource(1000 + i);
      const k = Array.from({ length: n * d }, () => Math.fround(normal()));
      const z = data(c, 'logits');
      for (let t = 0; t < n; t++) k[t * d] = 8 * z[t]!;
      const v = Array.from({ length: n * valueDim }, () => Math.fround(normal()));
      expect(data(c, 'k'), c.name).toEqual(k);
      expect(data(c, 'v'), c.name).toEqual(v);
      expect(v.every(Number.isFinite)).toBe(true);
      expect(c.tensors.get('k')!.data.length).toBe(n * d);
    });
  });

  it('top-k is stored for min(16, N) unless the case names its k', () => {
    const sizes = (tokens: number) =>
      edgeCases(tokens, 2).map((c) => [c.name, c.tensors.get('topk_reference')!.shape[2]]);
    expect(sizes(40)).toEqual([
      ['ties', 16],
      ['near-ties', 16],
      ['one-hot', 16],
      ['uniform', 16],
      ['huge', 16],
      ['huge-negative', 16],
      ['n1', 1],
      ['k0', 0],
      ['kN', 40],
    ]);
    expect(sizes(5).map(([, k]) => k)).toEqual([5, 5, 5, 5, 5, 5, 1, 0, 5]);
  });
});
