/**
 * Argument checks for the bound functions: a non-number is an InvalidArgumentError, a number
 * outside the bound's domain a DomainError, both naming the argument.
 */
import { DomainError, InvalidArgumentError } from '../../core/errors.js';
import { describe } from '../../core/validate.js';

/** A number (not NaN) in [min, max], or [min, max) when `maxOpen`; `domain` is how the error states it. */
export function realInDomain(
  argument: string,
  value: unknown,
  min: number,
  max: number,
  domain: string,
  maxOpen = false,
): number {
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new InvalidArgumentError(argument, `a number in ${domain}`, describe(value), 'type');
  if (!(value >= min && (maxOpen ? value < max : value <= max)))
    throw new DomainError(argument, domain, describe(value));
  return value;
}

/** An integer in [min, max]. */
export function integerInDomain(argument: string, value: unknown, min: number, max: number, domain: string): number {
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new InvalidArgumentError(argument, `an integer in ${domain}`, describe(value), 'type');
  if (!Number.isInteger(value))
    throw new InvalidArgumentError(argument, `an integer in ${domain}`, describe(value), 'integer');
  if (value < min || value > max) throw new DomainError(argument, domain, describe(value));
  return value;
}

/** A probability in [0, 1]. */
export function probability(argument: string, value: unknown): number {
  return realInDomain(argument, value, 0, 1, '[0, 1]');
}

/** x·ln m with the convention 0·ln m = 0 (also for m = 0, where ln m = −∞). */
export function timesLog(x: number, m: number): number {
  return x === 0 ? 0 : x * Math.log(m);
}
