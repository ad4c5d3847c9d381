/** The report of `prhs check-output` (schema prhs-check-output/1): what was checked, under which model, and the verdicts. */
import type { AttentionShape } from '../backends/kernelBackend.js';
import type { StorageDtype } from '../numeric/storage.js';
import { boundAssumptions } from './declaredPrecision.js';
import type { OutputCase } from './outputCase.js';
import type { HeadResult, OutputCheck, TensorResult } from './outputCheck.js';

export const checkOutputSchema = 'prhs-check-output/1';

export interface CheckOutputReport {
  readonly schema: typeof checkOutputSchema;
  readonly file: string;
  /** dense: out is attention over every token; sparse: over each head's index list. */
  readonly kind: 'dense' | 'sparse';
  readonly shape: AttentionShape & { readonly selected?: number; readonly k?: number };
  readonly dtype: StorageDtype;
  readonly scale: number;
  readonly scaleSource: 'declared' | 'default 1/sqrt(headDim)';
  /** The declared precision model and what its bound assumes; null when none is declared (no bound verdict). */
  readonly precision: {
    readonly accumulation: string;
    readonly sumBlock: number | null;
    readonly expError: number;
    readonly probability: string | null;
    readonly assumptions: readonly string[];
  } | null;
  readonly tensors: readonly TensorResult[];
  readonly heads: readonly HeadResult[];
  readonly pass: boolean;
  readonly seconds: number;
}

export function outputReport(file: string, c: OutputCase, check: OutputCheck, seconds: number): CheckOutputReport {
  const shape = { ...c.shape, ...(c.lists ? { selected: c.lists.selected } : {}), ...(c.topk ? { k: c.topk.k } : {}) };
  const p = c.precision;
  return {
    schema: checkOutputSchema,
    file,
    kind: c.lists ? 'sparse' : 'dense',
    shape,
    dtype: c.storage,
    scale: c.scale,
    scaleSource: c.scaleDeclared ? 'declared' : 'default 1/sqrt(headDim)',
    precision: p
      ? {
          accumulation: p.accumulation,
          sumBlock: p.sumBlock,
          expError: p.expError,
          probability: p.probability,
          assumptions: boundAssumptions(p),
        }
      : null,
    tensors: check.tensors,
    heads: check.heads,
    pass: check.pass,
    seconds,
  };
}

/** JSON text of the report: non-finite numbers (an infinite bound or ratio) are written as strings. */
export function reportJson(report: CheckOutputReport): string {
  return JSON.stringify(report, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}
