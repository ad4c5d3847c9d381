/**
 * The implementation a property is checked against. Properties call the functions under test
 * through this object, so the test-of-the-tests can swap in a planted bug and show that some
 * property then fails.
 */
import * as core from '../core/index.js';
import * as info from '../info/index.js';

export interface Implementation {
  readonly core: typeof core;
  readonly info: typeof info;
}

/** The float64 reference: the default implementation for every claim. */
export const reference: Implementation = { core, info };

/** A copy of the reference with some functions replaced (for planted-bug tests). */
export function withOverrides(overrides: { core?: Partial<typeof core>; info?: Partial<typeof info> }): Implementation {
  return { core: { ...core, ...overrides.core }, info: { ...info, ...overrides.info } };
}
