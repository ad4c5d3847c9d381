/** Every selector by name, with its options passed through, and the budget and name checked. */
import { describe, expect, it } from 'vitest';
import { CertifiedSelector } from '../../src/selectors/certified.js';
import { CisSelector } from '../../src/selectors/cis.js';
import { QuestSelector } from '../../src/selectors/quest.js';
import { createSelector, selectorNames } from '../../src/selectors/registry.js';

describe('createSelector', () => {
  it('builds each named selector at the budget, under its own name', () => {
    expect(selectorNames).toEqual([
      'oracle',
      'cis',
      'psaw',
      'etf',
      'certified',
      'streamingllm',
      'h2o',
      'snapkv',
      'quest',
      'hshare',
      'doublesparsity',
    ]);
    for (const name of selectorNames) {
      const selector = createSelector(name, 24);
      expect(selector.name).toBe(name);
      expect(selector.budget).toBe(24);
    }
  });
  it('passes the page size, ε and the CIS options through', () => {
    const certified = createSelector('certified', 8, { epsilon: 0.2, pageSize: 4 }) as CertifiedSelector;
    expect([certified.epsilon, certified.pageSize]).toEqual([0.2, 4]);
    expect((createSelector('quest', 8, { pageSize: 4 }) as QuestSelector).pageSize).toBe(4);
    expect((createSelector('quest', 8) as QuestSelector).pageSize).toBe(16);
    const cis = createSelector('cis', 32, { cis: { gate: 0.3 } }) as CisSelector;
    expect(cis.gate).toBe(0.3);
  });
  it('rejects an unknown name and a budget that is not a positive integer, naming the option', () => {
    expect(() => createSelector('nope', 4)).toThrow(
      `--selector: expected one of ${selectorNames.join(', ')}, received "nope"`,
    );
    // Names of Object.prototype are not selectors (they used to return a Number or a string).
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
      expect(() => createSelector(name, 4)).toThrow(`--selector: expected one of oracle`);
    expect(() => createSelector('oracle', 0)).toThrow('--budget: expected a positive integer, received 0');
    expect(() => createSelector('oracle', 2.5)).toThrow('--budget: expected a positive integer, received 2.5');
    expect(() => createSelector('oracle', Number.NaN)).toThrow('--budget: expected a positive integer, received NaN');
    expect(createSelector('oracle', 1).budget).toBe(1);
  });
  it('classifies the refusals: an unknown name is a domain problem, a bad budget an integer problem', () => {
    const problem = (call: () => unknown) => {
      try {
        call();
      } catch (error) {
        return (error as { problem?: string }).problem;
      }
      return 'no error';
    };
    expect(problem(() => createSelector('nope', 4))).toBe('domain');
    expect(problem(() => createSelector('oracle', 0))).toBe('integer');
  });
});
