/**
 * A proof script (proofs/<claim-id>.proof.ts) names its claim and gives what the prover needs
 * beyond the claim's registered formal statement (src/claims/catalogue/scalar.ts, which holds the
 * obligations): the lemmas it uses, where the reduction is written and, for a refutation, a
 * witness box. Running it (runProofScript) produces the certificate.
 */
import type { Interval } from './interval.js';

export interface ProofScript {
  readonly claim: string;
  readonly lemmas: readonly string[];
  /** Where the reduction from the obligations to the claim is written. */
  readonly reduction: string;
  /**
   * For a claim false as stated: a witness box to certify instead of the prover's counterexample
   * box (e.g. a realisable point).
   */
  readonly witness?: readonly Interval[];
}
