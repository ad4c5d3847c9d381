/**
 * Matrix and tensor boundary checks, message by message, and the scaled norm (deterministic).
 */
import { describe, expect, it } from 'vitest';
import {
  checkMatrix,
  checkMatrixShape,
  checkTensor,
  finiteResult,
  matrixFromRows,
  norm2,
} from '../../src/core/matrix.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { rejectionMessage as message } from './rejectionMessage.js';

function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as InvalidArgumentError).problem;
  }
  throw new Error('expected a rejection');
}

const good = { data: new Float64Array([1, 2, 3, 4, 5, 6]), rows: 2, columns: 3 };

describe('matrices', () => {
  it('builds from rows and accepts well-formed matrices', () => {
    expect(
      matrixFromRows('K', [
        [1, 2],
        [3, 4],
      ]),
    ).toEqual({ data: new Float64Array([1, 2, 3, 4]), rows: 2, columns: 2 });
    expect(matrixFromRows('K', [[1, 2]], 2).columns).toBe(2);
    expect(checkMatrix('K', good, { rows: 2, columns: 3 })).toBe(good);
    expect(checkMatrixShape('K', { data: new Float64Array(0), rows: 0, columns: 5 }).rows).toBe(0);
  });
  it('rejects malformed matrices with exact messages', () => {
    const typeMessage = 'K: expected a matrix {data: Float64Array, rows, columns}, received ';
    expect(message(() => checkMatrixShape('K', null))).toBe(`${typeMessage}null`);
    expect(message(() => checkMatrixShape('K', 3))).toBe(`${typeMessage}3`);
    expect(message(() => checkMatrixShape('K', { data: [1], rows: 1, columns: 1 }))).toBe(`${typeMessage}object`);
    expect(message(() => checkMatrixShape('K', { data: new Float64Array(1), rows: '1', columns: 1 }))).toBe(
      `${typeMessage}object`,
    );
    expect(message(() => checkMatrixShape('K', { data: new Float64Array(1), rows: 1, columns: '1' }))).toBe(
      `${typeMessage}object`,
    );
    const shapeMessage = (r: number, c: number, n: number) =>
      `K: expected data.length equal to rows × columns, received rows ${r}, columns ${c}, data.length ${n}`;
    expect(message(() => checkMatrixShape('K', { data: new Float64Array(2), rows: 1.5, columns: 1 }))).toBe(
      shapeMessage(1.5, 1, 2),
    );
    expect(message(() => checkMatrixShape('K', { data: new Float64Array(2), rows: 1, columns: 1.5 }))).toBe(
      shapeMessage(1, 1.5, 2),
    );
    expect(message(() => checkMatrixShape('K', { data: new Float64Array(1), rows: -1, columns: -1 }))).toBe(
      shapeMessage(-1, -1, 1),
    );
    expect(message(() => checkMatrixShape('K', { data: new Float64Array(0), rows: 0, columns: -1 }))).toBe(
      shapeMessage(0, -1, 0),
    );
    expect(message(() => checkMatrixShape('K', { data: new Float64Array(0), rows: -1, columns: 0 }))).toBe(
      shapeMessage(-1, 0, 0),
    );
    expect(message(() => checkMatrixShape('K', { data: new Float64Array(5), rows: 2, columns: 3 }))).toBe(
      shapeMessage(2, 3, 5),
    );
    expect(message(() => checkMatrixShape('K', good, { rows: 3 }))).toBe('K: expected 3 rows, received 2 rows');
    expect(message(() => checkMatrixShape('K', good, { columns: 2 }))).toBe(
      'K: expected 2 columns, received 3 columns',
    );
    expect(message(() => checkMatrix('K', { data: new Float64Array([1, Number.NaN]), rows: 1, columns: 2 }))).toBe(
      'K.data[1]: expected a finite number, received NaN',
    );
  });
  it('a non-integer size is refused even when rows × columns equals data.length', () => {
    expect(message(() => checkMatrixShape('K', { data: new Float64Array(3), rows: 1.5, columns: 2 }))).toBe(
      'K: expected data.length equal to rows × columns, received rows 1.5, columns 2, data.length 3',
    );
    expect(message(() => checkMatrixShape('K', { data: new Float64Array(3), rows: 2, columns: 1.5 }))).toBe(
      'K: expected data.length equal to rows × columns, received rows 2, columns 1.5, data.length 3',
    );
  });
  it('matrixFromRows holds the rows to the width asked for', () => {
    expect(() => matrixFromRows('K', [[1, 2]], 3)).toThrow(InvalidArgumentError);
    expect(() => matrixFromRows('K', [[1, 2]], 3)).toThrow(/^K\[0\]/);
  });
  it('each refusal says what kind of expectation failed', () => {
    expect(problem(() => checkMatrixShape('K', null))).toBe('type');
    expect(problem(() => checkMatrixShape('K', { data: new Float64Array(5), rows: 2, columns: 3 }))).toBe('shape');
    expect(problem(() => checkMatrixShape('K', good, { rows: 3 }))).toBe('shape');
    expect(problem(() => checkMatrixShape('K', good, { columns: 2 }))).toBe('shape');
    expect(problem(() => finiteResult(new Float64Array([Infinity]), 'logits', [['K', good]]))).toBe('finite');
    expect(problem(() => checkTensor('q', null, [-1]))).toBe('type');
    expect(problem(() => checkTensor('q', { data: new Float64Array(1), shape: [1] }, [-1, -1]))).toBe('shape');
    expect(problem(() => checkTensor('q', { data: new Float64Array(1), shape: [1.5] }, [-1]))).toBe('shape');
    expect(problem(() => checkTensor('q', { data: new Float64Array(2), shape: [2] }, [3]))).toBe('shape');
    expect(problem(() => checkTensor('q', { data: new Float64Array(5), shape: [2, 3] }, [-1, -1]))).toBe('shape');
  });
  it('finiteResult passes finite results and names the bad input or the overflow', () => {
    const r = new Float64Array([1, 2]);
    expect(finiteResult(r, 'logits', [['K', good]])).toBe(r);
    const bad = { data: new Float64Array([1, Infinity]), rows: 1, columns: 2 };
    expect(
      message(() =>
        finiteResult(new Float64Array([Number.NaN]), 'logits', [
          ['K', good],
          ['V', bad],
        ]),
      ),
    ).toBe('V.data[1]: expected a finite number, received Infinity');
    expect(
      message(() =>
        finiteResult(new Float64Array([1, Infinity]), 'logits', [
          ['K', good],
          ['V', good],
        ]),
      ),
    ).toBe('K, V: expected inputs whose logits stay finite in float64, received logits[1] = Infinity (overflow)');
  });
});

