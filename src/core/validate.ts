/**
 * Boundary checks shared by every public function. They throw InvalidArgumentError naming the
 * argument; the numerical code behind them can then assume well-formed input.
 */
import { InvalidArgumentError } from './errors.js';

/** Anything array-like holding numbers that the reference accepts. */
export type NumericArray = ArrayLike<number>;

/** A short, bounded description of a received value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value))
    return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<unknown>).length}`;
  return typeof value;
}

function isNumericArray(value: unknown): value is NumericArray {
  if (Array.isArray(value)) return true;
  return (
    ArrayBuffer.isView(value) &&
    !(value instanceof DataView) &&
    !(value instanceof BigInt64Array) &&
    !(value instanceof BigUint64Array)
  );
}

/** A non-empty (unless allowEmpty) array of finite numbers; returns it as a Float64Array view or copy. */
export function finiteVector(
  argument: string,
  value: unknown,
  options: { length?: number; allowEmpty?: boolean } = {},
): Float64Array {
  if (!isNumericArray(value))
    throw new InvalidArgumentError(argument, 'an array of finite numbers', describe(value), 'type');
  if (options.length !== undefined && value.length !== options.length) {
    throw new InvalidArgumentError(argument, `length ${options.length}`, `length ${value.length}`, 'length');
  }
  if (value.length === 0 && !options.allowEmpty) {
    throw new InvalidArgumentError(argument, 'a non-empty array', 'an empty array', 'length');
  }
  if (value instanceof Float64Array) {
    // Fast path for the hot case: x − x is 0 exactly when x is finite (NaN and ±∞ give NaN).
    for (let i = 0; i < value.length; i++) {
      const x = value[i]!;
      if (x - x !== 0) throw new InvalidArgumentError(`${argument}[${i}]`, 'a finite number', describe(x), 'finite');
    }
    return value;
  }
  const out = new Float64Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const x = value[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new InvalidArgumentError(
        `${argument}[${i}]`,
        'a finite number',
        describe(x),
        typeof x === 'number' ? 'finite' : 'type',
      );
    }
    out[i] = x;
  }
  return out;
}

/** A probability vector: finite, non-negative, summing to 1 within `tolerance`. */
export function probabilityVector(
  argument: string,
  value: unknown,
  options: { length?: number; tolerance?: number } = {},
): Float64Array {
  const p = finiteVector(argument, value, options);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i]! < 0)
      throw new InvalidArgumentError(`${argument}[${i}]`, 'a non-negative probability', describe(p[i]), 'range');
    sum += p[i]!;
  }
  const tolerance = options.tolerance ?? 1e-9 * Math.max(1, p.length);
  if (Math.abs(sum - 1) > tolerance) {
    throw new InvalidArgumentError(argument, `entries summing to 1 (within ${tolerance})`, `a sum of ${sum}`, 'domain');
  }
  return p;
}

/** A rectangular matrix given as an array of rows; returns the rows as Float64Arrays. */
export function finiteMatrix(
  argument: string,
  value: unknown,
  options: { rows?: number; columns?: number } = {},
): Float64Array[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError(argument, 'an array of rows', describe(value), 'type');
  if (options.rows !== undefined && value.length !== options.rows) {
    throw new InvalidArgumentError(argument, `${options.rows} rows`, `${value.length} rows`, 'shape');
  }
  if (value.length === 0) throw new InvalidArgumentError(argument, 'at least one row', 'no rows', 'shape');
  const columns = options.columns ?? (isNumericArray(value[0]) ? value[0].length : -1);
  return value.map((row, i) => {
    const r = finiteVector(`${argument}[${i}]`, row, { allowEmpty: columns === 0 });
    if (r.length !== columns)
      throw new InvalidArgumentError(`${argument}[${i}]`, `a row of length ${columns}`, `length ${r.length}`, 'shape');
    return r;
  });
}

/** An integer in [min, max]. */
export function integerInRange(argument: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new InvalidArgumentError(argument, `an integer in [${min}, ${max}]`, describe(value), 'type');
  if (!Number.isInteger(value))
    throw new InvalidArgumentError(argument, `an integer in [${min}, ${max}]`, describe(value), 'integer');
  if (value < min || value > max)
    throw new InvalidArgumentError(argument, `an integer in [${min}, ${max}]`, describe(value), 'range');
  return value;
}

/** A finite number in [min, max] (either end may be infinite). */
export function numberInRange(argument: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new InvalidArgumentError(argument, `a number in [${min}, ${max}]`, describe(value), 'type');
  if (!Number.isFinite(value) && !(value === min || value === max))
    throw new InvalidArgumentError(argument, `a finite number in [${min}, ${max}]`, describe(value), 'finite');
  if (value < min || value > max)
    throw new InvalidArgumentError(argument, `a number in [${min}, ${max}]`, describe(value), 'range');
  return value;
}

/**
 * An index set into [0, size): integers, in range, without duplicates. Returns the indices as an
 * Int32Array in the order given (order does not matter to any quantity we compute).
 */
export function indexSet(argument: string, value: unknown, size: number): Int32Array {
  if (!isNumericArray(value))
    throw new InvalidArgumentError(
      argument,
      `an array of distinct integer indices in [0, ${size})`,
      describe(value),
      'type',
    );
  if (value.length > size)
    throw new InvalidArgumentError(argument, `at most ${size} distinct indices`, `${value.length} indices`, 'length');
  const seen = new Uint8Array(size);
  const out = new Int32Array(value.length);
  for (let j = 0; j < value.length; j++) {
    const i = value[j];
    if (typeof i !== 'number' || !Number.isInteger(i))
      throw new InvalidArgumentError(`${argument}[${j}]`, 'an integer index', describe(i), 'integer');
    if (i < 0 || i >= size)
      throw new InvalidArgumentError(`${argument}[${j}]`, `an index in [0, ${size})`, describe(i), 'range');
    if (seen[i])
      throw new InvalidArgumentError(`${argument}[${j}]`, 'distinct indices', `a duplicate of index ${i}`, 'duplicate');
    seen[i] = 1;
    out[j] = i;
  }
  return out;
}

/** Membership mask of an already validated index set. */
export function membershipMask(indices: ArrayLike<number>, size: number): Uint8Array {
  const mask = new Uint8Array(size);
  for (let j = 0; j < indices.length; j++) mask[indices[j]!] = 1;
  return mask;
}
