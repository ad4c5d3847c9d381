/**
 * A proof script (proofs/<claim-id>.proof.ts) names its claim, states the domain, lists the
 * lemmas it uses and the obligations that, by the reduction written in theory/scalar.md, imply
 * the claim. Running it (runProofScript) produces the certificate.
 */
import type { IdentityObligation } from './certificate.js';
import type { Interval } from './interval.js';
import type { SignGoal } from './prover.js';

export interface ProofScript {
  readonly claim: string;
  /** The claim as the certificate states it (Unicode maths). */
  readonly statement: string;
  /** The domain, explicitly (integer parameters included). */
  readonly domain: string;
  readonly lemmas: readonly string[];
  /** Where the reduction from the obligations to the claim is written. */
  readonly reduction: string;
  /** Obligations that must all be proved. */
  readonly obligations: ReadonlyArray<SignGoal | IdentityObligation>;
  /** For a claim that is false as stated: the false statement, which the prover must fail to prove. */
  readonly refute?: {
    readonly goal: SignGoal;
    /** A witness box to certify instead of the prover's counterexample box (e.g. a realisable point). */
    readonly witness?: readonly Interval[];
  };
}
