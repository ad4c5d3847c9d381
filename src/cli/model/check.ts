/** `prhs model check`: an engine against the float64 reference on a checkpoint (theory/model.md, "Engine cross-check"). */
import { InvalidArgumentError } from '../../core/errors.js';
import { checkEngine } from '../../model/check/engineCheck.js';
import { createNaiveFloat32Engine } from '../../model/engines/cpuEngine.js';
import { createEngine } from '../../model/engines/createEngine.js';
import { createReferenceEngine } from '../../model/engines/referenceEngine.js';
import type { ParsedArgs } from '../args.js';
import type { CommandIO } from '../command.js';
import { backendOption, checkpointOption, promptOption, stepsOption } from './modelOptions.js';

export async function runCheck(args: ParsedArgs, io: CommandIO): Promise<number> {
  const checkpoint = checkpointOption(args);
  try {
    const backend = backendOption(args, 'cpu');
    if (backend === 'reference') throw new InvalidArgumentError('--backend', 'cpu or cuda (the engine checked against the reference)', backend, 'domain');
    const withDefaults = args.options['prompt-ids'] === undefined && args.options['prompt-random'] === undefined ? { ...args, options: { ...args.options, 'prompt-random': '16', batch: args.options.batch ?? '2' } } : args;
    const prompts = promptOption(withDefaults, checkpoint.config.vocabSize);
    const steps = stepsOption(args, 32);
    const size = { batch: prompts.batch, capacity: prompts.length + steps };
    const started = performance.now();
    const result = checkEngine({
      reference: createReferenceEngine(checkpoint, size), engine: createEngine(backend, checkpoint, size), naive: createNaiveFloat32Engine(checkpoint, size),
      prompts: prompts.ids, promptLength: prompts.length, steps,
    });
    const report = { schema: 'prhs-model-check/1', checkpoint: checkpoint.directory, dtype: checkpoint.config.dtype, elapsedMs: performance.now() - started, ...result };
    if (args.options.json === true) io.stdout(JSON.stringify(report) + '\n');
    else {
      io.stdout(`prhs model check: ${backend} engine against the float64 reference (${checkpoint.config.dtype} weights, batch ${result.batch}, prompt ${result.promptLength}, ${steps} steps)\n`);
      io.stdout(`  logits: engine error ${result.engineError.toExponential(3)}, naive fp32 error ${result.naiveError.toExponential(3)}, ratio ${result.ratio.toFixed(3)} (≤ 2): ${result.withinTwiceNaive ? 'pass' : 'FAIL'}\n`);
      io.stdout(`  greedy: ${result.greedyMatched}/${result.greedyCompared} steps identical where the reference's margin allows a verdict: ${result.greedyIdentical ? 'pass' : 'FAIL'}\n`);
      io.stdout(`${result.pass ? 'pass' : 'FAIL'}\n`);
    }
    return result.pass ? 0 : 1;
  } finally {
    checkpoint.close();
  }
}
