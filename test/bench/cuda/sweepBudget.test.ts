/**
 * The sweep's budget arithmetic (bench/cuda/sweepBudget.mjs): a fractional budget (tokens / 8 of a
 * context that 8 does not divide) is floored, as the H100 sweep's cell "bf16 B2 Hq12 Hkv1 N3001
 * d64" needed (the addon rejected 375.125); budgets outside [1, tokens] are errors naming the cell.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sweepBudget } from '../../../bench/cuda/sweepBudget.mjs';

describe('sweep budget', () => {
  it('floors tokens / 8 where 8 does not divide the context', () => {
    expect(sweepBudget({ label: 'odd', tokens: 3001, selected: 3001 / 8 })).toBe(375);
    expect(sweepBudget({ tokens: 32768, selected: 4096 })).toBe(4096);
    expect(sweepBudget({ tokens: 1, selected: 1.9 })).toBe(1);
    expect(sweepBudget({ tokens: 7, selected: 7 })).toBe(7);
  });

  it('rejects a budget below 1, above the context, or not a number, naming the cell', () => {
    expect(() => sweepBudget({ label: 'cell A', tokens: 100, selected: 0.5 })).toThrow(/cell A: selected/);
    expect(() => sweepBudget({ label: 'cell B', tokens: 100, selected: 101 })).toThrow(/cell B: selected 101 exceeds/);
    expect(() => sweepBudget({ label: 'cell C', tokens: 100, selected: Number.NaN })).toThrow(/cell C/);
    expect(() => sweepBudget({ label: 'cell D', tokens: 100, selected: '12' })).toThrow(/cell D/);
    expect(() => sweepBudget({ label: 'cell E', tokens: 2.5, selected: 1 })).toThrow(/cell E: tokens/);
  });

  it.each(['sweep.json', 'sweep-mma.json'])('gives every cell of bench/cuda/%s an integer budget', (file) => {
    const setup = JSON.parse(readFileSync(new URL(`../../../bench/cuda/${file}`, import.meta.url), 'utf8')) as {
      configs: { label: string; tokens: number; selected: number }[];
    };
    expect(setup.configs.length).toBeGreaterThan(0);
    for (const config of setup.configs) {
      const budget = sweepBudget(config);
      expect(Number.isInteger(budget) && budget >= 1 && budget <= config.tokens, config.label).toBe(true);
    }
  });
});
