/**
 * Selection inside the CUDA engine for `prhs model bench`: the selectors the engine runs on the GPU
 * (`engine.setSelection`), named as on the command line. Engines built without it are refused with
 * a clear error instead of silently timing the dense step.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { CudaSelection } from '../engines/cudaSelection.js';

export type EngineSelectionKind = 'dense' | 'cis' | 'oracle' | 'streaming';

export const engineSelectionKinds: readonly EngineSelectionKind[] = ['dense', 'cis', 'oracle', 'streaming'];

export interface EngineSelection {
  readonly kind: EngineSelectionKind;
  /** Positions each KV head keeps per step (absent for dense). */
  readonly budget?: number;
}

/** --selector NAME and --budget K: dense needs no budget, every other kind needs one in [1, context]. */
export function engineSelection(
  name: string | undefined,
  budget: number | undefined,
  context: number,
): EngineSelection | null {
  if (name === undefined) {
    if (budget !== undefined)
      throw new InvalidArgumentError('--budget', 'given together with --selector', 'no selector', 'domain');
    return null;
  }
  const kind = name === 'streamingllm' ? 'streaming' : name;
  if (!engineSelectionKinds.includes(kind as EngineSelectionKind))
    throw new InvalidArgumentError(
      '--selector',
      `one of ${engineSelectionKinds.join(', ')} (the selectors the CUDA engine runs)`,
      JSON.stringify(name),
      'domain',
    );
  if (kind === 'dense') return { kind: 'dense' };
  if (budget === undefined)
    throw new InvalidArgumentError(
      '--budget',
      `positions kept per KV head with --selector ${name}`,
      'nothing',
      'domain',
    );
  if (budget > context)
    throw new InvalidArgumentError('--budget', `at most the context (${context})`, String(budget), 'range');
  return { kind: kind as EngineSelectionKind, budget };
}

interface SelectableEngine {
  setSelection(selection: CudaSelection): void;
}

/** The engine's selection for a command-line choice (StreamingLLM: 4 sinks, the rest recent, as on the CPU). */
export function cudaSelectionOf(selection: EngineSelection): CudaSelection {
  const budget = selection.budget ?? 0;
  switch (selection.kind) {
    case 'dense':
      return { kind: 'dense' };
    case 'streaming': {
      const sinks = Math.min(4, budget);
      return { kind: 'streaming', sinks, window: budget - sinks };
    }
    case 'oracle':
    case 'cis':
      return { kind: selection.kind, budget };
  }
}

/** Installs the selection on an engine that supports it; refuses (naming --selector) one that does not. */
export function applyEngineSelection(engine: object, selection: EngineSelection): void {
  const candidate = engine as Partial<SelectableEngine>;
  if (typeof candidate.setSelection !== 'function')
    throw new InvalidArgumentError(
      '--selector',
      'a CUDA engine with selection on the GPU (this build has no setSelection)',
      selection.kind,
      'domain',
    );
  candidate.setSelection(cudaSelectionOf(selection));
}
