/** Test helper: two-variable boxes and domains written on one line. */
import type { Interval } from '../../src/proofs/interval.js';

/** The box [xLo, xHi] × [yLo, yHi]. */
export function rectangle(xLo: number, xHi: number, yLo: number, yHi: number): Interval[] {
  return [
    { lo: xLo, hi: xHi },
    { lo: yLo, hi: yHi },
  ];
}
