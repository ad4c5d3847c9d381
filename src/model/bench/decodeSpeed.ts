/**
 * A decode step's speed beside the bound its bytes allow: what `prhs model bench` and the speed
 * table (bench/model/speed-table.sh) report. The bytes are the fewest one step must read: the weights
 * (once per step for the whole batch), the K and V rows attention reads, and what selection reads;
 * the bound is those bytes at the card's copy bandwidth measured in the same process.
 */
import { InvalidArgumentError } from '../../core/errors.js';

/** What the engine's benchDecode returns; the selection fields only where selection ran. */
export interface DecodeTiming {
  readonly medianMs: number;
  readonly minMs: number;
  readonly weightBytes: number;
  readonly kvBytes: number;
  readonly selectionBytes?: number;
  readonly selectedTokens?: number;
  readonly retrievalRate?: number;
}

export interface DecodeSpeed {
  readonly medianMs: number;
  readonly minMs: number;
  readonly tokensPerSecond: number;
  readonly bytes: { readonly weights: number; readonly kv: number; readonly selection: number; readonly total: number };
  readonly achievedGBs: number;
  /** ms the step's bytes take at the copy bandwidth. */
  readonly boundMs: number;
  /** boundMs / medianMs: 1 is the copy bandwidth. */
  readonly fractionOfBound: number;
}

function positive(argument: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0))
    throw new InvalidArgumentError(argument, 'a finite positive number', String(value), 'range');
}

/** Copy bandwidth in GB/s from one timed device-to-device copy of `bytes` (read and write both counted). */
export function copyGigabytesPerSecond(bytes: number, seconds: number): number {
  positive('bytes', bytes);
  positive('seconds', seconds);
  return (2 * bytes) / seconds / 1e9;
}

export function decodeSpeed(options: {
  readonly batch: number;
  readonly timing: DecodeTiming;
  readonly copyGBs: number;
}): DecodeSpeed {
  const { batch, timing, copyGBs } = options;
  positive('batch', batch);
  positive('copyGBs', copyGBs);
  positive('medianMs', timing.medianMs);
  const selection = timing.selectionBytes ?? 0;
  const total = timing.weightBytes + timing.kvBytes + selection;
  const boundMs = (total / (copyGBs * 1e9)) * 1e3;
  return {
    medianMs: timing.medianMs,
    minMs: timing.minMs,
    tokensPerSecond: (batch * 1000) / timing.medianMs,
    bytes: { weights: timing.weightBytes, kv: timing.kvBytes, selection, total },
    achievedGBs: total / timing.medianMs / 1e6,
    boundMs,
    fractionOfBound: boundMs / timing.medianMs,
  };
}
