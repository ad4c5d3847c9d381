/** Test helper: a bound the code computes against the same bound written out as its formula in the test. */
import { expect } from 'vitest';

/** `value` equals `formula` up to a relative 1e-12 (the two evaluate the same expression in a different order). */
export function expectFormula(value: number, formula: number): void {
  expect(Math.abs(value - formula)).toBeLessThanOrEqual(1e-12 * Math.abs(formula));
}
