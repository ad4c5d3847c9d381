import { describe, expect, it } from 'vitest';
import { cudaSelectionFor } from '../../../src/cli/model/cudaSelectionChoice.js';
import { createSelector } from '../../../src/selectors/registry.js';

const choice = (name: string, budget: number) => ({ name, budget, create: () => createSelector(name, budget) });

describe('cudaSelectionFor', () => {
  it("maps cis, oracle and streamingllm to the CUDA selections with the CPU selectors' defaults", () => {
    expect(cudaSelectionFor(choice('cis', 32), 100)).toEqual({ kind: 'cis', budget: 32 });
    expect(cudaSelectionFor(choice('oracle', 32), 100)).toEqual({ kind: 'oracle', budget: 32 });
    expect(cudaSelectionFor(choice('streamingllm', 32), 100)).toEqual({ kind: 'streaming', sinks: 4, window: 28 });
    // Below 4 the sinks fill the budget, as StreamingLLMSelector's capped set does.
    expect(cudaSelectionFor(choice('streamingllm', 3), 100)).toEqual({ kind: 'streaming', sinks: 3, window: 0 });
  });

  it('refuses the selectors the GPU does not run and a budget above the capacity, naming the option', () => {
    expect(() => cudaSelectionFor(choice('quest', 8), 100)).toThrow(
      /^--selector: expected one of cis, oracle, streamingllm with --backend cuda/,
    );
    expect(() => cudaSelectionFor(choice('cis', 101), 100)).toThrow(/^--budget: expected at most 100/);
  });
});
