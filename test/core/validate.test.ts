/**
 * The boundary checks every public function uses, message by message (deterministic): each
 * rejection names the argument (with its index), says what was expected and what was received,
 * and carries the kind of problem; accepted values pass through unchanged.
 */
import { describe as group, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  describe,
  finiteMatrix,
  finiteVector,
  indexSet,
  integerInRange,
  membershipMask,
  numberInRange,
  probabilityVector,
} from '../../src/core/validate.js';

function rejection(run: () => unknown): { message: string; problem: string; argument: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    const e = error as InvalidArgumentError;
    return { message: e.message, problem: e.problem, argument: e.argument };
  }
  throw new Error('expected a rejection');
}

group('describe', () => {
  it('describes received values briefly', () => {
    expect(describe(null)).toBe('null');
    expect(describe(undefined)).toBe('undefined');
    expect(describe(Number.NaN)).toBe('NaN');
    expect(describe(-2.5)).toBe('-2.5');
    expect(describe('ab')).toBe('"ab"');
    expect(describe('x'.repeat(50))).toBe(JSON.stringify('x'.repeat(40) + '…'));
    expect(describe([1, 2])).toBe('an array of length 2');
    expect(describe(new Float32Array(3))).toBe('a Float32Array of length 3');
    expect(describe({})).toBe('object');
    expect(describe(true)).toBe('boolean');
  });
});

group('finiteVector', () => {
  it('accepts arrays and numeric typed arrays, returning Float64Arrays', () => {
    const f = new Float64Array([1, 2]);
    expect(finiteVector('v', f)).toBe(f);
    expect(Array.from(finiteVector('v', [1, 2]))).toEqual([1, 2]);
    expect(Array.from(finiteVector('v', new Int8Array([3])))).toEqual([3]);
    expect(finiteVector('v', [], { allowEmpty: true }).length).toBe(0);
  });
  it('rejects with exact messages', () => {
    expect(rejection(() => finiteVector('v', 'ab'))).toEqual({
      message: 'v: expected an array of finite numbers, received "ab"',
      problem: 'type',
      argument: 'v',
    });
    expect(rejection(() => finiteVector('v', new DataView(new ArrayBuffer(8)))).problem).toBe('type');
    expect(rejection(() => finiteVector('v', new BigInt64Array(1))).problem).toBe('type');
    expect(rejection(() => finiteVector('v', new BigUint64Array(1))).problem).toBe('type');
    expect(rejection(() => finiteVector('v', [1], { length: 2 }))).toEqual({
      message: 'v: expected length 2, received length 1',
      problem: 'length',
      argument: 'v',
    });
    expect(rejection(() => finiteVector('v', []))).toEqual({
      message: 'v: expected a non-empty array, received an empty array',
      problem: 'length',
      argument: 'v',
    });
    expect(rejection(() => finiteVector('v', new Float64Array([0, Infinity])))).toEqual({
      message: 'v[1]: expected a finite number, received Infinity',
      problem: 'finite',
      argument: 'v[1]',
    });
    expect(rejection(() => finiteVector('v', [0, Number.NaN]))).toEqual({
      message: 'v[1]: expected a finite number, received NaN',
      problem: 'finite',
      argument: 'v[1]',
    });
    expect(rejection(() => finiteVector('v', [0, '1']))).toEqual({
      message: 'v[1]: expected a finite number, received "1"',
      problem: 'type',
      argument: 'v[1]',
    });
  });
});

group('probabilityVector', () => {
  it('accepts sums within the tolerance and rejects others with exact messages', () => {
    expect(Array.from(probabilityVector('p', [0.25, 0.75]))).toEqual([0.25, 0.75]);
    // A zero entry is a probability; a sum off by exactly the tolerance is within it.
    expect(Array.from(probabilityVector('p', [1, 0]))).toEqual([1, 0]);
    expect(Array.from(probabilityVector('p', [0.5, 0.75], { tolerance: 0.25 }))).toEqual([0.5, 0.75]);
    expect(Array.from(probabilityVector('p', [0.5, 0.5 + 1e-10]))).toEqual([0.5, 0.5 + 1e-10]);
    expect(rejection(() => probabilityVector('p', [0.5, -0.1, 0.6]))).toEqual({
      message: 'p[1]: expected a non-negative probability, received -0.1',
      problem: 'range',
      argument: 'p[1]',
    });
    expect(rejection(() => probabilityVector('p', [0.5, 0.6]))).toEqual({
      message: 'p: expected entries summing to 1 (within 2e-9), received a sum of 1.1',
      problem: 'domain',
      argument: 'p',
    });
    expect(rejection(() => probabilityVector('p', [0.5, 0.5001], { tolerance: 1e-5 })).message).toMatch(
      /within 0\.00001\)/,
    );
    expect(Array.from(probabilityVector('p', [0.5, 0.50001], { tolerance: 1e-4 }))).toEqual([0.5, 0.50001]);
  });
});

