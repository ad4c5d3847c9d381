/**
 * The error of a config.json field that is missing, malformed, or asks for something prhs does
 * not implement. It names the field, what was expected and what was received.
 */
import { InvalidArgumentError } from '../core/errors.js';

export class ModelConfigError extends InvalidArgumentError {
  override name = 'ModelConfigError';
  /** The config.json key (with a path inside it, e.g. `rope_scaling.factor`). */
  readonly field: string;
  constructor(field: string, expected: string, received: string) {
    super(field, expected, received, 'domain');
    this.field = field;
    this.message = `config field "${field}": expected ${expected}, received ${received}`;
  }
}

/** A short rendering of a received JSON value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the key is absent)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
