/**
 * The typed errors: what a caller catching them reads (name, fields, message).
 */
import { describe, expect, it } from 'vitest';
import { DomainError, InvalidArgumentError, PrhsError } from '../../src/core/errors.js';

describe('typed errors', () => {
  it('PrhsError is an Error named PrhsError', () => {
    const error = new PrhsError('boom');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PrhsError');
    expect(String(error)).toBe('PrhsError: boom');
  });

  it('InvalidArgumentError names the argument, what was expected and what was received', () => {
    const error = new InvalidArgumentError('K[3]', 'a finite number', 'NaN', 'finite');
    expect(error).toBeInstanceOf(PrhsError);
    expect(error.name).toBe('InvalidArgumentError');
    expect(error.message).toBe('K[3]: expected a finite number, received NaN');
    expect([error.argument, error.expected, error.received, error.problem]).toEqual([
      'K[3]',
      'a finite number',
      'NaN',
      'finite',
    ]);
  });

  it('DomainError states the domain and has problem "domain"', () => {
    const error = new DomainError('delta', '[0, 1]', '1.5');
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.name).toBe('DomainError');
    expect(error.message).toBe('delta: expected a value in the domain [0, 1], received 1.5');
    expect(error.expected).toBe('a value in the domain [0, 1]');
    expect(error.problem).toBe('domain');
  });
});
