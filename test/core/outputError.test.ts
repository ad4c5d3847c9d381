/**
 * The output-error quantities on hand values where each choice of centre or side matters, and
 * their rejections message by message.
 */
import { describe, expect, it } from 'vitest';
import { matrixFromRows } from '../../src/core/matrix.js';
import {
  crossDiameterUpperBound,
  keptDroppedDiameter,
  maxRowNorm,
  outputErrorNorm,
} from '../../src/core/outputError.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { rejectionMessage as message } from './rejectionMessage.js';

const empty = { data: new Float64Array(0), rows: 0, columns: 2 };

describe('outputErrorNorm and maxRowNorm', () => {
  it('hand values', () => {
    expect(outputErrorNorm([3, 0, -1], [0, 4, -1])).toBe(5);
    expect(outputErrorNorm(new Float64Array([1e300, 0]), [-1e300, 0])).toBe(2e300);
    expect(
      maxRowNorm(
        matrixFromRows('V', [
          [3, 4],
          [-6, 8],
          [0, 1],
        ]),
      ),
    ).toBe(10);
    expect(maxRowNorm(empty)).toBe(0);
  });
  it('an empty kept set is a refusal of kind length, for the exact diameter and its bound', () => {
    const V = matrixFromRows('V', [[1], [2]]);
    for (const f of [keptDroppedDiameter, crossDiameterUpperBound]) {
      let caught: unknown;
      try {
        f(V, []);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidArgumentError);
      expect((caught as InvalidArgumentError).problem).toBe('length');
      expect((caught as Error).message).toBe('keep: expected at least one kept index, received an empty set');
    }
  });
  it('rejections name the argument', () => {
    expect(message(() => outputErrorNorm([1, 2], [1]))).toBe('sparse: expected length 2, received length 1');
    expect(message(() => outputErrorNorm([1, Infinity], [1, 2]))).toBe(
      'dense[1]: expected a finite number, received Infinity',
    );
    expect(message(() => outputErrorNorm([1, 2], [1, Number.NaN]))).toBe(
      'sparse[1]: expected a finite number, received NaN',
    );
    expect(message(() => maxRowNorm({ data: new Float64Array([1, Number.NaN]), rows: 1, columns: 2 }))).toBe(
      'V.data[1]: expected a finite number, received NaN',
    );
  });
});

describe('keptDroppedDiameter and crossDiameterUpperBound', () => {
  // Kept {0, 1} at (0, 0) and (2, 0); dropped {2, 3} at (0, 4) and (10, 0).
  const V = matrixFromRows('V', [
    [0, 0],
    [2, 0],
    [0, 4],
    [10, 0],
  ]);

  it('the exact cross-diameter takes the farthest dropped–kept pair, never a pair on one side', () => {
    expect(keptDroppedDiameter(V, [0, 1])).toBe(10); // (10, 0) − (0, 0); the dropped pair is √116 apart
    expect(keptDroppedDiameter(V, [1, 0])).toBe(10);
    expect(keptDroppedDiameter(V, [2])).toBe(Math.hypot(10, 4));
    expect(keptDroppedDiameter(V, [3])).toBe(Math.hypot(10, 4)); // (10, 0) − (0, 4)
    expect(keptDroppedDiameter(V, [0, 1, 2, 3])).toBe(0);
    expect(keptDroppedDiameter(empty, [])).toBe(0);
  });

  it('the bound is the best of the four centres', () => {
    // Kept mean (1, 0), dropped mean (5, 2), midpoint (3, 1). From c = (1, 0): the dropped rows are
    // ‖(−1, 4)‖ = √17 and 9 away, the kept rows 1: 9 + 1 = 10, the exact diameter; the other centres
    // give 10 + 2 (c = 0), √41 + √29 (dropped mean) and √58 + √10 (midpoint), all larger.
    expect(crossDiameterUpperBound(V, [0, 1])).toBe(10);
    // One dropped row (10, 0): the dropped mean is that row, and gives 0 + max_S ‖v_j − (10, 0)‖ = √116,
    // the diameter; the kept mean (2/3, 4/3) gives √800/3 + √68/3 ≈ 12.18, c = 0 gives 14.
    expect(crossDiameterUpperBound(V, [0, 1, 2])).toBe(Math.hypot(10, 4));
    // Kept (0, ±1), dropped (4, ±1): only the midpoint (2, 0) gives the diameter √5 + √5 = √20;
    // the other three centres give √17 + 1.
    expect(
      crossDiameterUpperBound(
        matrixFromRows('V', [
          [0, 1],
          [0, -1],
          [4, 1],
          [4, -1],
        ]),
        [0, 1],
      ),
    ).toBeCloseTo(Math.sqrt(20), 14);
    expect(crossDiameterUpperBound(empty, [])).toBe(0);
  });

  it('rejections name the argument', () => {
    for (const f of [keptDroppedDiameter, crossDiameterUpperBound]) {
      expect(message(() => f(V, []))).toBe('keep: expected at least one kept index, received an empty set');
      expect(message(() => f(V, [4]))).toBe('keep[0]: expected an index in [0, 4), received 4');
      expect(message(() => f({ data: new Float64Array([Infinity]), rows: 1, columns: 1 }, [0]))).toBe(
        'V.data[0]: expected a finite number, received Infinity',
      );
    }
  });
});
