/**
 * The PrHS depth schedule (theory/etf.md): count_ℓ(t) = 0 for ℓ < ℓ_s, else
 * ⌊(1 − b^{a(ℓ−ℓ_s)/(L−ℓ_s)})·t⌋, with every argument checked.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  checkSchedule,
  scheduleCount,
  scheduleCountUnchecked,
  scheduleForLayers,
} from '../../src/selectors/schedule.js';

const base = { layers: 4, startLayer: 1, base: 0.5, rate: 1 };

describe('scheduleCount', () => {
  it('is zero before the start layer and at it', () => {
    expect(scheduleCount(base, 0, 100)).toBe(0);
    expect(scheduleCount(base, 1, 100)).toBe(0);
  });
  it('follows ⌊(1 − b^{a(ℓ−ℓs)/(L−ℓs)})·t⌋ (hand values)', () => {
    // 1 − 0.5^{1/3} = 0.2063, 1 − 0.5^{2/3} = 0.3700, 1 − 0.5^{4/3} = 0.6031, 1 − 0.25^{1/3} = 0.3700.
    expect(scheduleCount(base, 2, 100)).toBe(20);
    expect(scheduleCount(base, 3, 100)).toBe(37);
    expect(scheduleCount({ ...base, rate: 2 }, 3, 100)).toBe(60);
    expect(scheduleCount({ ...base, base: 0.25 }, 2, 100)).toBe(37);
    expect(scheduleCount({ layers: 2, startLayer: 0, base: 0.5, rate: 1 }, 1, 10)).toBe(2);
    expect(scheduleCount(base, 3, 0)).toBe(0);
  });
  it('never exceeds the token count', () => {
    expect(scheduleCount({ layers: 2, startLayer: 0, base: 1e-300, rate: 1000 }, 1, 7)).toBe(7);
  });
  it('names the argument it rejects', () => {
    expect(() => scheduleCount(base, -1, 10)).toThrow('layer: expected an integer in [0, 3], received -1');
    expect(() => scheduleCount(base, 4, 10)).toThrow('layer: expected an integer in [0, 3], received 4');
    expect(() => scheduleCount(base, 1.5, 10)).toThrow('layer: expected an integer in [0, 3], received 1.5');
    expect(() => scheduleCount(base, 3, -1)).toThrow('tokens: expected a non-negative integer, received -1');
    expect(() => scheduleCount(base, 3, 2.5)).toThrow('tokens: expected a non-negative integer, received 2.5');
    expect(() => scheduleCount({ ...base, base: 2 }, 0, 10)).toThrow('schedule.base');
  });
  it('the unchecked count agrees with the checked one', () => {
    for (let layer = 0; layer < 4; layer++)
      expect(scheduleCountUnchecked(base, layer, 57)).toBe(scheduleCount(base, layer, 57));
  });
});

describe('checkSchedule', () => {
  it('accepts the boundary cases of its domain', () => {
    expect(checkSchedule({ layers: 1, startLayer: 0, base: 0.5, rate: 1 }).layers).toBe(1);
    expect(checkSchedule({ ...base, startLayer: 3 }).startLayer).toBe(3);
    expect(checkSchedule({ ...base, startLayer: 0 }).startLayer).toBe(0);
    expect(checkSchedule({ ...base, base: 1e-9, rate: 1e-9 })).toBeTruthy();
  });
  it('rejects each argument outside it with a message naming it', () => {
    expect(() => checkSchedule({ ...base, layers: 0 })).toThrow(
      'schedule.layers: expected a positive integer, received 0',
    );
    expect(() => checkSchedule({ ...base, layers: 2.5 })).toThrow(
      'schedule.layers: expected a positive integer, received 2.5',
    );
    expect(() => checkSchedule({ ...base, startLayer: 4 })).toThrow(
      'schedule.startLayer: expected an integer in [0, 3], received 4',
    );
    expect(() => checkSchedule({ ...base, startLayer: -1 })).toThrow(
      'schedule.startLayer: expected an integer in [0, 3], received -1',
    );
    expect(() => checkSchedule({ ...base, startLayer: 0.5 })).toThrow(
      'schedule.startLayer: expected an integer in [0, 3], received 0.5',
    );
    expect(() => checkSchedule({ ...base, base: 0 })).toThrow('schedule.base: expected a number in (0, 1), received 0');
    expect(() => checkSchedule({ ...base, base: 1 })).toThrow('schedule.base: expected a number in (0, 1), received 1');
    expect(() => checkSchedule({ ...base, base: Number.NaN })).toThrow(
      'schedule.base: expected a number in (0, 1), received NaN',
    );
    expect(() => checkSchedule({ ...base, rate: 0 })).toThrow(
      'schedule.rate: expected a finite positive number, received 0',
    );
    expect(() => checkSchedule({ ...base, rate: -1 })).toThrow(
      'schedule.rate: expected a finite positive number, received -1',
    );
    expect(() => checkSchedule({ ...base, rate: Infinity })).toThrow(
      'schedule.rate: expected a finite positive number, received Infinity',
    );
    expect(() => checkSchedule({ ...base, rate: Number.NaN })).toThrow(
      'schedule.rate: expected a finite positive number, received NaN',
    );
  });
});

describe('scheduleForLayers', () => {
  it('fills in φ = 0.5, α = 1 and ℓs = ⌊L/4⌋', () => {
    expect(scheduleForLayers(8, {})).toEqual({ layers: 8, startLayer: 2, base: 0.5, rate: 1 });
    expect(scheduleForLayers(3, {})).toEqual({ layers: 3, startLayer: 0, base: 0.5, rate: 1 });
  });
  it('takes the given values and caps ℓs at L − 1', () => {
    expect(scheduleForLayers(8, { base: 0.3, rate: 2, startLayer: 5 })).toEqual({
      layers: 8,
      startLayer: 5,
      base: 0.3,
      rate: 2,
    });
    expect(scheduleForLayers(4, { startLayer: 9 }).startLayer).toBe(3);
    expect(scheduleForLayers(1, {}).startLayer).toBe(0);
  });
  it('validates what it builds', () => {
    expect(() => scheduleForLayers(4, { base: 1.5 })).toThrow('schedule.base');
    expect(() => scheduleForLayers(0, {})).toThrow('schedule.layers');
  });
});

describe('the kind of each refusal', () => {
  function problem(call: () => unknown): string {
    try {
      call();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      return (error as InvalidArgumentError).problem;
    }
    throw new Error('expected a throw');
  }
  it('integers are "integer" problems, intervals "range" problems', () => {
    expect(problem(() => checkSchedule({ ...base, layers: 0 }))).toBe('integer');
    expect(problem(() => checkSchedule({ ...base, startLayer: 9 }))).toBe('range');
    expect(problem(() => checkSchedule({ ...base, base: 0 }))).toBe('range');
    expect(problem(() => checkSchedule({ ...base, rate: 0 }))).toBe('range');
    expect(problem(() => scheduleCount(base, 9, 1))).toBe('range');
    expect(problem(() => scheduleCount(base, 1, -1))).toBe('integer');
  });
});
