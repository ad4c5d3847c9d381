/** --selector NAME --budget K as the CUDA engine's selection (src/model/engines/cudaSelection.ts). */
import { InvalidArgumentError } from '../../core/errors.js';
import type { CudaSelection } from '../../model/engines/cudaSelection.js';
import type { SelectorChoice } from './modelOptions.js';
import { cudaSelectionOf } from '../../model/bench/engineSelection.js';

/** The selectors the CUDA engine runs in its decode loop, by their `prhs` names. */
export const cudaSelectorNames = ['cis', 'oracle', 'streamingllm'] as const;

/** The CUDA selection for a selector choice, with the CPU selectors' defaults (StreamingLLM: 4 sinks, the rest recent). */
export function cudaSelectionFor(choice: SelectorChoice, capacity: number): CudaSelection {
  const { name, budget } = choice;
  if (budget > capacity)
    throw new InvalidArgumentError(
      '--budget',
      `at most ${capacity} (the engine capacity: prompt + steps)`,
      String(budget),
      'range',
    );
  if (!(cudaSelectorNames as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(
      '--selector',
      `one of ${cudaSelectorNames.join(', ')} with --backend cuda (the others run on the reference or cpu backend)`,
      JSON.stringify(name),
      'domain',
    );
  }
  return cudaSelectionOf({ kind: name === 'streamingllm' ? 'streaming' : (name as 'cis' | 'oracle'), budget });
}
