/**
 * `prhs model check`: an engine against the float64 reference on a checkpoint (theory/model.md,
 * "Engine cross-check"); the CUDA engine (fp16/bf16) against HF transformers' float64 and half runs
 * of the same checkpoint, read from --hf-reference (theory/kernel-error.md, "CUDA model engine").
 */
import { existsSync } from 'node:fs';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Checkpoint } from '../../model/checkpoint.js';
import { checkEngine } from '../../model/check/engineCheck.js';
import { compareWithHf, readHfReference } from '../../model/check/hfReferenceCheck.js';
import { createCudaEngine } from '../../model/engines/cudaEngine.js';
import { createNaiveFloat32Engine } from '../../model/engines/cpuEngine.js';
import { createEngine } from '../../model/engines/createEngine.js';
import { createReferenceEngine } from '../../model/engines/referenceEngine.js';
import { stringOption, type ParsedArgs } from '../args.js';
import type { CommandIO } from '../command.js';
import { backendOption, checkpointOption, promptOption, stepsOption } from './modelOptions.js';

export async function runCheck(args: ParsedArgs, io: CommandIO): Promise<number> {
  const checkpoint = checkpointOption(args);
  try {
    const backend = backendOption(args, 'cpu');
    if (backend === 'cuda') return runCudaCheck(args, io, checkpoint);
    if (stringOption(args, 'hf-reference') !== undefined)
      throw new InvalidArgumentError('--hf-reference', 'only with --backend cuda', backend, 'domain');
    if (backend === 'reference')
      throw new InvalidArgumentError(
        '--backend',
        'cpu or cuda (the engine checked against the reference)',
        backend,
        'domain',
      );
    const withDefaults =
      args.options['prompt-ids'] === undefined && args.options['prompt-random'] === undefined
        ? { ...args, options: { ...args.options, 'prompt-random': '16', batch: args.options.batch ?? '2' } }
        : args;
    const prompts = promptOption(withDefaults, checkpoint.config.vocabSize);
    const steps = stepsOption(args, 32);
    const size = { batch: prompts.batch, capacity: prompts.length + steps };
    const started = performance.now();
    const result = checkEngine({
      reference: createReferenceEngine(checkpoint, size),
      engine: createEngine(backend, checkpoint, size),
      naive: createNaiveFloat32Engine(checkpoint, size),
      prompts: prompts.ids,
      promptLength: prompts.length,
      steps,
    });
    const report = {
      schema: 'prhs-model-check/1',
      checkpoint: checkpoint.directory,
      dtype: checkpoint.config.dtype,
      elapsedMs: performance.now() - started,
      ...result,
    };
    if (args.options.json === true) io.stdout(JSON.stringify(report) + '\n');
    else {
      io.stdout(
        `prhs model check: ${backend} engine against the float64 reference (${checkpoint.config.dtype} weights, batch ${result.batch}, prompt ${result.promptLength}, ${steps} steps)\n`,
      );
      io.stdout(
        `  logits: engine error ${result.engineError.toExponential(3)}, naive fp32 error ${result.naiveError.toExponential(3)}, ratio ${result.ratio.toFixed(3)} (≤ 2): ${result.withinTwiceNaive ? 'pass' : 'FAIL'}\n`,
      );
      io.stdout(
        `  greedy: ${result.greedyMatched}/${result.greedyCompared} steps identical where the reference's margin allows a verdict: ${result.greedyIdentical ? 'pass' : 'FAIL'}\n`,
      );
      io.stdout(`${result.pass ? 'pass' : 'FAIL'}\n`);
    }
    return result.pass ? 0 : 1;
  } finally {
    checkpoint.close();
  }
}

/** The CUDA engine against the HF reference file: logits within 2x HF half's error, greedy tokens where the margin allows. */
function runCudaCheck(args: ParsedArgs, io: CommandIO, checkpoint: Checkpoint): number {
  const path = stringOption(args, 'hf-reference');
  if (path === undefined || path === '') {
    throw new InvalidArgumentError(
      '--hf-reference',
      'a reference file with --backend cuda (HF float64 and half logits of this checkpoint, written by bench/model/hf_reference.py)',
      'nothing',
      'type',
    );
  }
  if (!existsSync(path))
    throw new InvalidArgumentError('--hf-reference', 'an existing file', JSON.stringify(path), 'domain');
  for (const option of ['prompt-ids', 'prompt-random', 'batch', 'steps']) {
    if (args.options[option] !== undefined)
      throw new InvalidArgumentError(
        `--${option}`,
        "nothing with --backend cuda (the prompt, batch and steps are the reference file's)",
        String(args.options[option]),
        'domain',
      );
  }
  const config = checkpoint.config;
  const ref = readHfReference(path, config.vocabSize);
  const capacity = Math.min(config.maxPositionEmbeddings, ref.promptLength + ref.steps + 16);
  const started = performance.now();
  const engine = createCudaEngine(checkpoint, { batch: ref.batch, capacity });
  try {
    const result = compareWithHf(engine, ref);
    const report = {
      schema: 'prhs-model-check-cuda/1',
      checkpoint: checkpoint.directory,
      reference: path,
      referenceMetadata: ref.metadata,
      engineDtype: engine.spec.dtype,
      batch: ref.batch,
      promptLength: ref.promptLength,
      steps: ref.steps,
      elapsedMs: performance.now() - started,
      ...result,
    };
    if (args.options.json === true) io.stdout(JSON.stringify(report) + '\n');
    else {
      io.stdout(
        `prhs model check: cuda engine (${engine.spec.dtype}) against HF transformers (batch ${ref.batch}, prompt ${ref.promptLength}, ${ref.steps} steps)\n`,
      );
      io.stdout(
        `  logits: engine error ${result.ourError.toExponential(3)}, HF ${ref.metadata.dtype ?? 'half'} error ${result.hfHalfError.toExponential(3)}, ratio ${result.ratio.toFixed(3)} (≤ 2): ${result.logitsPass ? 'pass' : 'FAIL'}\n`,
      );
      io.stdout(
        `  greedy: ${result.greedy.matched}/${result.greedy.compared} steps identical where HF float64's margin allows a verdict: ${result.greedy.pass ? 'pass' : 'FAIL'}\n`,
      );
      io.stdout(`${result.pass ? 'pass' : 'FAIL'}\n`);
    }
    return result.pass ? 0 : 1;
  } finally {
    engine.dispose();
  }
}
