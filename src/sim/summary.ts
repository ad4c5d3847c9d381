/** Summaries of a simulation record: the numbers `prhs simulate` and `prhs compare` print. */
import type { SimulationRecord } from './simulate.js';

export interface SimulationSummary {
  readonly selector: string;
  readonly headSteps: number;
  /** Mean actual budget |S|. */
  readonly budget: number;
  readonly meanDelta: number;
  readonly p99Delta: number;
  readonly maxDelta: number;
  readonly meanDeltaStar: number;
  /** Mean of δ − δ* (same actual budget, per head-step). */
  readonly meanGap: number;
  readonly meanRecall: number;
  /** Fraction of head-steps that re-selected from the whole cache. */
  readonly retrievalRate: number;
  /** Bytes read (selection + kept K/V) over the bytes dense attention reads. */
  readonly bytesRatio: number;
  /** Mean and max ‖o − ô‖ (NaN when not computed). */
  readonly meanOutputError: number;
  readonly maxOutputError: number;
  /** Mean certified δ̂ and the number of head-steps with δ > δ̂ (must be 0). NaN/0 when not computed. */
  readonly meanCertified: number;
  readonly certifiedViolations: number;
  /** Arithmetic of the logits every number above derives from ('fp64' exact reference, 'fp32' native). */
  readonly logitPrecision: SimulationRecord['logitPrecision'];
  readonly elapsedMs: number;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length === 0 ? Number.NaN : sum / values.length;
}

/** The q-quantile (nearest rank) of values. */
export function quantile(values: Float64Array, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function summarize(record: SimulationRecord): SimulationSummary {
  const n = record.delta.length;
  let maxDelta = 0;
  let gap = 0;
  let retrieved = 0;
  let bytes = 0;
  let denseBytes = 0;
  let size = 0;
  let maxError = 0;
  let violations = 0;
  for (let i = 0; i < n; i++) {
    maxDelta = Math.max(maxDelta, record.delta[i]!);
    gap += record.delta[i]! - record.deltaStar[i]!;
    retrieved += record.retrieved[i]!;
    bytes += record.bytes[i]!;
    denseBytes += record.denseBytes[i]!;
    size += record.size[i]!;
    if (record.outputError[i]! > maxError) maxError = record.outputError[i]!;
    if (record.delta[i]! > record.certified[i]!) violations++;
  }
  const errorMean = mean(record.outputError);
  return {
    selector: record.selector,
    headSteps: n,
    budget: size / n,
    meanDelta: mean(record.delta),
    p99Delta: quantile(record.delta, 0.99),
    maxDelta,
    meanDeltaStar: mean(record.deltaStar),
    meanGap: gap / n,
    meanRecall: mean(record.recall),
    retrievalRate: retrieved / n,
    bytesRatio: bytes / denseBytes,
    meanOutputError: errorMean,
    maxOutputError: Number.isNaN(errorMean) ? Number.NaN : maxError,
    meanCertified: mean(record.certified),
    certifiedViolations: violations,
    logitPrecision: record.logitPrecision,
    elapsedMs: record.elapsedMs,
  };
}
