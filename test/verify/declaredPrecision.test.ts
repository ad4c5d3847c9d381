// The precision model a foreign kernel declares in its file's metadata: parsed strictly (every
// refusal names the field and its kind), turned into the BackendPrecision the bounds evaluate, and
// spelled out as the assumptions printed with every verdict (theory/kernel-error.md, check-output).
import { describe, expect, it } from 'vitest';
import { blockedSumDepth } from '../../src/backends/cpuBackend.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  boundAssumptions,
  declaredPrecision,
  parseArithmeticDtype,
  precisionFor,
  type DeclaredPrecision,
} from '../../src/verify/declaredPrecision.js';

function refusal(metadata: Record<string, string>) {
  try {
    declaredPrecision(metadata);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    const { argument, expected, received, problem } = e as InvalidArgumentError;
    return { argument, expected, received, problem };
  }
  throw new Error(`${JSON.stringify(metadata)} was accepted`);
}

const model = (m: Partial<DeclaredPrecision>): DeclaredPrecision => ({
  accumulation: 'fp32',
  sumBlock: null,
  expError: 2 ** -23,
  probability: null,
  ...m,
});

describe('declaredPrecision', () => {
  it('no accumulation: no model', () => {
    expect(declaredPrecision({})).toBeNull();
    expect(declaredPrecision({ dtype: 'fp16', scale: '0.5' })).toBeNull();
  });

  it('the defaults: any summation order, one ulp of exp error, P not rounded', () => {
    expect(declaredPrecision({ accumulation: 'fp32' })).toEqual(model({}));
    expect(declaredPrecision({ accumulation: 'bf16' })).toEqual(model({ accumulation: 'bf16', expError: 2 ** -7 }));
    expect(declaredPrecision({ accumulation: 'fp64' })).toEqual(model({ accumulation: 'fp64', expError: 2 ** -52 }));
  });

  it('every refinement as declared', () => {
    expect(
      declaredPrecision({ accumulation: 'fp16', sum_block: ' 256 ', exp_error: '0.5', probability: 'fp16' }),
    ).toEqual({ accumulation: 'fp16', sumBlock: 256, expError: 0.5, probability: 'fp16' });
    expect(declaredPrecision({ accumulation: 'fp32', exp_error: '3e-7', probability: 'bf16' })).toEqual(
      model({ expError: 3e-7, probability: 'bf16' }),
    );
    expect(declaredPrecision({ accumulation: 'fp32', sum_block: '1' })).toEqual(model({ sumBlock: 1 }));
  });

  it('refinements need an accumulation precision', () => {
    for (const key of ['sum_block', 'exp_error', 'probability'])
      expect(refusal({ [key]: 'fp32' })).toEqual({
        argument: `metadata "${key}"`,
        expected: 'to come with metadata "accumulation" (the precision model it refines)',
        received: 'no accumulation',
        problem: 'domain',
      });
  });

  it('dtype names', () => {
    expect(refusal({ accumulation: 'fp8' })).toEqual({
      argument: 'metadata "accumulation"',
      expected: 'one of fp64, fp32, fp16, bf16',
      received: '"fp8"',
      problem: 'domain',
    });
    expect(refusal({ accumulation: 'fp32', probability: 'half' }).argument).toBe('metadata "probability"');
    expect(refusal({ accumulation: 'fp32', probability: 'fp64' })).toEqual({
      argument: 'metadata "probability"',
      expected: 'fp32, fp16 or bf16 (a rounding of P below the arithmetic precision)',
      received: '"fp64"',
      problem: 'domain',
    });
    expect(parseArithmeticDtype('x', 'bf16')).toBe('bf16');
  });

  it('sum_block: a positive integer', () => {
    for (const value of ['0', '-64', '2.5', '', '  ', 'x', 'Infinity', 'NaN'])
      expect(refusal({ accumulation: 'fp32', sum_block: value })).toEqual({
        argument: 'metadata "sum_block"',
        expected: 'a positive integer',
        received: JSON.stringify(value),
        problem: 'integer',
      });
  });

  it('exp_error: a positive number', () => {
    for (const value of ['0', '-1e-6', '', ' ', 'x', 'Infinity'])
      expect(refusal({ accumulation: 'fp32', exp_error: value })).toEqual({
        argument: 'metadata "exp_error"',
        expected: 'a positive number',
        received: JSON.stringify(value),
        problem: 'range',
      });
  });
});

