/**
 * Dense row-major float64 tensors. The reference works on flat Float64Arrays so that one
 * attention step over 64K keys stays allocation-light; nested JavaScript arrays are converted
 * once, at the boundary.
 */
import { InvalidArgumentError } from './errors.js';
import { describe, finiteMatrix, finiteVector } from './validate.js';

/** A row-major tensor: `data.length` equals the product of `shape`. */
export interface Tensor {
  readonly data: Float64Array;
  readonly shape: readonly number[];
}

/** A row-major matrix (a rank-2 tensor with named sizes). */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly columns: number;
}

/** Builds a Matrix from an array of equal-length rows, validating finiteness and shape. */
export function matrixFromRows(argument: string, rows: unknown, columns?: number): Matrix {
  const checked = finiteMatrix(argument, rows, columns === undefined ? {} : { columns });
  const width = checked[0]!.length;
  const data = new Float64Array(checked.length * width);
  checked.forEach((row, i) => data.set(row, i * width));
  return { data, rows: checked.length, columns: width };
}

/** Validates a Matrix given directly (flat data plus sizes). */
export function checkMatrix(
  argument: string,
  value: unknown,
  expected: { rows?: number; columns?: number } = {},
): Matrix {
  const m = checkMatrixShape(argument, value, expected);
  finiteVector(`${argument}.data`, m.data, { allowEmpty: true });
  return m;
}

/**
 * Shape-only check of a Matrix. Hot paths use it and defer the finiteness scan: a non-finite entry
 * of K or V always makes some logit or output non-finite (x·∞, 0·∞ and NaN·x are all non-finite),
 * so they scan the inputs with `checkMatrix` only when a result is not finite (finiteResult below).
 */
export function checkMatrixShape(
  argument: string,
  value: unknown,
  expected: { rows?: number; columns?: number } = {},
): Matrix {
  const m = value as Partial<Matrix> | null;
  if (
    m === null ||
    typeof m !== 'object' ||
    !(m.data instanceof Float64Array) ||
    typeof m.rows !== 'number' ||
    typeof m.columns !== 'number'
  ) {
    throw new InvalidArgumentError(argument, 'a matrix {data: Float64Array, rows, columns}', describe(value), 'type');
  }
  if (
    !Number.isInteger(m.rows) ||
    !Number.isInteger(m.columns) ||
    m.rows < 0 ||
    m.columns < 0 ||
    m.data.length !== m.rows * m.columns
  ) {
    throw new InvalidArgumentError(
      argument,
      'data.length equal to rows × columns',
      `rows ${m.rows}, columns ${m.columns}, data.length ${m.data.length}`,
      'shape',
    );
  }
  if (expected.rows !== undefined && m.rows !== expected.rows)
    throw new InvalidArgumentError(argument, `${expected.rows} rows`, `${m.rows} rows`, 'shape');
  if (expected.columns !== undefined && m.columns !== expected.columns)
    throw new InvalidArgumentError(argument, `${expected.columns} columns`, `${m.columns} columns`, 'shape');
  return m as Matrix;
}

/**
 * Completes a deferred finiteness check: if `result` has a non-finite entry, re-validates the
 * inputs (which throws naming the bad entry); if they are all finite, the computation overflowed.
 */
export function finiteResult(result: Float64Array, what: string, inputs: readonly [string, Matrix][]): Float64Array {
  for (let i = 0; i < result.length; i++) {
    const x = result[i]!;
    if (x - x !== 0) {
      for (const [argument, matrix] of inputs) checkMatrix(argument, matrix);
      throw new InvalidArgumentError(
        inputs.map(([a]) => a).join(', '),
        `inputs whose ${what} stay finite in float64`,
        `${what}[${i}] = ${x} (overflow)`,
        'finite',
      );
    }
  }
  return result;
}

/** Validates a Tensor of the given rank (and, where given, sizes; -1 means any). */
export function checkTensor(argument: string, value: unknown, shape: readonly number[]): Tensor {
  const t = value as Partial<Tensor> | null;
  if (t === null || typeof t !== 'object' || !(t.data instanceof Float64Array) || !Array.isArray(t.shape)) {
    throw new InvalidArgumentError(
      argument,
      `a tensor {data: Float64Array, shape} of rank ${shape.length}`,
      describe(value),
      'type',
    );
  }
  if (t.shape.length !== shape.length)
    throw new InvalidArgumentError(argument, `rank ${shape.length}`, `rank ${t.shape.length}`, 'shape');
  let size = 1;
  t.shape.forEach((n, axis) => {
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${argument}.shape[${axis}]`, 'a non-negative integer', describe(n), 'shape');
    const want = shape[axis]!;
    if (want >= 0 && n !== want)
      throw new InvalidArgumentError(`${argument}.shape[${axis}]`, String(want), String(n), 'shape');
    size *= n;
  });
  if (t.data.length !== size)
    throw new InvalidArgumentError(
      argument,
      `data.length ${size} (product of shape [${t.shape.join(', ')}])`,
      `data.length ${t.data.length}`,
      'shape',
    );
  finiteVector(`${argument}.data`, t.data, { allowEmpty: true });
  return t as Tensor;
}

/** Euclidean norm of a vector, scaled to avoid overflow for huge entries. */
export function norm2(x: ArrayLike<number>, offset = 0, length = x.length - offset): number {
  let scale = 0;
  for (let i = 0; i < length; i++) scale = Math.max(scale, Math.abs(x[offset + i]!));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const y = x[offset + i]! / scale;
    sum += y * y;
  }
  return scale * Math.sqrt(sum);
}
