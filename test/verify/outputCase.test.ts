// A check-output case file is read into the shape, storage dtype, scale, precision model and
// index lists the check needs, and every malformed file is refused with an InvalidArgumentError
// that names the tensor or metadata field, says what was expected and what was found.
import { describe, expect, it } from 'vitest';
import type { AttentionShape } from '../../src/backends/kernelBackend.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { readOutputCase } from '../../src/verify/outputCase.js';
import { scratchPath, writeCase, type CaseTensor } from './caseFiles.js';

const dims: AttentionShape = { batch: 2, queryHeads: 4, kvHeads: 2, tokens: 6, headDim: 4, valueDim: 3 };
const zeros = (shape: readonly number[]): CaseTensor => ({
  shape,
  data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
});
const ints = (shape: readonly number[], values: readonly number[]): CaseTensor => ({
  shape,
  data: Int32Array.from(values),
});

/** q, k, v and a dense out of the given dimensions (zeros: only shapes and types are read here). */
function dense(d: AttentionShape = dims): Record<string, CaseTensor> {
  return {
    q: zeros([d.batch, d.queryHeads, d.headDim]),
    k: zeros([d.batch, d.kvHeads, d.tokens, d.headDim]),
    v: zeros([d.batch, d.kvHeads, d.tokens, d.valueDim]),
    out: zeros([d.batch, d.queryHeads, d.valueDim]),
  };
}

/** Index lists [2, 4, width] from rows of `width` entries each (8 rows). */
function lists(rows: readonly (readonly number[])[]): CaseTensor {
  return ints([2, 4, rows[0]!.length], rows.flat());
}
const goodRows = [
  [0, 1],
  [2, -1],
  [5, 3],
  [4, -1],
  [1, 0],
  [3, 2],
  [0, -1],
  [5, 4],
];

interface Refusal {
  readonly argument: string;
  readonly expected: string;
  readonly received: string;
  readonly problem: string;
}

function refusal(tensors: Record<string, CaseTensor>, metadata: Record<string, string> = {}): Refusal {
  try {
    readOutputCase(writeCase(tensors, metadata)).close();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    const e = error as InvalidArgumentError;
    return { argument: e.argument, expected: e.expected, received: e.received, problem: e.problem };
  }
  throw new Error('the case was accepted');
}

describe('readOutputCase: what a valid case gives', () => {
  it('the shape, the storage dtype of q, the default scale 1/√d, no model, no lists', () => {
    const c = readOutputCase(writeCase(dense()));
    try {
      expect(c.shape).toEqual(dims);
      expect(c.storage).toBe('fp32');
      expect(c.scale).toBe(1 / 2);
      expect(c.scaleDeclared).toBe(false);
      expect(c.precision).toBeNull();
      expect(c.lists).toBeNull();
      expect(c.topk).toBeNull();
      expect(Object.keys(c.tensors).sort()).toEqual(['k', 'out', 'q', 'v']);
    } finally {
      c.close();
    }
  });

  it('one of everything: batch 1, one KV head, valueDim 1, one index per list, k = tokens', () => {
    const d: AttentionShape = { batch: 1, queryHeads: 2, kvHeads: 1, tokens: 3, headDim: 2, valueDim: 1 };
    const c = readOutputCase(
      writeCase(
        {
          ...dense(d),
          indices: ints([1, 2, 1], [2, 0]),
          delta: zeros([1, 2]),
          scores: zeros([1, 2, 3]),
          topk: ints([1, 2, 3], [2, 1, 0, 0, 2, 1]),
        },
        { scale: ' 0.75 ', accumulation: 'fp32' },
      ),
    );
    try {
      expect(c.shape).toEqual(d);
      expect(c.scale).toBe(0.75);
      expect(c.scaleDeclared).toBe(true);
      expect(c.precision?.accumulation).toBe('fp32');
      expect(c.lists!.selected).toBe(1);
      expect([...c.lists!.indices]).toEqual([2, 0]);
      expect(c.topk!.k).toBe(3);
      expect([...c.topk!.indices]).toEqual([2, 1, 0, 0, 2, 1]);
    } finally {
      c.close();
    }
  });

  it('the declared storage dtype wins over the element type of q', () => {
    for (const dtype of ['fp32', 'fp16', 'bf16'] as const) {
      const c = readOutputCase(writeCase(dense(), { dtype }));
      expect(c.storage).toBe(dtype);
      c.close();
    }
    const t = dense();
    const c = readOutputCase(
      writeCase({ ...t, q: { shape: t.q!.shape, data: new Float64Array(32) } }, { dtype: 'fp16' }),
    );
    expect(c.storage).toBe('fp16');
    c.close();
    for (const [type, storage] of [
      ['F16', 'fp16'],
      ['BF16', 'bf16'],
    ] as const) {
      const q: CaseTensor = { shape: t.q!.shape, data: new Uint16Array(32), dtype: type };
      const inferred = readOutputCase(writeCase({ ...t, q }));
      expect(inferred.storage).toBe(storage);
      inferred.close();
    }
  });

  it('index lists: padding -1 allowed in indices, each row read in place', () => {
    const c = readOutputCase(writeCase({ ...dense(), indices: lists(goodRows) }));
    try {
      expect(c.lists!.selected).toBe(2);
      expect([...c.lists!.indices]).toEqual(goodRows.flat());
    } finally {
      c.close();
    }
  });
});

