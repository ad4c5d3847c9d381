/** The bound functions' argument checks: a non-number is an InvalidArgumentError, an out-of-domain number a DomainError, each message exact. */
import { describe, expect, it } from 'vitest';
import { DomainError, InvalidArgumentError } from '../../../src/core/errors.js';
import { integerInDomain, probability, realInDomain, timesLog } from '../../../src/info/bounds/arguments.js';
import { thrown, thrownProblem as problem } from '../thrownError.js';

describe('realInDomain', () => {
  it('accepts both ends of a closed domain and refuses just outside', () => {
    expect(realInDomain('a', 0, 0, 1, '[0, 1]')).toBe(0);
    expect(realInDomain('a', 1, 0, 1, '[0, 1]')).toBe(1);
    const below = thrown(() => realInDomain('a', -1e-300, 0, 1, '[0, 1]'));
    expect(below).toBeInstanceOf(DomainError);
    expect(below.message).toBe('a: expected a value in the domain [0, 1], received -1e-300');
    expect(thrown(() => realInDomain('a', 1 + 2 ** -52, 0, 1, '[0, 1]'))).toBeInstanceOf(DomainError);
  });
  it('excludes the upper end of a half-open domain only', () => {
    expect(realInDomain('a', 0.999, 0, 1, '[0, 1)', true)).toBe(0.999);
    expect(realInDomain('a', 0, 0, 1, '[0, 1)', true)).toBe(0);
    expect(thrown(() => realInDomain('a', 1, 0, 1, '[0, 1)', true)).message).toBe(
      'a: expected a value in the domain [0, 1), received 1',
    );
  });
  it('refuses NaN and non-numbers as a type error naming the domain', () => {
    for (const bad of [Number.NaN, '0.5', undefined]) {
      const error = thrown(() => realInDomain('a', bad, 0, 1, '[0, 1]'));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).not.toBeInstanceOf(DomainError);
      expect(error.message).toMatch(/^a: expected a number in \[0, 1\], received /);
    }
  });
});

describe('integerInDomain', () => {
  it('accepts the ends and refuses beyond them with a DomainError', () => {
    expect(integerInDomain('k', 1, 1, 4, '[1, 4]')).toBe(1);
    expect(integerInDomain('k', 4, 1, 4, '[1, 4]')).toBe(4);
    expect(thrown(() => integerInDomain('k', 0, 1, 4, '[1, 4]')).message).toBe(
      'k: expected a value in the domain [1, 4], received 0',
    );
    expect(thrown(() => integerInDomain('k', 5, 1, 4, '[1, 4]'))).toBeInstanceOf(DomainError);
  });
  it('refuses a non-integer and a non-number as argument errors, not domain errors', () => {
    const fraction = thrown(() => integerInDomain('k', 1.5, 1, 4, '[1, 4]'));
    expect(fraction).not.toBeInstanceOf(DomainError);
    expect(fraction.message).toBe('k: expected an integer in [1, 4], received 1.5');
    const nan = thrown(() => integerInDomain('k', Number.NaN, 1, 4, '[1, 4]'));
    expect(nan).not.toBeInstanceOf(DomainError);
    expect(nan.message).toBe('k: expected an integer in [1, 4], received NaN');
    expect(thrown(() => integerInDomain('k', '2', 1, 4, '[1, 4]')).message).toBe(
      'k: expected an integer in [1, 4], received "2"',
    );
  });
});

describe('the problem kind of each refusal', () => {
  it('a non-number or NaN is a type problem, a fraction an integer problem, a number outside a domain problem', () => {
    expect(problem(() => realInDomain('a', Number.NaN, 0, 1, '[0, 1]'))).toBe('type');
    expect(problem(() => realInDomain('a', '0.5', 0, 1, '[0, 1]'))).toBe('type');
    expect(problem(() => realInDomain('a', 2, 0, 1, '[0, 1]'))).toBe('domain');
    // NaN and "2" are not integers either: the type test must come first and answer for them.
    expect(problem(() => integerInDomain('k', Number.NaN, 1, 4, '[1, 4]'))).toBe('type');
    expect(problem(() => integerInDomain('k', '2', 1, 4, '[1, 4]'))).toBe('type');
    expect(problem(() => integerInDomain('k', undefined, 1, 4, '[1, 4]'))).toBe('type');
    expect(problem(() => integerInDomain('k', 1.5, 1, 4, '[1, 4]'))).toBe('integer');
    expect(problem(() => integerInDomain('k', 5, 1, 4, '[1, 4]'))).toBe('domain');
  });
});

describe('probability and timesLog', () => {
  it('probability is [0, 1], named', () => {
    expect(probability('p', 1)).toBe(1);
    expect(thrown(() => probability('p', 2)).message).toBe('p: expected a value in the domain [0, 1], received 2');
  });
  it('timesLog is x·ln m with 0·ln m = 0, also for m = 0', () => {
    expect(timesLog(0, 0)).toBe(0);
    expect(timesLog(0, 5)).toBe(0);
    expect(timesLog(2, Math.E)).toBe(2);
    expect(timesLog(0.5, 4)).toBe(Math.LN2);
  });
});
