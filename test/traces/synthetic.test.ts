import { describe, expect, it } from 'vitest';
import { attentionLogits, softmax } from '../../src/core/index.js';
import { syntheticTrace } from '../../src/traces/synthetic.js';
import { keyOffset, queryOffset, visibleLength } from '../../src/traces/trace.js';

function attention(trace: ReturnType<typeof syntheticTrace>, layer: number, step: number, head: number): Float64Array {
  const n = visibleLength(trace, step);
  const d = trace.headDim;
  const kv = Math.floor((head * trace.kvHeads) / trace.queryHeads);
  const K = {
    data: Float64Array.from(trace.keys.subarray(keyOffset(trace, layer, kv), keyOffset(trace, layer, kv) + n * d)),
    rows: n,
    columns: d,
  };
  const q = Array.from(
    trace.queries.subarray(queryOffset(trace, layer, step, head), queryOffset(trace, layer, step, head) + d),
  );
  return softmax(attentionLogits(q, K, trace.scale));
}

describe('synthetic traces', () => {
  it('are deterministic in their seed', () => {
    const a = syntheticTrace({ layers: 1, prefix: 30, steps: 4, seed: 3 });
    const b = syntheticTrace({ layers: 1, prefix: 30, steps: 4, seed: 3 });
    const c = syntheticTrace({ layers: 1, prefix: 30, steps: 4, seed: 4 });
    expect(Array.from(a.keys)).toEqual(Array.from(b.keys));
    expect(Array.from(a.keys)).not.toEqual(Array.from(c.keys));
  });

  it('plant sinks and a needle that only matters after its step', () => {
    const trace = syntheticTrace({
      layers: 1,
      queryHeads: 4,
      kvHeads: 1,
      prefix: 300,
      steps: 20,
      needleHeads: 1,
      seed: 5,
    });
    const { position, firstStep } = trace.needle;
    const before = attention(trace, 0, firstStep - 1, 0);
    const after = attention(trace, 0, firstStep, 0);
    expect(after[position]!).toBeGreaterThan(0.3);
    expect(before[position]!).toBeLessThan(0.05);
    const sinkMass = before[0]! + before[1]! + before[2]! + before[3]!;
    expect(sinkMass).toBeGreaterThan(4 / 320);
  });

  it('drift queries with the requested step-to-step correlation', () => {
    const cosines = (rho: number) => {
      const trace = syntheticTrace({
        layers: 1,
        queryHeads: 1,
        kvHeads: 1,
        prefix: 10,
        steps: 200,
        queryCorrelation: rho,
        queryDrift: 3,
        normVolatility: 0,
        seed: 9,
      });
      const d = trace.headDim;
      let sum = 0;
      for (let t = 1; t < trace.steps; t++) {
        const a = trace.queries.subarray((t - 1) * d, t * d);
        const b = trace.queries.subarray(t * d, (t + 1) * d);
        let dot = 0,
          na = 0,
          nb = 0;
        for (let c = 0; c < d; c++) {
          dot += a[c]! * b[c]!;
          na += a[c]! ** 2;
          nb += b[c]! ** 2;
        }
        sum += dot / Math.sqrt(na * nb);
      }
      return sum / (trace.steps - 1);
    };
    expect(cosines(0.99)).toBeGreaterThan(cosines(0.5) + 0.05);
  });

  it('rejects a head dimension too small for its channels', () => {
    expect(() => syntheticTrace({ headDim: 4 })).toThrow(/headDim: expected at least 7/);
  });
});
