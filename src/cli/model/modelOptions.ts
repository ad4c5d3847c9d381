/** Options shared by the `prhs model` subcommands: the checkpoint, the backend, prompts, batch and steps. */
import type { BackendName } from '../../backends/kernelBackend.js';
import { parseBackendName } from '../../backends/registry.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { loadCheckpoint, type Checkpoint } from '../../model/checkpoint.js';
import { createSelector } from '../../selectors/registry.js';
import type { Selector } from '../../selectors/selector.js';
import { integerOption, stringOption, type ParsedArgs } from '../args.js';
import { promptsFromFile, randomPrompts, type Prompts } from './promptIds.js';

export function checkpointOption(args: ParsedArgs): Checkpoint {
  const directory = stringOption(args, 'checkpoint');
  if (directory === undefined || directory === '')
    throw new InvalidArgumentError(
      '--checkpoint',
      'a checkpoint folder (config.json + model.safetensors)',
      'nothing',
      'type',
    );
  return loadCheckpoint(directory);
}

export function backendOption(args: ParsedArgs, fallback: BackendName): BackendName {
  const value = stringOption(args, 'backend');
  return value === undefined ? fallback : parseBackendName('--backend', value);
}

/** --prompt-ids FILE or --prompt-random N (with --seed), exactly one. */
export function promptOption(args: ParsedArgs, vocabSize: number): Prompts {
  const file = stringOption(args, 'prompt-ids');
  const random = integerOption(args, 'prompt-random', 1);
  if ((file === undefined) === (random === undefined))
    throw new InvalidArgumentError(
      '--prompt-ids',
      'exactly one of --prompt-ids FILE and --prompt-random N',
      file === undefined ? 'neither' : 'both',
      'domain',
    );
  const batch = integerOption(args, 'batch', 1);
  if (file !== undefined) return promptsFromFile(file, vocabSize, batch);
  return randomPrompts(random!, batch ?? 1, vocabSize, integerOption(args, 'seed', 0) ?? 1);
}

export function stepsOption(args: ParsedArgs, fallback: number): number {
  return integerOption(args, 'steps', 1) ?? fallback;
}

/** A selector for the decode loop: --selector NAME with --budget K (both or neither), validated before anything runs. */
export interface SelectorChoice {
  readonly name: string;
  readonly budget: number;
  /** A fresh selector (one per sequence: selectors keep per-trace state). */
  readonly create: () => Selector;
}

export function selectorOption(args: ParsedArgs): SelectorChoice | null {
  const name = stringOption(args, 'selector');
  const budget = integerOption(args, 'budget', 1);
  if ((name === undefined) !== (budget === undefined))
    throw new InvalidArgumentError(
      '--budget',
      'given together with --selector',
      budget === undefined ? 'no budget' : 'no selector',
      'domain',
    );
  if (name === undefined || budget === undefined) return null;
  createSelector(name, budget); // refuses an unknown name or a bad budget here, before any engine exists
  return { name, budget, create: () => createSelector(name, budget) };
}
