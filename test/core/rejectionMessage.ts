/** Test helper: the message of the InvalidArgumentError a call throws. */
import { expect } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';

/** Runs `run` and returns its rejection's message; fails the test if it throws anything else or nothing. */
export function rejectionMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
}
