/**
 * The one list of machine-checked claims and where their certificates live: every catalogue
 * claim with a formal statement has a certificate at proofs/<claim-id>.cert.json. The registry,
 * `prhs prove`, `prhs verify` and the checker all read it from here.
 */
import { catalogue } from './catalogue/index.js';
import type { RegisteredStatement } from '../proofs/registeredStatement.js';

/** How every certificate file's name ends (`prhs prove --check FOLDER` reads the files that do). */
export const certificateSuffix = '.cert.json';

/** Where a claim's certificate lives, relative to the package root. */
export function certificatePath(claim: string): string {
  return `proofs/${claim}${certificateSuffix}`;
}

/** The registered statement of every machine-checked claim, in catalogue order. */
export const registeredStatements: readonly RegisteredStatement[] = catalogue.flatMap((c) =>
  c.formal ? [{ claim: c.id, statement: c.statement, domain: c.domain, formal: c.formal }] : [],
);

/** Ids of the claims whose evidence is a certificate. */
export const certifiedClaimIds: readonly string[] = registeredStatements.map((r) => r.claim);

/** The registered statement of a machine-checked claim; undefined for any other id. */
export function registeredStatement(claim: string): RegisteredStatement | undefined {
  return registeredStatements.find((r) => r.claim === claim);
}
