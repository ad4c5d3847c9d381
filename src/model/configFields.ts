/**
 * Typed readers of config.json keys with transformers' defaults; each error names the key.
 */
import { describeValue, ModelConfigError } from './configError.js';

export class ConfigFields {
  constructor(
    private readonly json: Readonly<Record<string, unknown>>,
    private readonly prefix = '',
  ) {}

  has(key: string): boolean {
    return this.json[key] !== undefined && this.json[key] !== null;
  }

  raw(key: string): unknown {
    return this.json[key];
  }

  positiveInteger(key: string, fallback?: number): number {
    const value = this.json[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new ModelConfigError(this.prefix + key, 'a positive integer', describeValue(this.json[key]));
    }
    return value;
  }

  positiveNumber(key: string, fallback?: number): number {
    const value = this.json[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new ModelConfigError(this.prefix + key, 'a finite positive number', describeValue(this.json[key]));
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.json[key] ?? fallback;
    if (typeof value !== 'boolean')
      throw new ModelConfigError(this.prefix + key, 'true or false', describeValue(value));
    return value;
  }

  /** A token id: a non-negative integer, null, or a list of them (the first is kept). */
  tokenId(key: string, fallback: number | null): number | null {
    let value = this.json[key] === undefined ? fallback : this.json[key];
    if (Array.isArray(value)) value = value.length === 0 ? null : value[0];
    if (value === null) return null;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new ModelConfigError(
        this.prefix + key,
        'a non-negative integer token id, a list of them, or null',
        describeValue(this.json[key]),
      );
    }
    return value;
  }
}
