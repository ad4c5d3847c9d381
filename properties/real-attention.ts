/**
 * Real attention (theory/real-attention.md): CIS against the oracle on a committed trace of the
 * trained model prhs-byte-12m. The input is the budget's fraction of the context; the measurement
 * on a fixed trace is deterministic, so each fraction is simulated once and remembered.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import { packageRoot } from '../src/io/packageRoot.js';
import { createSelector } from '../src/selectors/registry.js';
import { simulate } from '../src/sim/simulate.js';
import { summarize, type SimulationSummary } from '../src/sim/summary.js';
import type { Trace } from '../src/traces/trace.js';
import { loadTrace } from '../src/traces/traceFile.js';

/** The committed trace (bench/model/real-attention.js --claim-trace writes it). */
export const realTracePath = 'properties/real-attention/prhs-byte-12m-1k-layers-0-7.safetensors';
/** "Near": the mean gap and re-scoring rate the claim allows (theory/real-attention.md says where they come from). */
export const nearOracle = { maxMeanGap: 0.01, maxRetrievalRate: 0.1 } as const;
export const budgetFractions = [4, 8, 16] as const;

let trace: Trace | undefined;
const summaries = new Map<number, SimulationSummary>();

/** CIS (defaults) at budget N/fraction on the committed trace, simulated once per fraction. */
export function cisOnRealTrace(fraction: number): SimulationSummary {
  trace ??= loadTrace(join(packageRoot(), realTracePath));
  let summary = summaries.get(fraction);
  if (summary === undefined) {
    summary = summarize(
      simulate(trace, createSelector('cis', trace.positions / fraction), { certify: false, outputError: false }),
    );
    summaries.set(fraction, summary);
  }
  return summary;
}

function nearOracleAt(fraction: number): true {
  const s = cisOnRealTrace(fraction);
  const slack = 8 * (trace!.positions + 4) * 2 ** -52;
  const where = `CIS at B = N/${fraction} = ${trace!.positions / fraction} over ${s.headSteps} head-steps`;
  claimAssert(
    s.meanGap <= nearOracle.maxMeanGap + slack,
    () =>
      `${where}: mean δ − δ* = ${s.meanGap} > ${nearOracle.maxMeanGap} (mean δ ${s.meanDelta}, δ* ${s.meanDeltaStar}; retrieval rate ${s.retrievalRate})`,
  );
  claimAssert(
    s.retrievalRate <= nearOracle.maxRetrievalRate,
    () =>
      `${where}: re-scores ${s.retrievalRate} of head-steps > ${nearOracle.maxRetrievalRate} (mean δ − δ* = ${s.meanGap})`,
  );
  return true;
}

export const realAttentionProperties: PropertySuite = {
  // 30 runs over 3 values: all three fractions are drawn except with probability 3·(2/3)^30 < 10⁻⁵.
  'real-attention.cis-near-oracle': {
    runs: 30,
    property: () => fc.property(fc.constantFrom(...budgetFractions), (fraction) => nearOracleAt(fraction)),
  },
};
