/** Test helper: what a call throws, for the tests that check an error's class, exact message or problem kind. */
import type { InvalidArgumentError } from '../../src/core/errors.js';

/** Runs `call` and returns the error it throws; fails the test if it throws nothing. */
export function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** The message of the error `call` throws; fails the test if it throws nothing. */
export function thrownMessage(call: () => unknown): string {
  return thrown(call).message;
}

/** The problem kind (`type`, `shape`, `domain`, …) of the InvalidArgumentError `call` throws; fails the test if it throws nothing. */
export function thrownProblem(call: () => unknown): string {
  return (thrown(call) as InvalidArgumentError).problem;
}
