/**
 * The claims registry: one typed table joining each claim's statement (src/claims/catalogue/)
 * with the check that produces its evidence (a property suite in properties/, or a proof
 * certificate in proofs/). theory/<topic>.md states and proves each claim under the same id.
 */
import type { Claim, ClaimCheck, ClaimStatement, PropertySuite } from './claim.js';
import { catalogue } from './catalogue/index.js';
import { propertySuites } from '../../properties/index.js';
import { certificatePath, certifiedClaimIds } from './certificates.js';

function join(statements: readonly ClaimStatement[], suites: readonly PropertySuite[]): Claim[] {
  const checks = new Map<string, ClaimCheck>();
  for (const suite of suites) {
    for (const [id, check] of Object.entries(suite)) {
      if (checks.has(id)) throw new Error(`claims registry: claim ${id} has two property checks`);
      checks.set(id, { kind: 'property', property: check.property, runs: check.runs });
    }
  }
  for (const id of certifiedClaimIds) {
    if (checks.has(id)) throw new Error(`claims registry: claim ${id} has both a property and a certificate`);
    checks.set(id, { kind: 'certificate', certificate: certificatePath(id) });
  }
  const seen = new Set<string>();
  const joined = statements.map((statement) => {
    if (seen.has(statement.id)) throw new Error(`claims registry: duplicate claim id ${statement.id}`);
    seen.add(statement.id);
    const check = checks.get(statement.id);
    if (!check) throw new Error(`claims registry: claim ${statement.id} has no check (no property and no certificate)`);
    return { ...statement, check };
  });
  for (const id of checks.keys()) {
    if (!seen.has(id)) throw new Error(`claims registry: a check names ${id}, which is not in the catalogue`);
  }
  return joined;
}

/** Every claim, in catalogue order. */
export const claims: readonly Claim[] = join(catalogue, propertySuites);

/** The topic of a claim id (the part before the first dot), which names theory/<topic>.md. */
export function topicOf(id: string): string {
  return id.slice(0, id.indexOf('.'));
}

/** Looks a claim up by id; undefined when there is none. */
export function findClaim(id: string): Claim | undefined {
  return claims.find((claim) => claim.id === id);
}
