/**
 * Runs a proof script on its claim's registered formal statement: proves each obligation by
 * branch and bound (identities are passed on to the checker as they are), or, for a refutation,
 * checks that the prover fails and keeps its counterexample box as the witness. The result is
 * re-verified by the checker before it is returned, so a certificate that the checker would
 * reject is never written.
 */
import type { Certificate, Obligation } from './certificate.js';
import { CERTIFICATE_FORMAT } from './certificate.js';
import { checkCertificate } from './checker.js';
import { parseExpression } from './expression.js';
import { evaluateJet } from './jet.js';
import type { ProofScript } from './proofScript.js';
import type { RegisteredStatement } from './registeredStatement.js';
import { certifiedEnclosure, proveSign, signObligation, type ProverOptions } from './prover.js';

export interface ProofRun {
  readonly claim: string;
  readonly ok: boolean;
  readonly certificate?: Certificate;
  readonly message: string;
  /** Boxes the prover examined, all obligations together. */
  readonly examined: number;
}

export function runProofScript(
  script: ProofScript,
  registered: RegisteredStatement | undefined,
  options: ProverOptions = {},
): ProofRun {
  let examined = 0;
  const obligations: Obligation[] = [];
  const failed = (message: string): ProofRun => ({ claim: script.claim, ok: false, message, examined });
  if (registered?.claim !== script.claim) return failed(`the registry has no formal statement for ${script.claim}`);
  const { formal } = registered;
  for (const goal of formal.obligations) {
    if ('kind' in goal) {
      obligations.push(goal);
      continue;
    }
    const outcome = proveSign(goal, options);
    examined += outcome.examined;
    if (!outcome.proved) {
      const where = goal.variables.map((v, i) => `${v} ∈ [${outcome.box[i]!.lo}, ${outcome.box[i]!.hi}]`).join(', ');
      return failed(`could not prove "${goal.name}": ${outcome.reason} at ${where}`);
    }
    obligations.push(outcome.obligation);
  }
  let witness: Certificate['witness'];
  if (formal.refuted) {
    const goal = formal.refuted;
    const outcome = proveSign(goal, options);
    examined += outcome.examined;
    if (outcome.proved) return failed(`the prover proved "${goal.name}", which the script says is false`);
    if (!outcome.counterexample)
      return failed(`the prover failed on "${goal.name}" without a counterexample: ${outcome.reason}`);
    let { box, enclosure } = outcome.counterexample;
    if (script.witness) {
      box = script.witness;
      const jet = evaluateJet(
        parseExpression(goal.quantity, goal.variables),
        box,
        goal.derivative ? goal.variables.indexOf(goal.derivative.variable) : -1,
      );
      const order = goal.derivative?.order ?? 0;
      const value = order === 0 ? jet.value : order === 1 ? jet.first : jet.second;
      const violates = {
        '>=0': (x: typeof value) => x.hi < 0,
        '>0': (x: typeof value) => x.hi <= 0,
        '<=0': (x: typeof value) => x.lo > 0,
        '<0': (x: typeof value) => x.lo >= 0,
      }[goal.relation];
      enclosure = certifiedEnclosure(value, violates);
    }
    const refuted = signObligation(goal, []);
    obligations.push(refuted);
    witness = { obligation: obligations.length - 1, box, enclosure };
  }
  const certificate: Certificate = {
    format: CERTIFICATE_FORMAT,
    claim: script.claim,
    verdict: formal.refuted ? 'refuted' : 'proved',
    statement: registered.statement,
    domain: registered.domain,
    lemmas: script.lemmas,
    reduction: script.reduction,
    obligations,
    ...(witness ? { witness } : {}),
  };
  const check = checkCertificate(certificate, registered);
  if (!check.ok) return failed(`the checker rejects the prover's certificate: ${check.message}`);
  return { claim: script.claim, ok: true, certificate, message: check.message, examined };
}
