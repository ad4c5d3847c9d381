/**
 * Typed errors. Every rejection of bad input names the argument, says what was expected and
 * what was received, so a user can fix the call without reading our source.
 */

/** Base class of every error prhs throws on purpose. */
export class PrhsError extends Error {
  override name = 'PrhsError';
}

/** What kind of expectation an argument violated. */
export type ArgumentProblem = 'type' | 'shape' | 'length' | 'range' | 'finite' | 'duplicate' | 'integer' | 'domain';

/** An argument of a public function (or a field of a CLI input) is malformed. */
export class InvalidArgumentError extends PrhsError {
  override name = 'InvalidArgumentError';
  constructor(
    /** The argument's name, with a path into it when useful, e.g. `K[3]` or `keep`. */
    readonly argument: string,
    /** What was expected, phrased so the user can act on it. */
    readonly expected: string,
    /** A short description of what was received. */
    readonly received: string,
    readonly problem: ArgumentProblem,
  ) {
    super(`${argument}: expected ${expected}, received ${received}`);
  }
}

/** A bound or identity was asked for outside the domain where it is valid. */
export class DomainError extends InvalidArgumentError {
  override name = 'DomainError';
  constructor(argument: string, domain: string, received: string) {
    super(argument, `a value in the domain ${domain}`, received, 'domain');
  }
}
