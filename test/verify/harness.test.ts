// The harness must catch real kernel bugs: each planted bug below is a plausible mistake, and at
// least one check must fail on it. A harness that passes everything proves nothing.
import { describe, expect, it } from 'vitest';
import type { AttentionInputs, IndexLists, KernelBackend } from '../../src/backends/kernelBackend.js';
import { referenceBackend } from '../../src/backends/reference/referenceBackend.js';
import { gamma, softmaxAverageFactor } from '../../src/verify/errorBounds.js';
import {
  defaultMaxTokens,
  extremeCertifiedInputs,
  largeLogitQueryScale,
  largeLogitShape,
  runKernelChecks,
} from '../../src/verify/harness.js';
import {
  pagedIndexLists,
  randomAttentionInputs,
  randomIndexLists,
  uniformSource,
} from '../../src/verify/randomInputs.js';
import { topKSetViolation } from '../../src/verify/topKComparison.js';
import { compareElements } from '../../src/verify/elementComparison.js';
import { decodeStorage } from '../../src/numeric/storage.js';

const small = { maxTokens: 1024 };

function failingKernels(backend: KernelBackend, dtype: 'fp32' | 'fp16' = 'fp32'): string[] {
  return [
    ...new Set(
      runKernelChecks(backend, dtype, small)
        .filter((r) => !r.pass)
        .map((r) => r.kernel),
    ),
  ];
}

/** The harness's shapes as documented in src/verify/harness.ts, before clamping to maxTokens. */
const documentedShapes = [
  [1, 1, 1, 1, 1, 1],
  [1, 2, 1, 2, 3, 5],
  [2, 4, 2, 33, 17, 9],
  [2, 8, 2, 1000, 64, 64],
  [1, 4, 2, 16384, 64, 32],
  [1, 2, 1, 1 << 20, 8, 8],
  [1, 16, 1, 5000, 128, 128],
  [1, 7, 1, 3000, 96, 96],
  [1, 2, 1, 1 << 20, 64, 64],
].map(([batch, queryHeads, kvHeads, tokens, headDim, valueDim]) => ({
  batch: batch!,
  queryHeads: queryHeads!,
  kvHeads: kvHeads!,
  tokens: tokens!,
  headDim: headDim!,
  valueDim: valueDim!,
}));

/**
 * The checks each shape gets, by the rules written in runKernelChecks: scores unless d·N > 2^20;
 * paged lists for 1000 ≤ N ≤ 2^16; sparse(all) for N ≤ 2^16; the certified bounds for
 * 16 ≤ N ≤ 2^14 (pages of 64 from N = 1000, else 4); head isolation with several heads, lists
 * longer than 1 and N ≤ 2^14.
 */
function expectedChecks(maxTokens: number, dtype: 'fp32' | 'fp16'): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const full of documentedShapes) {
    const s = { ...full, tokens: Math.min(full.tokens, maxTokens) };
    const label = `B${s.batch} Hq${s.queryHeads} Hkv${s.kvHeads} N${s.tokens} d${s.headDim} dv${s.valueDim}`;
    if (seen.has(label)) continue;
    seen.add(label);
    const selected = Math.max(1, Math.floor(s.tokens / 8));
    if (s.headDim * s.tokens <= 1 << 20) out.push(`scores | ${label}`);
    out.push(`decodeAttention | ${label}`, `sparseAttention | ${label} k${selected}`);
    if (s.tokens >= 1000 && s.tokens <= 1 << 16)
      out.push(`sparseAttention | ${label} k${16 * Math.min(Math.floor(s.tokens / 32), 64)} pages of 16`);
    out.push(`droppedMass | ${label} k${selected}`, `scores+topK | ${label} k${Math.min(s.tokens, 64)}`);
    if (s.tokens <= 1 << 16) out.push(`sparse(all)=dense | ${label}`);
    if (s.tokens >= 16 && s.tokens <= 1 << 14)
      for (const kind of ['minmax', 'ball', 'min'])
        out.push(`certifiedDroppedMass(${kind}) | ${label} k${selected} page${s.tokens >= 1000 ? 64 : 4}`);
    if (s.queryHeads > 1 && selected > 1 && s.tokens <= 1 << 14) out.push(`headIsolation | ${label}`);
  }
  if (dtype === 'fp32')
    for (const [rows, columns, k] of [
      [1, 1, 1],
      [1, 2, 0],
      [1, 2, 2],
      [3, 1000, 64],
      [1, 1000, 1000],
      [1, 1 << 20, 2048],
      [1, 1 << 20, 1],
    ] as const) {
      const n = Math.min(columns, maxTokens);
      out.push(`topK | rows${rows} N${n} k${Math.min(k, n)} (ties)`);
    }
  for (const label of [
    'huge q, subnormal keys',
    'top of range, scale 1e300',
    'zero q, keys at ±max',
    'all subnormal',
    'scale 1e-300',
  ])
    for (const kind of ['minmax', 'ball', 'min'])
      for (const page of [2, 3])
        out.push(`certifiedDroppedMass(${kind}) ${label} | B1 Hq2 Hkv1 N8 d3 dv2 k3 page${page}`);
  const large = 'B1 Hq4 Hkv2 N300 d16 dv8';
  out.push(
    `scores | ${large} large logits`,
    `decodeAttention | ${large} large logits`,
    `sparseAttention | ${large} k37 large logits`,
    `droppedMass | ${large} k37 large logits`,
    `scores+topK | ${large} k16 large logits`,
    `sparse(all)=dense | ${large} large logits`,
    'decodeAttention(NaN/Inf) | B1 Hq4 Hkv2 N16 d8 dv4',
  );
  return out;
}

