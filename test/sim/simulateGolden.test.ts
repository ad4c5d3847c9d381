/**
 * Every selector's simulation record gives the bits recorded before `walk` was split into
 * functions (SHA-256 over every recorded array, certify and output error on, the first steps
 * observed), on a seeded GQA trace.
 */
import { describe, expect, it } from 'vitest';
import { createSelector, selectorNames } from '../../src/selectors/registry.js';
import { simulate, type SimulationRecord } from '../../src/sim/simulate.js';
import { syntheticTrace } from '../../src/traces/synthetic.js';
import { bitsHash } from '../setup/bitsHash.js';

const trace = syntheticTrace({
  layers: 2,
  queryHeads: 4,
  kvHeads: 2,
  prefix: 90,
  steps: 7,
  headDim: 16,
  seed: 9,
  heavyHitters: 5,
  needleHeads: 0.5,
});

function recordHash(record: SimulationRecord): string {
  return bitsHash([
    record.delta,
    record.deltaStar,
    record.certified,
    record.recall,
    record.outputError,
    record.size,
    record.keysScored,
    record.bytes,
    record.denseBytes,
    record.retrieved,
  ]);
}

// ETF keeps the oracle's set on this trace, so the two records agree.
const recorded: Record<string, string> = {
  oracle: '7da368839110e0b096db04f441a46e81',
  cis: '586e0501770ce5757ef6f25b2fdbd8a8',
  psaw: '072d7fa4ab710588d0c864356c22ff30',
  etf: '7da368839110e0b096db04f441a46e81',
  certified: '851845a08002e4bd8fbfe82e2652fdf0',
  streamingllm: '1b0f38c8045cb2d72e944186cf21e690',
  h2o: 'dda511e3b1345dce7328a1680c480568',
  snapkv: '248baea7bd5b9dd1a4277b984dbb4427',
  quest: '007e7c917a230f0725379dcca0f7d7e9',
  hshare: '87c399672341b977822c84bc47cc1c74',
  doublesparsity: 'f0fae49fab81f8fb015e873203d44cb4',
};

describe('simulate gives the recorded bits', () => {
  for (const name of selectorNames) {
    it(`${name} at budget 24`, () => {
      const record = simulate(trace, createSelector(name, 24), { observeSteps: 2, pageSize: 8 });
      expect(recordHash(record)).toBe(recorded[name]);
    });
  }
});
