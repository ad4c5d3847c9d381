/** Proxy logits on a channel subset C: score_i = Σ_{c∈C} q_c·k_ic (HShare, DoubleSparsity). */
import type { Trace } from '../traces/trace.js';

/** The r channels with the largest |weight_c| (ties to the lower channel), into `out`. */
export function topChannels(weights: ArrayLike<number>, r: number, out: Int32Array): number {
  const n = weights.length;
  const count = Math.min(r, n, out.length);
  for (let j = 0; j < count; j++) {
    let best = -1;
    for (let c = 0; c < n; c++) {
      let taken = false;
      for (let k = 0; k < j; k++) if (out[k] === c) taken = true;
      if (taken) continue;
      if (best < 0 || Math.abs(weights[c]!) > Math.abs(weights[best]!)) best = c;
    }
    out[j] = best;
  }
  return count;
}

/** Proxy scores of the first `length` keys of a KV head (key 0 at `keyBase`) into `scores`. */
export function proxyScores(
  trace: Trace,
  queryOffset: number,
  keyBase: number,
  length: number,
  channels: Int32Array,
  count: number,
  scores: Float64Array,
): void {
  const d = trace.headDim;
  const q = trace.queries;
  const K = trace.keys;
  for (let i = 0; i < length; i++) {
    let sum = 0;
    const row = keyBase + i * d;
    for (let j = 0; j < count; j++) {
      const c = channels[j]!;
      sum += q[queryOffset + c]! * K[row + c]!;
    }
    scores[i] = sum;
  }
}
