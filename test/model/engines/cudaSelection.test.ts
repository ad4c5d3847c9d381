import { describe, expect, it } from 'vitest';
import { CisSelector } from '../../../src/selectors/cis.js';
import {
  resolveCudaSelection,
  summariseSelection,
  type CudaSelection,
} from '../../../src/model/engines/cudaSelection.js';

describe('resolveCudaSelection', () => {
  it('resolves the CIS defaults exactly as src/selectors/cis.ts does', () => {
    for (const budget of [1, 5, 8, 64, 100, 511, 4096]) {
      const cpu = new CisSelector(budget);
      expect(resolveCudaSelection({ kind: 'cis', budget }, 8192)).toEqual({
        kind: 'cis',
        budget,
        sinks: cpu.sinks,
        window: cpu.window,
        gate: cpu.gate,
        dilated: cpu.dilated,
        radius: cpu.radius,
      });
    }
  });

  it('passes explicit CIS options through: anchorTopFraction of k = B − sinks − window, dilation as the radius', () => {
    expect(
      resolveCudaSelection(
        { kind: 'cis', budget: 100, sinks: 2, window: 8, gate: 0.5, anchorTopFraction: 0.5, dilation: 2 },
        1000,
      ),
    ).toEqual({
      kind: 'cis',
      budget: 100,
      sinks: 2,
      window: 8,
      gate: 0.5,
      dilated: 45,
      radius: 2,
    });
  });

  it('gives StreamingLLM a budget of sinks + window (4 sinks by default) and the oracle its budget', () => {
    expect(resolveCudaSelection({ kind: 'streaming', window: 60 }, 128)).toEqual({
      kind: 'streaming',
      budget: 64,
      sinks: 4,
    });
    expect(resolveCudaSelection({ kind: 'oracle', budget: 7 }, 128)).toEqual({ kind: 'oracle', budget: 7 });
    expect(resolveCudaSelection({ kind: 'dense' }, 128)).toEqual({ kind: 'dense' });
  });

  const rejected: [string, unknown, RegExp][] = [
    [
      'an unknown kind',
      { kind: 'quest', budget: 8 },
      /^kind: expected one of dense, streaming, oracle, cis, received "quest"/,
    ],
    ['a missing kind', { budget: 8 }, /^kind: /],
    ['not an object', 'cis', /^selection: expected a selection object/],
    [
      'a budget above the capacity',
      { kind: 'cis', budget: 129 },
      /^budget: expected an integer in \[1, 128\], received 129/,
    ],
    ['a zero budget', { kind: 'oracle', budget: 0 }, /^budget: expected an integer in \[1, 128\], received 0/],
    ['a fractional budget', { kind: 'oracle', budget: 2.5 }, /^budget: expected an integer/],
    ['a missing budget', { kind: 'cis' }, /^budget: expected an integer in \[1, 128\], received nothing/],
    [
      'a gate outside [-1, 1]',
      { kind: 'cis', budget: 16, gate: 1.5 },
      /^gate: expected a cosine in \[-1, 1\], received 1.5/,
    ],
    ['a NaN gate', { kind: 'cis', budget: 16, gate: NaN }, /^gate: /],
    ['a negative sink count', { kind: 'cis', budget: 16, sinks: -1 }, /^sinks: /],
    ['a fractional window', { kind: 'cis', budget: 16, window: 1.5 }, /^window: /],
    [
      'an anchorTopFraction above 1',
      { kind: 'cis', budget: 16, anchorTopFraction: 2 },
      /^anchorTopFraction: expected a fraction in \[0, 1\]/,
    ],
    ['a negative dilation', { kind: 'cis', budget: 16, dilation: -1 }, /^dilation: /],
    [
      'an empty StreamingLLM set',
      { kind: 'streaming', sinks: 0, window: 0 },
      /^sinks \+ window: expected an integer in \[1, 128\], received 0/,
    ],
    ['a StreamingLLM set above the capacity', { kind: 'streaming', sinks: 4, window: 125 }, /^sinks \+ window: /],
    [
      'a CIS option given to the oracle',
      { kind: 'oracle', budget: 8, gate: 0.5 },
      /^selection.gate: expected only kind, budget for this kind/,
    ],
    ['a misspelt option', { kind: 'cis', budget: 8, radius: 2 }, /^selection.radius: /],
  ];
  for (const [what, selection, message] of rejected) {
    it(`refuses ${what}, naming the argument`, () => {
      expect(() => resolveCudaSelection(selection as CudaSelection, 128)).toThrow(message);
    });
  }
});

describe('summariseSelection', () => {
  it('gives mean kept and retrieval rate per layer and over all head-steps', () => {
    const summary = summariseSelection([
      { kept: 40, retrieved: 2, headSteps: 4 },
      { kept: 20, retrieved: 0, headSteps: 4 },
      { kept: 0, retrieved: 0, headSteps: 0 },
    ]);
    expect(summary.layers.map((l) => [l.meanKept, l.retrievalRate])).toEqual([
      [10, 0.5],
      [5, 0],
      [0, 0],
    ]);
    expect(summary.meanKept).toBe(7.5);
    expect(summary.retrievalRate).toBe(0.25);
    expect(summary.headSteps).toBe(8);
  });
});