describe('the checks the harness runs', () => {
  it.each([
    [16, 'fp32'],
    [40, 'fp32'],
    [40, 'fp16'],
    [1024, 'fp32'],
  ] as const)(
    'up to %i tokens, %s: every check of the documented list, in order, each reported once',
    (maxTokens, dtype) => {
      const reported: string[] = [];
      const results = runKernelChecks(referenceBackend, dtype, {
        maxTokens,
        onResult: (r) => reported.push(`${r.kernel} | ${r.shape}`),
      });
      const listed = results.map((r) => `${r.kernel} | ${r.shape}`);
      expect(listed).toEqual(expectedChecks(maxTokens, dtype));
      expect(reported).toEqual(listed);
      expect(results.every((r) => r.dtype === dtype && r.pass)).toBe(true);
    },
  );

  it('the default is 2^20 tokens and seed 1', () => {
    expect(defaultMaxTokens).toBe(1 << 20);
    const first = (options: { seed?: number }) =>
      runKernelChecks(referenceBackend, 'fp16', { maxTokens: 2, ...options }).map((r) => [r.kernel, r.maxError]);
    expect(first({})).toEqual(first({ seed: 1 }));
    expect(first({})).not.toEqual(first({ seed: 2 }));
  });
});

describe('the inputs the harness builds', () => {
  const range = {
    fp32: { max: 3.4028234663852886e38, tiny: 2 ** -149 },
    fp16: { max: 65504, tiny: 2 ** -24 },
    bf16: { max: 3.3895313892515355e38, tiny: 2 ** -133 },
  } as const;

  it.each(['fp32', 'fp16', 'bf16'] as const)('extremeCertifiedInputs(%s): the ends of the storage range', (dtype) => {
    const { max, tiny } = range[dtype];
    const cases = extremeCertifiedInputs(dtype, 5);
    expect(cases.map((c) => c.label)).toEqual([
      'huge q, subnormal keys',
      'top of range, scale 1e300',
      'zero q, keys at ±max',
      'all subnormal',
      'scale 1e-300',
    ]);
    const shape = { batch: 1, queryHeads: 2, kvHeads: 1, tokens: 8, headDim: 3, valueDim: 2 };
    const decoded = cases.map(({ inputs }) => {
      expect(inputs.shape).toEqual(shape);
      expect(inputs.dtype).toBe(dtype);
      return {
        q: Array.from(decodeStorage(dtype, inputs.query)),
        k: Array.from(decodeStorage(dtype, inputs.keys)),
        scale: inputs.scale,
      };
    });
    const small = (x: number) => Number.isInteger(Math.abs(x) / tiny) && Math.abs(x) >= tiny && Math.abs(x) <= 7 * tiny;
    const [huge, top, zero, subnormal] = decoded;
    expect(huge!.q.every((x) => Math.abs(x) === max / 2)).toBe(true);
    expect(huge!.k.every(small)).toBe(true);
    expect(huge!.scale).toBe(1 / (max * tiny));
    expect(top!.q.concat(top!.k).every((x) => Math.abs(x) === max)).toBe(true);
    expect(top!.scale).toBe(1e300);
    expect(zero!.q.every((x) => x === 0)).toBe(true);
    expect(zero!.k).toEqual(zero!.k.map((_, i) => (i % 2 === 0 ? max : -max)));
    expect(zero!.scale).toBe(1);
    expect(subnormal!.q.concat(subnormal!.k).every(small)).toBe(true);
    expect(subnormal!.scale).toBe(1 / (tiny * tiny) / 64);
    // Both signs and several multiples of the smallest subnormal are drawn.
    const signed = huge!.q.concat(huge!.k, subnormal!.q, subnormal!.k);
    expect(signed.some((x) => x < 0) && signed.some((x) => x > 0)).toBe(true);
    expect(new Set(subnormal!.k.map((x) => Math.abs(x) / tiny)).size).toBeGreaterThan(2);
    for (const { inputs } of cases.slice(0, 4))
      expect(Array.from(decodeStorage(dtype, inputs.values))).toEqual(Array(16).fill(1));
    const base = randomAttentionInputs(dtype, shape, 5);
    expect(cases[4]!.inputs).toEqual({ ...base, scale: 1e-300 });
  });

  it('the NaN/Inf check plants exactly a NaN query entry, an infinite key and a NaN value; top-k gets tied scores on a grid of 1/8', () => {
    const seen: { decode: AttentionInputs[]; topK: Float32Array[] } = { decode: [], topK: [] };
    const recording: KernelBackend = {
      ...referenceBackend,
      decodeAttention: (inputs) => {
        seen.decode.push(inputs);
        return referenceBackend.decodeAttention(inputs);
      },
      topK: (scores, rows, columns, k) => {
        seen.topK.push(scores);
        return referenceBackend.topK(scores, rows, columns, k);
      },
    };
    // The top-k calls made for each check with ties (those since the previous result).
    const tied: Float32Array[][] = [];
    runKernelChecks(recording, 'fp32', {
      maxTokens: 40,
      seed: 3,
      onResult: (r) => {
        if (r.shape.endsWith('(ties)')) tied.push(seen.topK);
        seen.topK = [];
      },
    });
    const planted = seen.decode.at(-1)!;
    const s = { batch: 1, queryHeads: 4, kvHeads: 2, tokens: 16, headDim: 8, valueDim: 4 };
    expect(planted.shape).toEqual(s);
    const clean = randomAttentionInputs('fp32', s, 3);
    const differences = (name: 'query' | 'keys' | 'values') => {
      const a = decodeStorage('fp32', planted[name]);
      const b = decodeStorage('fp32', clean[name]);
      return Array.from(a.keys())
        .filter((i) => !Object.is(a[i], b[i]))
        .map((i) => [i, a[i]]);
    };
    expect(differences('query')).toEqual([[3, NaN]]);
    expect(differences('keys')).toEqual([[(16 + 5) * 8 + 2, Infinity]]);
    expect(differences('values')).toEqual([[7 * 4 + 1, NaN]]);
    // The top-k checks with ties: values k/8 − 4 for k in 0..63, one array per check.
    expect(tied.map((calls) => calls.map((t) => t.length))).toEqual([[1], [2], [2], [120], [40], [40], [40]]);
    const scores = tied.flat();
    for (const t of scores)
      expect(Array.from(t).every((x) => Number.isInteger((x + 4) * 8) && x >= -4 && x < 4)).toBe(true);
    const values = new Set(scores.flatMap((t) => Array.from(t)));
    expect(values.size).toBeGreaterThan(30);
  });
});