group('finiteMatrix', () => {
  it('accepts rectangular rows and rejects the rest with exact messages', () => {
    expect(
      finiteMatrix('M', [
        [1, 2],
        [3, 4],
      ]).map((r) => Array.from(r)),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(finiteMatrix('M', [[], []]).map((r) => r.length)).toEqual([0, 0]);
    expect(finiteMatrix('M', [[1], [2]], { rows: 2 }).map((r) => Array.from(r))).toEqual([[1], [2]]);
    expect(rejection(() => finiteMatrix('M', 3))).toEqual({
      message: 'M: expected an array of rows, received 3',
      problem: 'type',
      argument: 'M',
    });
    expect(rejection(() => finiteMatrix('M', [[1]], { rows: 2 }))).toEqual({
      message: 'M: expected 2 rows, received 1 rows',
      problem: 'shape',
      argument: 'M',
    });
    expect(rejection(() => finiteMatrix('M', []))).toEqual({
      message: 'M: expected at least one row, received no rows',
      problem: 'shape',
      argument: 'M',
    });
    expect(rejection(() => finiteMatrix('M', [[1, 2], [3]]))).toEqual({
      message: 'M[1]: expected a row of length 2, received length 1',
      problem: 'shape',
      argument: 'M[1]',
    });
    expect(rejection(() => finiteMatrix('M', [[1, 2]], { columns: 3 })).message).toBe(
      'M[0]: expected a row of length 3, received length 2',
    );
    expect(rejection(() => finiteMatrix('M', ['x', [1]])).argument).toBe('M[0]');
  });
});

group('integerInRange and numberInRange', () => {
  it('accept the ends and reject with exact messages', () => {
    expect(integerInRange('k', 0, 0, 3)).toBe(0);
    expect(integerInRange('k', 3, 0, 3)).toBe(3);
    expect(rejection(() => integerInRange('k', '1', 0, 3))).toEqual({
      message: 'k: expected an integer in [0, 3], received "1"',
      problem: 'type',
      argument: 'k',
    });
    expect(rejection(() => integerInRange('k', Infinity, 0, 3)).problem).toBe('type');
    expect(rejection(() => integerInRange('k', 1.5, 0, 3)).problem).toBe('integer');
    expect(rejection(() => integerInRange('k', 4, 0, 3)).problem).toBe('range');
    expect(rejection(() => integerInRange('k', -1, 0, 3)).problem).toBe('range');
    expect(numberInRange('s', -Infinity, -Infinity, 0)).toBe(-Infinity);
    expect(numberInRange('s', 2, 1, 2)).toBe(2);
    expect(numberInRange('s', Infinity, 0, Infinity)).toBe(Infinity);
    expect(rejection(() => numberInRange('s', Number.NaN, 0, 1))).toEqual({
      message: 's: expected a number in [0, 1], received NaN',
      problem: 'type',
      argument: 's',
    });
    expect(rejection(() => numberInRange('s', '1', 0, 1)).problem).toBe('type');
    expect(rejection(() => numberInRange('s', Infinity, 0, 1))).toEqual({
      message: 's: expected a finite number in [0, 1], received Infinity',
      problem: 'finite',
      argument: 's',
    });
    expect(rejection(() => numberInRange('s', 1.5, 0, 1))).toEqual({
      message: 's: expected a number in [0, 1], received 1.5',
      problem: 'range',
      argument: 's',
    });
    expect(rejection(() => numberInRange('s', -0.5, 0, 1)).problem).toBe('range');
  });
});

group('indexSet and membershipMask', () => {
  it('accept distinct in-range integers in the given order', () => {
    expect(Array.from(indexSet('keep', [2, 0], 3))).toEqual([2, 0]);
    expect(Array.from(indexSet('keep', [], 0))).toEqual([]);
    expect(Array.from(membershipMask([2, 0], 4))).toEqual([1, 0, 1, 0]);
  });
  it('reject with exact messages', () => {
    expect(rejection(() => indexSet('keep', 'x', 3))).toEqual({
      message: 'keep: expected an array of distinct integer indices in [0, 3), received "x"',
      problem: 'type',
      argument: 'keep',
    });
    expect(rejection(() => indexSet('keep', [0, 1, 2, 0], 3))).toEqual({
      message: 'keep: expected at most 3 distinct indices, received 4 indices',
      problem: 'length',
      argument: 'keep',
    });
    expect(rejection(() => indexSet('keep', [0, 1.5], 3))).toEqual({
      message: 'keep[1]: expected an integer index, received 1.5',
      problem: 'integer',
      argument: 'keep[1]',
    });
    expect(rejection(() => indexSet('keep', [0, '1'], 3)).problem).toBe('integer');
    expect(rejection(() => indexSet('keep', [3], 3))).toEqual({
      message: 'keep[0]: expected an index in [0, 3), received 3',
      problem: 'range',
      argument: 'keep[0]',
    });
    expect(rejection(() => indexSet('keep', [-1], 3)).problem).toBe('range');
    expect(rejection(() => indexSet('keep', [1, 1], 3))).toEqual({
      message: 'keep[1]: expected distinct indices, received a duplicate of index 1',
      problem: 'duplicate',
      argument: 'keep[1]',
    });
  });
});
