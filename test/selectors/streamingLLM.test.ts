/**
 * StreamingLLM (Xiao et al., "Efficient Streaming Language Models with Attention Sinks"): the
 * first `sinks` positions plus the most recent ones, B in all, chosen without scoring any key.
 */
import { describe, expect, it } from 'vitest';
import { StreamingLLMSelector } from '../../src/selectors/streamingLLM.js';
import { headStep, runSelect, sortedKept, writableTrace } from './harness.js';

function keptAt(selector: StreamingLLMSelector, prefix: number) {
  const trace = writableTrace({ heads: 1, prefix, steps: 1, d: 2, seed: 11 });
  selector.begin(trace);
  return runSelect(selector, headStep(trace, 0, 0));
}

describe('StreamingLLM', () => {
  it('keeps the sinks, then the newest positions, B in all', () => {
    const out = keptAt(new StreamingLLMSelector(5, 2), 9); // 10 visible
    expect(sortedKept(out)).toEqual([0, 1, 7, 8, 9]);
    expect(Array.from(out.indices.subarray(0, out.size))).toEqual([0, 1, 9, 8, 7]);
  });
  it('defaults to four sinks', () => {
    const selector = new StreamingLLMSelector(6);
    expect(selector.sinks).toBe(4);
    expect(sortedKept(keptAt(selector, 11))).toEqual([0, 1, 2, 3, 10, 11]);
  });
  it('keeps every position of a cache shorter than the sinks or the budget', () => {
    expect(sortedKept(keptAt(new StreamingLLMSelector(6, 4), 2))).toEqual([0, 1, 2]);
    expect(sortedKept(keptAt(new StreamingLLMSelector(8, 2), 4))).toEqual([0, 1, 2, 3, 4]);
  });
  it('keeps only sinks when the budget is the sink count, and fewer sinks when the budget is smaller', () => {
    expect(sortedKept(keptAt(new StreamingLLMSelector(3, 3), 9))).toEqual([0, 1, 2]);
    expect(sortedKept(keptAt(new StreamingLLMSelector(2, 4), 9))).toEqual([0, 1]);
  });
  it('scores nothing, reads no metadata and is not a retrieval', () => {
    const out = keptAt(new StreamingLLMSelector(4, 1), 9);
    expect(out).toMatchObject({ keysScored: 0, metadataBytes: 0, retrieved: false, size: 4 });
    expect(new StreamingLLMSelector(4).name).toBe('streamingllm');
  });
  it('keeps each position once when the cache is shorter than the whole trace', () => {
    // Step 0 of a three-step trace: 5 of 7 positions visible, B = 8 > 5.
    const trace = writableTrace({ heads: 1, prefix: 4, steps: 3, d: 2, seed: 11 });
    const selector = new StreamingLLMSelector(8, 2);
    selector.begin(trace);
    const out = runSelect(selector, headStep(trace, 0, 0));
    expect(out.size).toBe(5);
    expect(sortedKept(out)).toEqual([0, 1, 2, 3, 4]);
  });
});
