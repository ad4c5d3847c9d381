/**
 * `prhs model trace`: runs a checkpoint densely over a prompt and `--steps` greedy tokens and
 * writes the decode steps' queries and every position's keys and values, per layer and head, as
 * a safetensors trace that `prhs simulate --trace` and `prhs compare --trace` read.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { argmax } from '../../model/check/greedy.js';
import { createPolicyEngine } from '../../model/engines/createEngine.js';
import { SelectorPolicy } from '../../model/selection/selectorPolicy.js';
import { saveTrace } from '../../traces/traceFile.js';
import { stringOption, type ParsedArgs } from '../args.js';
import type { CommandIO } from '../command.js';
import { progressBar } from '../progress.js';
import { backendOption, checkpointOption, promptOption, stepsOption } from './modelOptions.js';

export function runTrace(args: ParsedArgs, io: CommandIO): number {
  const out = stringOption(args, 'out');
  if (out === undefined || out === '') throw new InvalidArgumentError('--out', 'the trace file to write (.safetensors)', 'nothing', 'type');
  const checkpoint = checkpointOption(args);
  try {
    const config = checkpoint.config;
    const prompts = promptOption(args, config.vocabSize);
    if (prompts.batch !== 1) throw new InvalidArgumentError('--batch', '1 (a trace holds one sequence)', String(prompts.batch), 'domain');
    const steps = stepsOption(args, 64);
    const backend = backendOption(args, 'cpu');
    if (backend === 'cuda') throw new InvalidArgumentError('--backend', 'reference or cpu', backend, 'domain');
    const capacity = prompts.length + steps;
    const engine = createPolicyEngine(backend, checkpoint, { capacity });
    const recorder = new SelectorPolicy({ config, createSelector: null, sequences: 1, capacity, decodeFrom: prompts.length, observeSteps: 0 });
    engine.setSelectionPolicy(recorder);
    const progress = progressBar(io, steps, 'tracing');
    let logits = engine.append(prompts.ids, prompts.length);
    const tokens: number[] = [];
    for (let s = 0; s < steps; s++) {
      const next = argmax(logits, 0, config.vocabSize);
      tokens.push(next);
      // The last generated token is appended too: its query is the trace's last decode step.
      logits = engine.append(Int32Array.of(next), 1);
      progress.tick(`step ${s + 1}`);
    }
    progress.done();
    saveTrace(recorder.traces[0]!, out);
    const report = { schema: 'prhs-model-trace/1', out, checkpoint: checkpoint.directory, backend, promptLength: prompts.length, steps, layers: config.layers, queryHeads: config.queryHeads, kvHeads: config.kvHeads, tokens };
    if (args.options.json === true) io.stdout(JSON.stringify(report) + '\n');
    else io.stdout(`prhs model trace: wrote ${out} (${config.layers} layers, ${config.queryHeads} query heads, ${prompts.length} prompt positions, ${steps} decode steps)\n`);
    return 0;
  } finally {
    checkpoint.close();
  }
}