describe('precisionFor', () => {
  it('fp32 accumulation, fp32 output: u = 2^-24, no P or output rounding, any summation order', () => {
    const p = precisionFor(model({}), 'fp32');
    expect({ ...p, sumDepth: undefined }).toEqual({
      unitRoundoff: 2 ** -24,
      expError: 2 ** -23,
      probabilityRoundoff: 0,
      outputRoundoff: 0,
      sumDepth: undefined,
    });
    expect([1, 7, 4096].map(p.sumDepth)).toEqual([1, 7, 4096]);
    expect(p).not.toHaveProperty('probabilitySmallestNormal');
  });

  it('an output coarser than the accumulation adds its rounding; a finer or equal one does not', () => {
    expect(precisionFor(model({}), 'fp16').outputRoundoff).toBe(2 ** -11);
    expect(precisionFor(model({}), 'fp64').outputRoundoff).toBe(0);
    expect(precisionFor(model({ accumulation: 'fp64' }), 'fp32').outputRoundoff).toBe(2 ** -24);
    expect(precisionFor(model({ accumulation: 'fp16' }), 'fp16').outputRoundoff).toBe(0);
  });

  it('P rounded coarser than the accumulation: u_P, and fp16 P its smallest normal', () => {
    const fp16P = precisionFor(model({ probability: 'fp16' }), 'fp32');
    expect(fp16P.probabilityRoundoff).toBe(2 ** -11);
    expect(fp16P.probabilitySmallestNormal).toBe(2 ** -14);
    const bf16P = precisionFor(model({ probability: 'bf16' }), 'fp32');
    expect(bf16P.probabilityRoundoff).toBe(2 ** -8);
    expect(bf16P).not.toHaveProperty('probabilitySmallestNormal');
    for (const [accumulation, probability] of [
      ['fp32', 'fp32'],
      ['fp16', 'fp16'],
      ['bf16', 'fp16'],
    ] as const) {
      const p = precisionFor(model({ accumulation, probability }), 'fp64');
      expect(p.probabilityRoundoff).toBe(0);
      expect(p).not.toHaveProperty('probabilitySmallestNormal');
    }
  });

  it('a declared block: min(n, B) + ⌈n/B⌉ roundings', () => {
    const p = precisionFor(model({ sumBlock: 64 }), 'fp32');
    expect([1, 64, 65, 1000].map(p.sumDepth)).toEqual([2, 65, 66, 80]);
    expect([1, 64, 65, 1000].map(p.sumDepth)).toEqual([1, 64, 65, 1000].map(blockedSumDepth(64)));
  });
});

describe('boundAssumptions', () => {
  const common = [
    'logits computed as scale·(q·k): d products summed in any order, then one multiply by the rounded scale (FMA allowed)',
    'one softmax over the whole list: m = max of the computed logits, p = exp(z − m), numerator Σ p·v and denominator Σ p, one division at the end',
  ];
  const last = "the result rounded once to the output tensor's dtype";

  it('the defaults', () => {
    expect(boundAssumptions(model({}))).toEqual([
      'every product, sum, subtraction and the final division rounded to nearest in fp32 (u = 2^-24), no flush-to-zero of normal numbers',
      ...common,
      'each exp within a relative error of 1.192e-7 (one ulp: the default); an online softmax that rescales partial sums by extra exp calls must declare their combined error in exp_error',
      'sums in any order (no sum_block declared: a term passes through at most n roundings)',
      'P kept in the accumulation precision before P·V',
      last,
    ]);
  });

  it('every refinement declared', () => {
    expect(
      boundAssumptions(model({ accumulation: 'fp16', sumBlock: 256, expError: 1e-6, probability: 'fp16' })),
    ).toEqual([
      'every product, sum, subtraction and the final division rounded to nearest in fp16 (u = 2^-11), no flush-to-zero of normal numbers',
      ...common,
      'each exp within a relative error of 1.000e-6; an online softmax that rescales partial sums by extra exp calls must declare their combined error in exp_error',
      'sums in blocks of 256 positions whose sums are then added in order (at most min(n, 256) + ⌈n/256⌉ roundings per term)',
      'P rounded to fp16 before P·V (weights below 2^-14 off by less than 2^-14 each: subnormal or flushed)',
      last,
    ]);
    expect(boundAssumptions(model({ probability: 'bf16' }))[5]).toBe('P rounded to bf16 before P·V');
  });
});
