import { describe, expect, it } from 'vitest';
import { applyEngineSelection, engineSelection } from '../../../src/model/bench/engineSelection.js';
import { type CudaSelection, resolveCudaSelection } from '../../../src/model/engines/cudaSelection.js';

describe('engineSelection', () => {
  it('maps the command-line names to the engine kinds', () => {
    expect(engineSelection(undefined, undefined, 4096)).toBeNull();
    expect(engineSelection('dense', undefined, 4096)).toEqual({ kind: 'dense' });
    expect(engineSelection('cis', 512, 4096)).toEqual({ kind: 'cis', budget: 512 });
    expect(engineSelection('streamingllm', 64, 4096)).toEqual({ kind: 'streaming', budget: 64 });
  });

  it('refuses an unknown selector, a missing budget, a budget past the context, and a budget alone', () => {
    expect(() => engineSelection('h2o', 64, 4096)).toThrow(/--selector: expected one of dense, cis, oracle, streaming/);
    expect(() => engineSelection('cis', undefined, 4096)).toThrow(/--budget/);
    expect(() => engineSelection('oracle', 5000, 4096)).toThrow(/--budget: expected at most the context \(4096\)/);
    expect(() => engineSelection(undefined, 64, 4096)).toThrow(/--budget: expected given together with --selector/);
  });

  it('installs the selection where the engine has setSelection, and refuses an engine without it', () => {
    const seen: CudaSelection[] = [];
    const engine = { setSelection: (s: CudaSelection) => seen.push(s) };
    applyEngineSelection(engine, { kind: 'cis', budget: 8 });
    applyEngineSelection(engine, { kind: 'streaming', budget: 64 });
    applyEngineSelection(engine, { kind: 'streaming', budget: 3 });
    applyEngineSelection(engine, { kind: 'dense' });
    // The engine's own form (src/model/engines/cudaSelection.ts): StreamingLLM as sinks + window.
    expect(seen).toEqual([
      { kind: 'cis', budget: 8 },
      { kind: 'streaming', sinks: 4, window: 60 },
      { kind: 'streaming', sinks: 3, window: 0 },
      { kind: 'dense' },
    ]);
    for (const selection of seen) expect(() => resolveCudaSelection(selection, 4096)).not.toThrow();
    expect(() => applyEngineSelection({}, { kind: 'cis', budget: 8 })).toThrow(
      /--selector: expected a CUDA engine with selection/,
    );
  });
});
