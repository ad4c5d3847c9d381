/**
 * The claims registry's types. A claim is a precise mathematical statement with an id; theory/
 * states and proves it, properties/ tests it, proofs/ machine-checks it, and `prhs verify`
 * reports its status. The registry is the one table all of them read.
 */
import type fc from 'fast-check';
import type { Implementation } from './implementation.js';
import type { FormalStatement } from '../proofs/registeredStatement.js';

/** Where a claim comes from: the paper, derived by us from standard results, or our own. */
export type ClaimSource = 'paper' | 'derived' | 'ours';

/** What the mathematics says should happen when the claim is checked. */
export type ClaimExpectation = 'holds' | 'fails';

/** What a run found. `machine-checked` means a proof certificate was re-verified. */
export type ClaimStatus = 'holds' | 'fails' | 'machine-checked' | 'error';

/** A property whose inputs are JSON-serialisable, so counterexamples can be stored and replayed. */
export type ClaimProperty = fc.IRawProperty<unknown[], false>;

/** How a claim is checked. */
export type ClaimCheck =
  | {
      readonly kind: 'property';
      /** Builds the property against an implementation (the reference, or a planted-bug variant). */
      readonly property: (implementation: Implementation) => ClaimProperty;
      /** Default number of runs for `prhs verify`; PRHS_RUNS or --runs overrides. */
      readonly runs: number;
    }
  | {
      readonly kind: 'certificate';
      /** Path of the proof certificate, relative to the package root. */
      readonly certificate: string;
    };

/** A claim's statement: what the registry's catalogue holds for each id. */
export interface ClaimStatement {
  /** Stable id, `<topic>.<name>`; the theory file `theory/<topic>.md` states and proves it. */
  readonly id: string;
  readonly title: string;
  /** The precise statement, in plain text with Unicode maths. */
  readonly statement: string;
  /** Where the statement is claimed to be valid. */
  readonly domain: string;
  readonly source: ClaimSource;
  readonly expected: ClaimExpectation;
  /** For claims expected to fail: the corrected claim's id, where one exists. */
  readonly correctedBy?: string;
  /**
   * For a machine-checked claim: the obligations its certificate must prove (or the false goal it
   * must refute), which the checker compares with the certificate before accepting it.
   */
  readonly formal?: FormalStatement;
}

/** A claim with the check that produces its evidence (joined by the registry). */
export interface Claim extends ClaimStatement {
  readonly check: ClaimCheck;
}

/** A property check as a property suite declares it, keyed by claim id. */
export interface PropertyCheck {
  readonly property: (implementation: Implementation) => ClaimProperty;
  readonly runs: number;
}

/** One suite of properties/ : claim id → its property. */
export type PropertySuite = Readonly<Record<string, PropertyCheck>>;

/** Signals that a property's assertion failed (as opposed to an unexpected exception). */
export class ClaimViolation extends Error {
  override name = 'ClaimViolation';
}

/** Asserts inside a property; the message becomes the counterexample's explanation. */
export function claimAssert(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new ClaimViolation(message());
}