describe('tensors', () => {
  it('accepts a tensor of the right rank and sizes (-1: any)', () => {
    const t = { data: new Float64Array(6), shape: [2, 3] };
    expect(checkTensor('q', t, [-1, 3])).toBe(t);
    expect(checkTensor('q', { data: new Float64Array(0), shape: [0, 4] }, [-1, -1]).shape).toEqual([0, 4]);
  });
  it('rejects malformed tensors with exact messages', () => {
    expect(message(() => checkTensor('q', null, [-1]))).toBe(
      'q: expected a tensor {data: Float64Array, shape} of rank 1, received null',
    );
    expect(message(() => checkTensor('q', 5, [-1]))).toBe(
      'q: expected a tensor {data: Float64Array, shape} of rank 1, received 5',
    );
    expect(message(() => checkTensor('q', { data: [1], shape: [1] }, [-1]))).toBe(
      'q: expected a tensor {data: Float64Array, shape} of rank 1, received object',
    );
    expect(message(() => checkTensor('q', { data: new Float64Array(1), shape: 1 }, [-1]))).toBe(
      'q: expected a tensor {data: Float64Array, shape} of rank 1, received object',
    );
    expect(message(() => checkTensor('q', { data: new Float64Array(1), shape: [1] }, [-1, -1]))).toBe(
      'q: expected rank 2, received rank 1',
    );
    expect(message(() => checkTensor('q', { data: new Float64Array(1), shape: [1.5] }, [-1]))).toBe(
      'q.shape[0]: expected a non-negative integer, received 1.5',
    );
    expect(message(() => checkTensor('q', { data: new Float64Array(0), shape: [2, -1] }, [-1, -1]))).toBe(
      'q.shape[1]: expected a non-negative integer, received -1',
    );
    expect(message(() => checkTensor('q', { data: new Float64Array(2), shape: [2] }, [3]))).toBe(
      'q.shape[0]: expected 3, received 2',
    );
    // A required size of 0 is a size like any other (-1 alone means any).
    expect(message(() => checkTensor('q', { data: new Float64Array(2), shape: [2] }, [0]))).toBe(
      'q.shape[0]: expected 0, received 2',
    );
    expect(message(() => checkTensor('q', { data: new Float64Array(5), shape: [2, 3] }, [-1, -1]))).toBe(
      'q: expected data.length 6 (product of shape [2, 3]), received data.length 5',
    );
    expect(message(() => checkTensor('q', { data: new Float64Array([Infinity]), shape: [1] }, [1]))).toBe(
      'q.data[0]: expected a finite number, received Infinity',
    );
  });
});

describe('norm2', () => {
  it('is the Euclidean norm, scaled so huge and tiny entries neither overflow nor underflow', () => {
    expect(norm2([3, 4])).toBe(5);
    expect(norm2([0, 0])).toBe(0);
    expect(norm2([])).toBe(0);
    expect(norm2([3e300, 4e300])).toBeCloseTo(5e300, -285);
    expect(norm2([3e-300, 4e-300]) / 5e-300).toBeCloseTo(1, 14);
    expect(norm2([1, 3, 4, 1], 1, 2)).toBe(5);
    // Without a length: from the offset to the end.
    expect(norm2([12, 3, 4], 1)).toBe(5);
    expect(norm2([Infinity, 1])).toBe(Infinity);
    expect(norm2([-6, 8])).toBe(10);
  });
});