describe('the seeded inputs each check gets', () => {
  it('per shape n: inputs seed + 101n, lists seed + 7n, pages seed + 13n; ties seed + N; large logits seed + 977 and + 983; extreme heads seed + 13n', () => {
    const seed = 3;
    const maxTokens = 1024;
    type Seen = { inputs?: AttentionInputs; lists?: IndexLists; scores?: Float32Array };
    let seen: Seen = {};
    const recording: KernelBackend = {
      ...referenceBackend,
      decodeAttention: (inputs) => {
        seen.inputs ??= inputs;
        return referenceBackend.decodeAttention(inputs);
      },
      sparseAttention: (inputs, lists) => {
        seen.lists ??= lists;
        return referenceBackend.sparseAttention(inputs, lists);
      },
      certifiedDroppedMass: (inputs, lists, summaries, kind) => {
        seen.lists ??= lists;
        return referenceBackend.certifiedDroppedMass(inputs, lists, summaries, kind);
      },
      topK: (scores, rows, columns, k) => {
        seen.scores ??= scores;
        return referenceBackend.topK(scores, rows, columns, k);
      },
    };
    const results: { kernel: string; shape: string; seen: Seen }[] = [];
    runKernelChecks(recording, 'fp32', {
      maxTokens,
      seed,
      onResult: (r) => {
        results.push({ kernel: r.kernel, shape: r.shape, seen });
        seen = {};
      },
    });
    // Compared byte for byte (toEqual on arrays of 10^5 elements costs seconds).
    const bytes = (a: ArrayBufferView | undefined) =>
      a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') : 'none';
    const sameInputs = (a: AttentionInputs | undefined, b: AttentionInputs, what: string) => {
      expect(a && { dtype: a.dtype, shape: a.shape, scale: a.scale }, what).toEqual({
        dtype: b.dtype,
        shape: b.shape,
        scale: b.scale,
      });
      for (const part of ['query', 'keys', 'values'] as const)
        expect(bytes(a?.[part]) === bytes(b[part]), `${what} ${part}`).toBe(true);
    };
    const sameLists = (a: IndexLists | undefined, b: IndexLists, what: string) => {
      expect(a?.selected, what).toBe(b.selected);
      expect(bytes(a?.indices) === bytes(b.indices), what).toBe(true);
    };
    const find = (kernel: string, shape: (label: string) => boolean) => {
      const found = results.filter((r) => r.kernel === kernel && shape(r.shape));
      expect(found.length, kernel).toBeGreaterThan(0);
      return found[0]!.seen;
    };
    const shapes = documentedShapes
      .map((s) => ({ ...s, tokens: Math.min(s.tokens, maxTokens) }))
      .filter((s, i, all) => all.findIndex((t) => JSON.stringify(t) === JSON.stringify(s)) === i);
    shapes.forEach((s, n) => {
      const label = `B${s.batch} Hq${s.queryHeads} Hkv${s.kvHeads} N${s.tokens} d${s.headDim} dv${s.valueDim}`;
      const selected = Math.max(1, Math.floor(s.tokens / 8));
      sameInputs(
        find('decodeAttention', (l) => l === label).inputs,
        randomAttentionInputs('fp32', s, seed + 101 * n),
        label,
      );
      sameLists(
        find('sparseAttention', (l) => l === `${label} k${selected}`).lists,
        randomIndexLists(s, selected, seed + 7 * n, true),
        label,
      );
      if (s.tokens >= 1000) {
        const pages = Math.min(Math.floor(s.tokens / 32), 64);
        sameLists(
          find('sparseAttention', (l) => l.endsWith('pages of 16') && l.startsWith(label)).lists,
          pagedIndexLists(s, 16, pages, seed + 13 * n),
          `${label} pages`,
        );
      }
    });
    // Tied scores: ⌊64·u⌋/8 − 4 from uniformSource(seed + N).
    const tied = (rows: number, n: number) => {
      const uniform = uniformSource(seed + n);
      return Float32Array.from({ length: rows * n }, () => Math.floor(uniform() * 64) / 8 - 4);
    };
    expect(bytes(find('topK', (l) => l === 'rows3 N1000 k64 (ties)').scores)).toBe(bytes(tied(3, 1000)));
    expect(bytes(find('topK', (l) => l === 'rows1 N1024 k1 (ties)').scores)).toBe(bytes(tied(1, 1024)));
    // The six large-logit checks run before any is reported: the first report sees their inputs and lists.
    const large = find('scores', (l) => l.endsWith('large logits'));
    sameInputs(
      large.inputs,
      randomAttentionInputs('fp32', largeLogitShape, seed + 977, { queryScale: largeLogitQueryScale }),
      'large logits',
    );
    sameLists(large.lists, randomIndexLists(largeLogitShape, 37, seed + 983, true), 'large logits');
    extremeCertifiedInputs('fp32', seed).forEach(({ label, inputs }, n) => {
      sameLists(
        find('certifiedDroppedMass(ball) ' + label, (l) => l.endsWith('page3')).lists,
        randomIndexLists(inputs.shape, 3, seed + 13 * n, true),
        label,
      );
    });
  });

  it('extremeCertifiedInputs draws its signs (u < 1/2: negative) and subnormal multiples 1 + ⌊7u⌋ in order', () => {
    const seed = 11;
    const uniform = uniformSource(seed);
    const sign = () => (uniform() < 0.5 ? -1 : 1);
    const small = () => 1 + Math.floor(uniform() * 7);
    const { max, tiny } = { max: 3.4028234663852886e38, tiny: 2 ** -149 };
    const draws = (n: number, f: () => number) => Array.from({ length: n }, f);
    const hugeQ = draws(6, () => (sign() * max) / 2);
    const hugeK = draws(24, () => sign() * small() * tiny);
    const topQ = draws(6, () => sign() * max);
    const topK = draws(24, () => sign() * max);
    const subQ = draws(6, () => sign() * small() * tiny);
    const subK = draws(24, () => sign() * small() * tiny);
    const cases = extremeCertifiedInputs('fp32', seed).map(({ inputs }) => ({
      q: Array.from(decodeStorage('fp32', inputs.query)),
      k: Array.from(decodeStorage('fp32', inputs.keys)),
    }));
    expect(cases[0]).toEqual({ q: hugeQ, k: hugeK });
    expect(cases[1]).toEqual({ q: topQ, k: topK });
    expect(cases[3]).toEqual({ q: subQ, k: subK });
  });
});

