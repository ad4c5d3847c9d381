/**
 * The precision model a foreign kernel declares (file metadata), turned into the BackendPrecision
 * that src/verify/errorBounds.ts evaluates, with the assumptions the bound then rests on spelled
 * out. Without a declared accumulation precision there is no model and no bound verdict.
 */
import type { BackendPrecision } from '../backends/kernelBackend.js';
import { blockedSumDepth } from '../backends/cpuBackend.js';
import { InvalidArgumentError } from '../core/errors.js';
import { unitRoundoff, type StorageDtype } from '../numeric/storage.js';

export type ArithmeticDtype = StorageDtype | 'fp64';
const arithmeticDtypes: readonly ArithmeticDtype[] = ['fp64', 'fp32', 'fp16', 'bf16'];

export interface DeclaredPrecision {
  /** Precision of the kernel's products, sums and exp. */
  readonly accumulation: ArithmeticDtype;
  /** Summation block B (sums of blocks of B, then the block sums in order); null: any order. */
  readonly sumBlock: number | null;
  /** Relative error of one exp evaluation (default one ulp of the accumulation precision, 2u). */
  readonly expError: number;
  /** Precision P is rounded to before P·V (flash-attention kernels feeding fp16 tensor cores); null: none. */
  readonly probability: StorageDtype | null;
}

/** Parses a dtype name from metadata; `field` names the key in errors. */
export function parseArithmeticDtype(field: string, value: string): ArithmeticDtype {
  if (!(arithmeticDtypes as readonly string[]).includes(value))
    throw new InvalidArgumentError(
      `metadata "${field}"`,
      `one of ${arithmeticDtypes.join(', ')}`,
      JSON.stringify(value),
      'domain',
    );
  return value as ArithmeticDtype;
}

function positiveNumber(field: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new InvalidArgumentError(
      `metadata "${field}"`,
      integer ? 'a positive integer' : 'a positive number',
      JSON.stringify(value),
      integer ? 'integer' : 'range',
    );
  }
  return n;
}

/** The declared model from metadata strings (keys accumulation, sum_block, exp_error, probability), or null. */
export function declaredPrecision(metadata: Readonly<Record<string, string>>): DeclaredPrecision | null {
  const { accumulation, sum_block: sumBlock, exp_error: expError, probability } = metadata;
  if (accumulation === undefined) {
    for (const key of ['sum_block', 'exp_error', 'probability']) {
      if (metadata[key] !== undefined)
        throw new InvalidArgumentError(
          `metadata "${key}"`,
          'to come with metadata "accumulation" (the precision model it refines)',
          'no accumulation',
          'domain',
        );
    }
    return null;
  }
  const arithmetic = parseArithmeticDtype('accumulation', accumulation);
  const probabilityDtype = probability === undefined ? null : parseArithmeticDtype('probability', probability);
  if (probabilityDtype === 'fp64')
    throw new InvalidArgumentError(
      'metadata "probability"',
      'fp32, fp16 or bf16 (a rounding of P below the arithmetic precision)',
      '"fp64"',
      'domain',
    );
  return {
    accumulation: arithmetic,
    sumBlock: sumBlock === undefined ? null : positiveNumber('sum_block', sumBlock, true),
    expError: expError === undefined ? 2 * unitRoundoff(arithmetic) : positiveNumber('exp_error', expError, false),
    probability: probabilityDtype,
  };
}

/** The model as a BackendPrecision for one output whose elements are stored in `outputDtype`. */
export function precisionFor(model: DeclaredPrecision, outputDtype: ArithmeticDtype): BackendPrecision {
  const u = unitRoundoff(model.accumulation);
  const uOut = unitRoundoff(outputDtype);
  const uP = model.probability === null ? 0 : unitRoundoff(model.probability);
  return {
    unitRoundoff: u,
    expError: model.expError,
    probabilityRoundoff: uP > u ? uP : 0,
    outputRoundoff: uOut > u ? uOut : 0,
    // With no declared block, a term passes through at most n roundings in any summation order.
    sumDepth: model.sumBlock === null ? (n) => n : blockedSumDepth(model.sumBlock),
    // fp16 P below 2^-14 is subnormal (or flushed): an absolute error there, not u_P relative.
    ...(uP > u && model.probability === 'fp16' ? { probabilitySmallestNormal: 2 ** -14 } : {}),
  };
}

/** What the bound assumes about the kernel, in words (printed with every verdict). */
export function boundAssumptions(model: DeclaredPrecision): string[] {
  const u = `${model.accumulation} (u = 2^${Math.log2(unitRoundoff(model.accumulation))})`;
  return [
    `every product, sum, subtraction and the final division rounded to nearest in ${u}, no flush-to-zero of normal numbers`,
    'logits computed as scale·(q·k): d products summed in any order, then one multiply by the rounded scale (FMA allowed)',
    'one softmax over the whole list: m = max of the computed logits, p = exp(z − m), numerator Σ p·v and denominator Σ p, one division at the end',
    `each exp within a relative error of ${model.expError.toExponential(3)}${model.expError === 2 * unitRoundoff(model.accumulation) ? ' (one ulp: the default)' : ''}; an online softmax that rescales partial sums by extra exp calls must declare their combined error in exp_error`,
    model.sumBlock === null
      ? 'sums in any order (no sum_block declared: a term passes through at most n roundings)'
      : `sums in blocks of ${model.sumBlock} positions whose sums are then added in order (at most min(n, ${model.sumBlock}) + ⌈n/${model.sumBlock}⌉ roundings per term)`,
    model.probability === null
      ? 'P kept in the accumulation precision before P·V'
      : `P rounded to ${model.probability} before P·V${model.probability === 'fp16' ? ' (weights below 2^-14 off by less than 2^-14 each: subnormal or flushed)' : ''}`,
    "the result rounded once to the output tensor's dtype",
  ];
}
