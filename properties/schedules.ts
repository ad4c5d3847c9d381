/** Generators of depth schedules for PSAW and ETF (theory/psaw.md, theory/etf.md). */
import fc from 'fast-check';
import type { DepthSchedule } from '../src/selectors/schedule.js';
import { finiteDouble } from './generators.js';

export const scheduleArbitrary: fc.Arbitrary<DepthSchedule> = fc
  .tuple(fc.integer({ min: 1, max: 80 }), fc.nat(), finiteDouble(1e-6, 1 - 1e-9), finiteDouble(1e-3, 16))
  .map(([layers, start, base, rate]) => ({
    layers,
    startLayer: start % layers,
    base: Math.min(base, 1 - 2 ** -40),
    rate,
  }));

/** Token counts: small, and large enough to stress the floor. */
export const tokensArbitrary = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2_000_000 }));