describe('planted bugs are caught', () => {
  it('a correct backend passes', () => {
    expect(failingKernels(referenceBackend)).toEqual([]);
  });

  it('an output off by a relative 1e-4 (e.g. fp16 accumulation) fails the bound', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      decodeAttention: (i) => referenceBackend.decodeAttention(i).map((v) => v * (1 + 1e-4)),
    };
    expect(failingKernels(bug)).toContain('decodeAttention');
  });

  it('sparse attention that drops the last index of each list fails', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      sparseAttention: (inputs, lists) => {
        const indices = lists.indices.slice();
        for (let r = 0; r < indices.length / lists.selected; r++)
          if (lists.selected > 1) indices[(r + 1) * lists.selected - 1] = -1;
        return referenceBackend.sparseAttention(inputs, { indices, selected: lists.selected });
      },
    };
    expect(failingKernels(bug)).toEqual(expect.arrayContaining(['sparseAttention', 'sparse(all)=dense']));
  });

  it('top-k with the tie-break reversed (higher index wins) fails', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      topK: (scores, rows, columns, k) => {
        const flipped = new Float32Array(scores.length);
        for (let r = 0; r < rows; r++)
          for (let i = 0; i < columns; i++) flipped[r * columns + i] = scores[r * columns + columns - 1 - i]!;
        const top = referenceBackend.topK(flipped, rows, columns, k);
        return top.map((i) => columns - 1 - i);
      },
    };
    expect(failingKernels(bug)).toContain('topK');
  });

  it('GQA reading the wrong KV head fails', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      decodeAttention: (inputs) =>
        referenceBackend
          .decodeAttention({ ...inputs, shape: inputs.shape })
          .map((v, i, all) =>
            inputs.shape.kvHeads > 1
              ? all[(i + inputs.shape.valueDim * (inputs.shape.queryHeads / inputs.shape.kvHeads)) % all.length]!
              : v,
          ),
    };
    expect(failingKernels(bug)).toContain('decodeAttention');
  });

  it('an unsound δ̂ (10% too small) fails the soundness check', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      certifiedDroppedMass: (...a) => referenceBackend.certifiedDroppedMass(...a).map((d) => d * 0.9),
    };
    expect(failingKernels(bug).some((k) => k.startsWith('certifiedDroppedMass'))).toBe(true);
  });

  it('page radii that underflow to 0 (the audit regime: huge q, subnormal keys) fail the exact-δ check', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      pageSummaries: (...a) => {
        const summaries = referenceBackend.pageSummaries(...a);
        return { ...summaries, radius: summaries.radius.map(() => 0) };
      },
    };
    const failing = runKernelChecks(bug, 'fp32', small).filter((r) => !r.pass);
    expect(
      failing.some((r) => r.kernel.includes('huge q, subnormal keys') && r.verdicts.soundAgainstExactDelta === false),
    ).toBe(true);
  });

  it('a δ̂ of 0 where the ball term is ∞·0 (zero query, radius beyond float range) fails the exact-δ check', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      certifiedDroppedMass: (inputs, lists, summaries, kind) => {
        const zeroQuery = decodeStorage(inputs.dtype, inputs.query).every((x) => x === 0);
        const nan = kind !== 'minmax' && zeroQuery && summaries.radius.some((r) => r === Infinity);
        return referenceBackend.certifiedDroppedMass(inputs, lists, summaries, kind).map((d) => (nan ? 0 : d));
      },
    };
    const failing = runKernelChecks(bug, 'fp32', small).filter((r) => !r.pass);
    expect(failing.some((r) => r.kernel.includes('zero q, keys at ±max'))).toBe(true);
  });

  it('a dropped mass computed as 1 − kept (cancellation at tiny δ) stays inside the bound only if accurate', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      droppedMass: (i, l) => referenceBackend.droppedMass(i, l).map((d) => Math.fround(d + 1e-5)),
    };
    expect(failingKernels(bug)).toContain('droppedMass');
  });

  it('NaN swallowed (NaN → 0) fails the NaN/Inf pattern check', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      decodeAttention: (i) => referenceBackend.decodeAttention(i).map((v) => (Number.isNaN(v) ? 0 : v)),
    };
    expect(failingKernels(bug)).toContain('decodeAttention(NaN/Inf)');
  });

  it('a head leaking into its neighbour fails head isolation', () => {
    const bug: KernelBackend = {
      ...referenceBackend,
      sparseAttention: (inputs, lists) => {
        const out = referenceBackend.sparseAttention(inputs, lists);
        const dv = inputs.shape.valueDim;
        const last = (inputs.shape.queryHeads - 1) * dv; // head isolation changes this head's list
        if (last > 0) out[0] = out[0]! + 1e-3 * out[last]!;
        return out;
      },
    };
    expect(failingKernels(bug)).toContain('headIsolation');
  });
});

