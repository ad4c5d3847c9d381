/** Channel proxies (HShare, DoubleSparsity): the r channels of largest |weight| and Σ_{c∈C} q_c·k_ic. */
import { describe, expect, it } from 'vitest';
import { proxyScores, topChannels } from '../../src/selectors/channelProxy.js';
import { handTrace } from './harness.js';

function channels(weights: number[], r: number, capacity = r): number[] {
  const out = new Int32Array(capacity);
  const count = topChannels(weights, r, out);
  return Array.from(out.subarray(0, count));
}

describe('topChannels', () => {
  it('takes the largest |weight| first, negative weights by magnitude', () => {
    expect(channels([0.1, -3, 2, 0.5], 2)).toEqual([1, 2]);
    expect(channels([0.1, -3, 2, 0.5], 4)).toEqual([1, 2, 3, 0]);
    expect(channels([-1, -2, -3], 1)).toEqual([2]);
  });
  it('breaks ties to the lower channel', () => {
    expect(channels([1, -1, 1, 0], 2)).toEqual([0, 1]);
    expect(channels([0, 0, 0], 2)).toEqual([0, 1]);
  });
  it('returns at most min(r, channels, capacity)', () => {
    expect(channels([3, 1], 5, 5)).toEqual([0, 1]);
    expect(channels([3, 1, 2], 3, 2)).toEqual([0, 2]);
    expect(channels([3, 1, 2], 0)).toEqual([]);
  });
});

describe('proxyScores', () => {
  it('sums q_c·k_ic over the chosen channels only, for the keys of the given head', () => {
    // Two KV heads of three keys (d = 3); scores of head 1's keys on channels {0, 2}.
    const head0 = [
      [9, 9, 9],
      [9, 9, 9],
      [9, 9, 9],
    ];
    const head1 = [
      [1, 5, 2],
      [-1, 7, 0],
      [0.5, 0, -2],
    ];
    const trace = handTrace({
      keys: [[head0, head1]],
      queries: [
        [
          [
            [0, 0, 0],
            [2, 100, 3],
          ],
        ],
      ],
    });
    const scores = new Float64Array(4).fill(-7);
    proxyScores(trace, 3, 9, 3, Int32Array.from([0, 2]), 2, scores);
    expect(Array.from(scores)).toEqual([2 + 6, -2 + 0, 1 - 6, -7]);
    proxyScores(trace, 3, 9, 2, Int32Array.from([1, 0]), 1, scores);
    expect(Array.from(scores.subarray(0, 2))).toEqual([500, 700]);
  });
});
