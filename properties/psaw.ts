/** PSAW depth schedule (theory/psaw.md). */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import { psawPoolStart } from '../src/selectors/psaw.js';
import { scheduleCount } from '../src/selectors/schedule.js';
import { scheduleArbitrary, tokensArbitrary } from './schedules.js';

export const psawProperties: PropertySuite = {
  'psaw.schedule': {
    runs: 300,
    property: () =>
      fc.property(scheduleArbitrary, tokensArbitrary, fc.integer({ min: 0, max: 8 }), (schedule, t, sinks) => {
        const ceiling = Math.floor((1 - schedule.base ** schedule.rate) * t);
        let previous = 0;
        for (let layer = 0; layer < schedule.layers; layer++) {
          const p = scheduleCount(schedule, layer, t);
          claimAssert(
            Number.isInteger(p) && p >= 0 && p <= t,
            () => `P_${layer}(${t}) = ${p} is not an integer in [0, t]`,
          );
          if (layer <= schedule.startLayer)
            claimAssert(p === 0, () => `P_${layer}(${t}) = ${p} ≠ 0 at or below ℓ_s = ${schedule.startLayer}`);
          claimAssert(
            p >= previous,
            () => `P is not monotone in ℓ: P_${layer - 1}(${t}) = ${previous} > P_${layer}(${t}) = ${p}`,
          );
          claimAssert(p <= ceiling, () => `P_${layer}(${t}) = ${p} > ⌊(1 − φ^α)t⌋ = ${ceiling}`);
          claimAssert(scheduleCount(schedule, layer, t + 1) >= p, () => `P_${layer} decreases from t = ${t} to t + 1`);
          previous = p;
          const start = psawPoolStart(schedule, layer, t, sinks);
          const keptSinks = Math.min(sinks, t);
          claimAssert(start >= keptSinks, () => `pool start ${start} cuts into the ${keptSinks} sinks`);
          claimAssert(
            start - keptSinks === Math.min(p, t - keptSinks),
            () => `pool prunes ${start - keptSinks} tokens, expected min(P, t − s) = ${Math.min(p, t - keptSinks)}`,
          );
        }
        return true;
      }),
  },
};