describe('error model', () => {
  it('γ_n = nu/(1 − nu) and no bound once nu ≥ 1', () => {
    expect(gamma(10, 2 ** -24)).toBe((10 * 2 ** -24) / (1 - 10 * 2 ** -24));
    expect(gamma(2 ** 24, 2 ** -24)).toBe(Infinity);
  });

  it('the softmax factor grows with logit error, range and length', () => {
    const p = {
      unitRoundoff: 2 ** -24,
      expError: 2 ** -23,
      probabilityRoundoff: 0,
      outputRoundoff: 0,
      sumDepth: (n: number) => n,
    };
    const base = softmaxAverageFactor(p, 100, 1e-6, 10);
    expect(softmaxAverageFactor(p, 100, 1e-5, 10)).toBeGreaterThan(base);
    expect(softmaxAverageFactor(p, 100, 1e-6, 50)).toBeGreaterThan(base);
    expect(softmaxAverageFactor(p, 10000, 1e-6, 10)).toBeGreaterThan(base);
    // First order: 2β + 2u·X + 2·e_exp + 2γ_{n+1} + 2u.
    expect(base).toBeCloseTo(2e-6 + 2 * 2 ** -24 * 10.000002 + 2 * 2 ** -23 + 2 * 101 * 2 ** -24 + 2 * 2 ** -24, 9);
  });

  it('tie-aware top-k: swaps inside the error band are admissible, outside are not', () => {
    const z = [1, 0.999999, 0.5];
    const beta = [1e-6, 1e-6, 1e-6];
    expect(topKSetViolation([1], z, beta)).toBe(0);
    expect(topKSetViolation([2], z, beta)).toBeGreaterThan(0);
  });

  it('verdict (c) compares with twice the naive error', () => {
    const c = compareElements([1.001], [1], [1e-2], 'fp32', { naive: [1.0001] });
    expect(c.verdicts.withinNaive).toBe(false);
    expect(compareElements([1.0001], [1], [1], 'fp32', { naive: [1.0001] }).verdicts.withinNaive).toBe(true);
  });
});

describe('rule (c) catches a lower-precision accumulator inside the bound', () => {
  it('outputs rounded to fp16 (an fp16 P·V accumulator) fail verdict (c)', async () => {
    const { roundToFp16 } = await import('../../src/numeric/halfPrecision.js');
    const bug: KernelBackend = {
      ...referenceBackend,
      decodeAttention: (i) => referenceBackend.decodeAttention(i).map(roundToFp16),
    };
    const decode = runKernelChecks(bug, 'fp32', small).filter(
      (r) => r.kernel === 'decodeAttention' && r.shape.includes('N1000'),
    );
    expect(decode[0]!.verdicts.withinNaive).toBe(false);
  });
});