describe('readOutputCase: refusals name the tensor or field', () => {
  it('a file that does not exist', () => {
    const path = scratchPath('no-such-case.safetensors');
    expect(() => readOutputCase(path)).toThrow(
      new InvalidArgumentError('FILE', 'an existing safetensors or .npz file', JSON.stringify(path), 'domain'),
    );
    try {
      readOutputCase(path);
    } catch (error) {
      expect((error as InvalidArgumentError).problem).toBe('domain');
    }
  });

  it('missing or unknown tensors', () => {
    const { q, k, v, out } = dense();
    expect(refusal({ k: k!, v: v!, out: out! })).toEqual({
      argument: 'q',
      expected: 'a tensor q [batch, queryHeads, headDim]',
      received: 'no tensor q in the file',
      problem: 'domain',
    });
    expect(refusal({ q: q!, v: v!, out: out! })).toEqual({
      argument: 'k',
      expected: 'a tensor k [batch, kvHeads, tokens, headDim]',
      received: 'no tensor k in the file',
      problem: 'domain',
    });
    expect(refusal({ q: q!, k: k!, out: out! })).toEqual({
      argument: 'v',
      expected: 'a tensor v [batch, kvHeads, tokens, valueDim] (out needs it)',
      received: 'no tensor v in the file',
      problem: 'domain',
    });
    expect(refusal({ q: q!, k: k!, delta: zeros([2, 4]) })).toEqual({
      argument: 'indices',
      expected: 'the index lists whose dropped mass delta reports',
      received: 'no tensor indices in the file',
      problem: 'domain',
    });
    expect(refusal({ q: q!, k: k!, v: v! })).toEqual({
      argument: 'FILE',
      expected: 'at least one output tensor: out, delta, scores or topk',
      received: 'none',
      problem: 'domain',
    });
    expect(refusal({ ...dense(), output: out! })).toEqual({
      argument: 'output',
      expected: 'one of the tensors q, k, v, out, indices, delta, scores, topk',
      received: 'an unknown tensor "output"',
      problem: 'domain',
    });
  });

  it('a delta or scores or topk alone is an output (no out, no v needed)', () => {
    const { q, k } = dense();
    const outputs: Record<string, CaseTensor>[] = [
      { scores: zeros([2, 4, 6]) },
      { topk: ints([2, 4, 1], [0, 1, 2, 3, 4, 5, 0, 1]) },
      { delta: zeros([2, 4]), indices: lists(goodRows) },
    ];
    for (const extra of outputs) {
      const c = readOutputCase(writeCase({ q: q!, k: k!, ...extra }));
      expect(c.shape.valueDim).toBe(0);
      c.close();
    }
  });

  it('a non-float input or output', () => {
    const t = dense();
    expect(refusal({ ...t, out: ints(t.out!.shape, new Array(24).fill(0)) })).toEqual({
      argument: 'out',
      expected: 'a float tensor (F16, BF16, F32 or F64)',
      received: 'dtype I32',
      problem: 'type',
    });
    expect(refusal({ ...t, q: ints(t.q!.shape, new Array(32).fill(0)) }).argument).toBe('q');
  });

  it('shapes of q, k and v', () => {
    const t = dense();
    expect(refusal({ ...t, q: zeros([8, 4]) })).toEqual({
      argument: 'q.shape',
      expected: '[batch, queryHeads, headDim]',
      received: '[8, 4]',
      problem: 'shape',
    });
    expect(refusal({ ...t, k: zeros([2, 2, 6, 5]) })).toEqual({
      argument: 'k.shape',
      expected: '[batch, kvHeads, tokens, headDim] = [2, kvHeads, tokens, 4]',
      received: '[2, 2, 6, 5]',
      problem: 'shape',
    });
    expect(refusal({ ...t, k: zeros([2, 3, 6, 4]) })).toEqual({
      argument: 'k.shape[1] (kvHeads)',
      expected: 'a divisor of queryHeads = 4',
      received: '3',
      problem: 'shape',
    });
    expect(refusal({ ...t, v: zeros([2, 2, 5, 3]) })).toEqual({
      argument: 'v.shape',
      expected: '[batch, kvHeads, tokens, valueDim] = [2, 2, 6, valueDim]',
      received: '[2, 2, 5, 3]',
      problem: 'shape',
    });
    // A shape with an extra trailing axis is not the expected one, even when its first axes are.
    expect(refusal({ ...t, out: zeros([2, 4, 3, 1]) })).toEqual({
      argument: 'out.shape',
      expected: '[batch, queryHeads, valueDim] = [2, 4, 3]',
      received: '[2, 4, 3, 1]',
      problem: 'shape',
    });
  });

  it('empty axes', () => {
    const empty = (d: Partial<AttentionShape>) => refusal(dense({ ...dims, ...d }));
    expect(empty({ batch: 0 })).toEqual({
      argument: 'q.shape[0] (batch)',
      expected: 'at least 1',
      received: '0',
      problem: 'shape',
    });
    expect(empty({ queryHeads: 0 }).argument).toBe('q.shape[1] (queryHeads)');
    expect(empty({ headDim: 0 }).argument).toBe('q.shape[2] (headDim)');
    expect(empty({ kvHeads: 0, queryHeads: 4 }).argument).toBe('k.shape[1] (kvHeads)');
    expect(empty({ tokens: 0 }).argument).toBe('k.shape[2] (tokens)');
    expect(empty({ valueDim: 0 })).toEqual({
      argument: 'v.shape[3] (valueDim)',
      expected: 'at least 1',
      received: '0',
      problem: 'shape',
    });
  });

  it('shapes of delta, scores, indices and topk', () => {
    const t = dense();
    const rows = lists(goodRows);
    expect(refusal({ ...t, indices: rows, delta: zeros([2, 4, 1]) })).toEqual({
      argument: 'delta.shape',
      expected: '[batch, queryHeads] = [2, 4]',
      received: '[2, 4, 1]',
      problem: 'shape',
    });
    expect(refusal({ ...t, scores: zeros([2, 4, 5]) })).toEqual({
      argument: 'scores.shape',
      expected: '[batch, queryHeads, tokens] = [2, 4, 6]',
      received: '[2, 4, 5]',
      problem: 'shape',
    });
    expect(refusal({ ...t, indices: ints([2, 2, 4], goodRows.flat()) })).toEqual({
      argument: 'indices.shape',
      expected: '[batch, queryHeads, selected] = [2, 4, selected]',
      received: '[2, 2, 4]',
      problem: 'shape',
    });
    expect(refusal({ ...t, topk: ints([4, 4], goodRows.flat()) })).toEqual({
      argument: 'topk.shape',
      expected: '[batch, queryHeads, k] = [2, 4, k]',
      received: '[4, 4]',
      problem: 'shape',
    });
    expect(refusal({ ...t, topk: ints([2, 4, 7], new Array(56).fill(0)) })).toEqual({
      argument: 'topk.shape[2] (k)',
      expected: 'at most tokens = 6',
      received: '7',
      problem: 'shape',
    });
    expect(refusal({ ...t, indices: ints([2, 4, 0], []) })).toEqual({
      argument: 'indices.shape[2] (selected)',
      expected: 'at least 1',
      received: '0',
      problem: 'shape',
    });
  });

  it('index entries out of range, repeated or all padding, at their place', () => {
    const t = dense();
    const at = (row: number, j: number, value: number) => {
      const rows = goodRows.map((r) => r.slice());
      rows[row]![j] = value;
      return lists(rows);
    };
    expect(refusal({ ...t, indices: at(6, 1, -2) })).toEqual({
      argument: 'indices[1, 2, 1]',
      expected: 'a token index in [0, 6) or -1 (padding)',
      received: '-2',
      problem: 'range',
    });
    expect(refusal({ ...t, indices: at(3, 0, 6) }).argument).toBe('indices[0, 3, 0]');
    expect(refusal({ ...t, indices: at(5, 1, 3) })).toEqual({
      argument: 'indices[1, 1, 1]',
      expected: 'distinct indices within a row',
      received: '3 again',
      problem: 'duplicate',
    });
    expect(refusal({ ...t, indices: lists(goodRows.map((r, i) => (i === 5 ? [-1, -1] : r))) })).toEqual({
      argument: 'indices[1, 1]',
      expected: 'at least one real index per row',
      received: 'only padding',
      problem: 'length',
    });
    // top-k lists have no padding
    const full = goodRows.map((r, i) => (i === 6 ? [0, -1] : [r[0]!, (r[0]! + 1) % 6]));
    expect(refusal({ ...t, topk: lists(full) })).toEqual({
      argument: 'topk[1, 2, 1]',
      expected: 'a token index in [0, 6)',
      received: '-1',
      problem: 'range',
    });
  });

  it('metadata: storage dtype and scale', () => {
    expect(refusal(dense(), { dtype: 'fp64' })).toEqual({
      argument: 'metadata "dtype"',
      expected: 'fp32, fp16 or bf16 (the storage dtype of q, k, v)',
      received: '"fp64"',
      problem: 'domain',
    });
    const t = dense();
    expect(refusal({ ...t, q: { shape: t.q!.shape, data: new Float64Array(32) } })).toEqual({
      argument: 'metadata "dtype"',
      expected: 'the storage dtype (fp32, fp16 or bf16) when q is stored as F64',
      received: 'nothing',
      problem: 'domain',
    });
    for (const scale of ['', '   ', 'Infinity', 'NaN', 'x'])
      expect(refusal(dense(), { scale })).toEqual({
        argument: 'metadata "scale"',
        expected: 'a finite number',
        received: JSON.stringify(scale),
        problem: 'finite',
      });
  });
});
