/**
 * The `prhs check-output` report (schema prhs-check-output/1, schemas/): what was checked (dense or
 * sparse, the shape with the list length and k when present), the scale and where it came from,
 * the declared model with its assumptions or null, and JSON that keeps infinite numbers as strings.
 */
import { describe, expect, it } from 'vitest';
import type { AttentionShape } from '../../src/backends/kernelBackend.js';
import { boundAssumptions, type DeclaredPrecision } from '../../src/verify/declaredPrecision.js';
import type { OutputCase } from '../../src/verify/outputCase.js';
import type { OutputCheck } from '../../src/verify/outputCheck.js';
import { checkOutputSchema, outputReport, reportJson } from '../../src/verify/outputReport.js';

const shape: AttentionShape = { batch: 1, queryHeads: 2, kvHeads: 1, tokens: 10, headDim: 4, valueDim: 3 };
const model: DeclaredPrecision = { accumulation: 'fp32', sumBlock: 256, expError: 2 ** -23, probability: 'fp16' };

function outputCase(fields: Partial<OutputCase>): OutputCase {
  return {
    shape,
    storage: 'fp16',
    scale: 0.5,
    scaleDeclared: false,
    precision: null,
    tensors: {},
    lists: null,
    topk: null,
    close: () => undefined,
    ...fields,
  };
}

const check: OutputCheck = {
  heads: [
    {
      batch: 0,
      head: 1,
      maxError: 1e-7,
      bound: Infinity,
      ratio: 0,
      naiveError: 2e-7,
      verdicts: { withinBound: true },
      pass: true,
    },
  ],
  tensors: [
    {
      tensor: 'out',
      maxError: 1e-7,
      bound: Infinity,
      ratio: Number.NaN,
      naiveError: -Infinity,
      verdicts: { withinBound: true },
      pass: true,
    },
  ],
  pass: false,
};

describe('outputReport', () => {
  it('a dense case without a model: kind dense, the plain shape, the default scale, precision null', () => {
    const r = outputReport('case.safetensors', outputCase({}), check, 1.5);
    expect(r).toEqual({
      schema: checkOutputSchema,
      file: 'case.safetensors',
      kind: 'dense',
      shape,
      dtype: 'fp16',
      scale: 0.5,
      scaleSource: 'default 1/sqrt(headDim)',
      precision: null,
      tensors: check.tensors,
      heads: check.heads,
      pass: false,
      seconds: 1.5,
    });
    expect(checkOutputSchema).toBe('prhs-check-output/1');
  });
  it('a sparse case with top-k and a declared model: the list length, k, the declared scale, the model and its assumptions', () => {
    const c = outputCase({
      scaleDeclared: true,
      precision: model,
      lists: { indices: new Int32Array(2 * 3), selected: 3 },
      topk: { indices: new Int32Array(2 * 5), k: 5 },
    });
    const r = outputReport('s.safetensors', c, { ...check, pass: true }, 0);
    expect(r.kind).toBe('sparse');
    expect(r.shape).toEqual({ ...shape, selected: 3, k: 5 });
    expect(r.scaleSource).toBe('declared');
    expect(r.precision).toEqual({
      accumulation: 'fp32',
      sumBlock: 256,
      expError: 2 ** -23,
      probability: 'fp16',
      assumptions: boundAssumptions(model),
    });
    expect(r.precision!.assumptions.length).toBeGreaterThan(0);
    expect(r.pass).toBe(true);
  });
  it('top-k without index lists stays dense and adds only k', () => {
    const r = outputReport('t', outputCase({ topk: { indices: new Int32Array(2), k: 1 } }), check, 0);
    expect(r.kind).toBe('dense');
    expect(r.shape).toEqual({ ...shape, k: 1 });
    expect('selected' in r.shape).toBe(false);
  });
});

describe('reportJson', () => {
  it('writes ±Infinity and NaN as strings and every finite number as a number', () => {
    const parsed = JSON.parse(reportJson(outputReport('f', outputCase({}), check, 2))) as {
      tensors: Record<string, unknown>[];
      heads: Record<string, unknown>[];
      seconds: unknown;
      scale: unknown;
    };
    expect(parsed.tensors[0]).toMatchObject({
      bound: 'Infinity',
      ratio: 'NaN',
      naiveError: '-Infinity',
      maxError: 1e-7,
    });
    expect(parsed.heads[0]).toMatchObject({ bound: 'Infinity', ratio: 0, naiveError: 2e-7 });
    expect(parsed.seconds).toBe(2);
    expect(parsed.scale).toBe(0.5);
  });
});
