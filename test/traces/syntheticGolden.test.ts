/**
 * syntheticTrace gives the bits recorded before it was split into functions (SHA-256 over the
 * queries, keys, values and planted positions) for each recency prior, MHA and GQA.
 */
import { describe, expect, it } from 'vitest';
import { syntheticTrace, type SyntheticTraceConstraints } from '../../src/traces/synthetic.js';
import { bitsHash } from '../setup/bitsHash.js';

function traceHash(options: SyntheticTraceConstraints): string {
  const trace = syntheticTrace(options);
  return bitsHash([
    trace.queries,
    trace.keys,
    trace.values,
    trace.heavyHitterPositions,
    trace.needle.heads,
    Int32Array.of(trace.needle.position, trace.needle.firstStep),
  ]);
}

const cases: readonly { readonly name: string; readonly options: SyntheticTraceConstraints; readonly hash: string }[] =
  [
    { name: 'the defaults', options: {}, hash: '977f68c44344e460fe72a10cbd311342' },
    {
      name: 'a power-law prior, GQA, value dimension ≠ head dimension',
      options: { recency: 'power', seed: 2, layers: 3, queryHeads: 6, kvHeads: 2, prefix: 200, steps: 9, valueDim: 24 },
      hash: 'd072d48de2ce264e3b86cee7ad05bea3',
    },
    {
      name: 'no recency prior, MHA, correlated layers',
      options: { recency: 'none', seed: 5, queryHeads: 3, kvHeads: 3, prefix: 50, steps: 12, layerSimilarity: 0.7 },
      hash: 'ecbc53ce2295c7b6d51d5d317d41b4da',
    },
  ];

describe('syntheticTrace gives the recorded bits', () => {
  for (const { name, options, hash } of cases) {
    it(name, () => {
      expect(traceHash(options)).toBe(hash);
    });
  }
});
