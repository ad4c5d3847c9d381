/** Test helper: what a call throws, for the tests that check an error's class and exact message. */

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
