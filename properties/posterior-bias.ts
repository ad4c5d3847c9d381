/**
 * Posterior bias (theory/posterior-bias.md): for each posterior baseline, every trace of a
 * generated family makes it keep a set with δ ≥ 0.5 while the oracle at the same actual budget
 * has δ* ≤ 0.05. The simulator measures both on the decisive (last) step.
 */
import fc from 'fast-check';
import { claimAssert, type PropertySuite, type PropertyCheck } from '../src/claims/claim.js';
import { createSelector } from '../src/selectors/registry.js';
import { simulate } from '../src/sim/simulate.js';
import {
  channelCase,
  evictionCase,
  questCase,
  streamingCase,
  type BiasCase,
} from '../src/traces/posteriorBiasCases.js';
import { finiteDouble } from './generators.js';

function check(selector: string, biasCase: BiasCase): true {
  const record = simulate(biasCase.trace, createSelector(selector, biasCase.budget), {
    observeSteps: biasCase.observeSteps,
    certify: false,
    outputError: false,
  });
  const last = record.delta.length - 1;
  const delta = record.delta[last]!;
  const deltaStar = record.deltaStar[last]!;
  claimAssert(
    delta >= 0.5,
    () => `${selector} kept ${record.size[last]} of ${biasCase.trace.positions} with δ = ${delta} < 0.5`,
  );
  claimAssert(deltaStar <= 0.05, () => `oracle at |S| = ${record.size[last]} has δ* = ${deltaStar} > 0.05`);
  return true;
}

const margin = finiteDouble(0, 6);

function family<T>(arbitrary: fc.Arbitrary<T>, build: (p: T) => BiasCase, selector: string): PropertyCheck {
  return { runs: 25, property: () => fc.property(arbitrary, (p) => check(selector, build(p))) };
}

const eviction = fc.record({
  budget: fc.integer({ min: 4, max: 48 }),
  extra: fc.integer({ min: 0, max: 16 }),
  observe: fc.integer({ min: 1, max: 4 }),
  margin,
});
const channel = fc.record({ budget: fc.integer({ min: 8, max: 48 }), extra: fc.integer({ min: 0, max: 16 }), margin });

export const posteriorBiasProperties: PropertySuite = {
  'posterior-bias.streamingllm': family(
    fc.record({ prefix: fc.integer({ min: 16, max: 300 }), budget: fc.integer({ min: 5, max: 64 }), margin }),
    streamingCase,
    'streamingllm',
  ),
  'posterior-bias.h2o': family(eviction, evictionCase, 'h2o'),
  'posterior-bias.snapkv': family(eviction, evictionCase, 'snapkv'),
  'posterior-bias.quest': family(
    fc.record({
      pages: fc.integer({ min: 1, max: 4 }),
      extraDecoyPages: fc.integer({ min: 0, max: 3 }),
      backgroundPages: fc.integer({ min: 0, max: 6 }),
      margin,
    }),
    questCase,
    'quest',
  ),
  'posterior-bias.hshare': family(channel, channelCase, 'hshare'),
  'posterior-bias.doublesparsity': family(channel, channelCase, 'doublesparsity'),
};
