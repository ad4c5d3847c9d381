import { describe, expect, it } from 'vitest';
import { createSelector, selectorNames } from '../../src/selectors/registry.js';
import { createSelection } from '../../src/selectors/selector.js';
import { simulate } from '../../src/sim/simulate.js';
import { syntheticTrace } from '../../src/traces/synthetic.js';

describe('every selector', () => {
  const trace = syntheticTrace({ layers: 2, queryHeads: 4, kvHeads: 2, prefix: 100, steps: 12, headDim: 16, seed: 2 });
  for (const name of selectorNames) {
    it(`${name} keeps distinct in-range positions at the budget (the simulator checks each set)`, () => {
      const record = simulate(trace, createSelector(name, 32), { observeSteps: 2 });
      for (let r = 0; r < record.size.length; r++) {
        expect(record.size[r]).toBeLessThanOrEqual(32);
        // Page-granular selectors may keep fewer than B; every other selector keeps exactly B.
        if (!['quest', 'certified'].includes(name)) expect(record.size[r]).toBe(32);
        expect(record.delta[r]! + 1e-12).toBeGreaterThanOrEqual(record.deltaStar[r]!);
        expect(record.certified[r]! + 0).toBeGreaterThanOrEqual(record.delta[r]!);
      }
    });
  }
  it('rejects unknown selectors and bad budgets with typed errors', () => {
    expect(() => createSelector('nope', 4)).toThrow(/--selector: expected one of oracle/);
    expect(() => createSelector('cis', 0)).toThrow(/--budget/);
    expect(createSelection(3).indices.length).toBe(3);
  });
});
