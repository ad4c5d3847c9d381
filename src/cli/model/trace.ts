/**
 * `prhs model trace`: runs a checkpoint densely and writes the decode steps' queries and every
 * position's keys and values, per layer and head, as a safetensors trace that `prhs simulate
 * --trace` and `prhs compare --trace` read. Two modes: greedy (a prompt, then `--steps` of the
 * model's own tokens) or teacher-forced (`--bytes FILE` / `--ids FILE`: the first `--context N`
 * tokens of real text are fed, and positions from `--score-from P` on are the decode steps), which
 * gives the attention of real text rather than of the model's own, often repetitive, output.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { argmax } from '../../model/check/greedy.js';
import { createPolicyEngine } from '../../model/engines/createEngine.js';
import { SelectorPolicy } from '../../model/selection/selectorPolicy.js';
import { saveTrace } from '../../traces/traceFile.js';
import type { BackendName } from '../../backends/kernelBackend.js';
import type { Checkpoint } from '../../model/checkpoint.js';
import { stringOption, type ParsedArgs } from '../args.js';
import type { CommandIO } from '../command.js';
import { progressBar } from '../progress.js';
import type { DecodeEngine } from '../../model/engine.js';
import { contextTokens, evaluationTokens, hasEvaluationTokens, scoreFromOption } from './evaluationTokens.js';
import { backendOption, checkpointOption, promptOption, stepsOption } from './modelOptions.js';

interface TracedRun {
  readonly promptLength: number;
  readonly steps: number;
  /** The greedy tokens (greedy mode) or null (teacher-forced: the fed tokens are the input). */
  readonly tokens: number[] | null;
  readonly recorder: SelectorPolicy;
}

type RunOptions = { args: ParsedArgs; io: CommandIO; checkpoint: Checkpoint; backend: Exclude<BackendName, 'cuda'> };

function recordingEngine(
  { checkpoint, backend }: RunOptions,
  capacity: number,
  decodeFrom: number,
): { engine: DecodeEngine; recorder: SelectorPolicy } {
  const engine = createPolicyEngine(backend, checkpoint, { capacity });
  const recorder = new SelectorPolicy({
    config: checkpoint.config,
    createSelector: null,
    sequences: 1,
    capacity,
    decodeFrom,
    observeSteps: 0,
  });
  engine.setSelectionPolicy(recorder);
  return { engine, recorder };
}

/** Greedy: the prompt, then `--steps` argmax tokens; the generated tokens' queries are the decode steps. */
function greedyRun(options: RunOptions): TracedRun {
  const { args, io, checkpoint } = options;
  const config = checkpoint.config;
  const prompts = promptOption(args, config.vocabSize);
  if (prompts.batch !== 1)
    throw new InvalidArgumentError('--batch', '1 (a trace holds one sequence)', String(prompts.batch), 'domain');
  const steps = stepsOption(args, 64);
  const { engine, recorder } = recordingEngine(options, prompts.length + steps, prompts.length);
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
  return { promptLength: prompts.length, steps, tokens, recorder };
}

/** Teacher-forced: the first --context tokens of --bytes/--ids are fed; positions ≥ --score-from are the decode steps. */
function teacherForcedRun(options: RunOptions): TracedRun {
  const { args, io, checkpoint } = options;
  const config = checkpoint.config;
  if (stringOption(args, 'prompt-ids') !== undefined || stringOption(args, 'prompt-random') !== undefined) {
    throw new InvalidArgumentError(
      '--prompt-ids',
      'no prompt with --bytes/--ids (the fed tokens are the input)',
      'a prompt',
      'domain',
    );
  }
  if (stringOption(args, 'steps') !== undefined)
    throw new InvalidArgumentError(
      '--steps',
      'no --steps with --bytes/--ids (the decode steps are the positions from --score-from on)',
      String(stringOption(args, 'steps')),
      'domain',
    );
  const tokens = contextTokens(
    args,
    evaluationTokens(args, config.vocabSize, config.bosTokenId),
    config.maxPositionEmbeddings,
  );
  const scoreFrom = scoreFromOption(args, tokens.length);
  const { engine, recorder } = recordingEngine(options, tokens.length, scoreFrom);
  const progress = progressBar(io, tokens.length - scoreFrom, 'tracing');
  engine.append(tokens.subarray(0, scoreFrom), scoreFrom);
  for (let t = scoreFrom; t < tokens.length; t++) {
    engine.append(tokens.subarray(t, t + 1), 1);
    progress.tick(`position ${t + 1}`);
  }
  progress.done();
  return { promptLength: scoreFrom, steps: tokens.length - scoreFrom, tokens: null, recorder };
}

export function runTrace(args: ParsedArgs, io: CommandIO): number {
  const out = stringOption(args, 'out');
  if (out === undefined || out === '')
    throw new InvalidArgumentError('--out', 'the trace file to write (.safetensors)', 'nothing', 'type');
  const checkpoint = checkpointOption(args);
  try {
    const config = checkpoint.config;
    const backend = backendOption(args, 'cpu');
    if (backend === 'cuda') throw new InvalidArgumentError('--backend', 'reference or cpu', backend, 'domain');
    const teacherForced = hasEvaluationTokens(args);
    const run = (teacherForced ? teacherForcedRun : greedyRun)({ args, io, checkpoint, backend });
    saveTrace(run.recorder.traces[0]!, out);
    const { promptLength, steps } = run;
    const report = {
      schema: 'prhs-model-trace/1',
      out,
      checkpoint: checkpoint.directory,
      backend,
      mode: teacherForced ? 'teacher-forced' : 'greedy',
      promptLength,
      steps,
      layers: config.layers,
      queryHeads: config.queryHeads,
      kvHeads: config.kvHeads,
      ...(run.tokens === null ? {} : { tokens: run.tokens }),
    };
    if (args.options.json === true) io.stdout(JSON.stringify(report) + '\n');
    else
      io.stdout(
        `prhs model trace: wrote ${out} (${report.mode}, ${config.layers} layers, ${config.queryHeads} query heads, ${promptLength} context positions, ${steps} decode steps)\n`,
      );
    return 0;
  } finally {
    checkpoint.close();
  }
}
