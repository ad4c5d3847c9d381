/**
 * `prhs model evaluate`: teacher-forced loss (bits per token; bits per byte for a byte-level
 * model) of a checkpoint over a token file or raw bytes, dense or with a selector in the loop.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { createPolicyEngine } from '../../model/engines/createEngine.js';
import { crossEntropy } from '../../model/evaluate/crossEntropy.js';
import { SelectorPolicy } from '../../model/selection/selectorPolicy.js';
import type { ParsedArgs } from '../args.js';
import type { CommandIO } from '../command.js';
import { progressBar } from '../progress.js';
import { backendOption, checkpointOption, selectorOption } from './modelOptions.js';
import { contextTokens, evaluationTokens, scoreFromOption } from './evaluationTokens.js';

export function runEvaluate(args: ParsedArgs, io: CommandIO): number {
  const checkpoint = checkpointOption(args);
  try {
    const config = checkpoint.config;
    const all = evaluationTokens(args, config.vocabSize, config.bosTokenId);
    const tokens = contextTokens(args, all, config.maxPositionEmbeddings);
    const context = tokens.length;
    const scoreFrom = scoreFromOption(args, context);
    const backend = backendOption(args, 'cpu');
    if (backend === 'cuda') throw new InvalidArgumentError('--backend', 'reference or cpu', backend, 'domain');
    const choice = selectorOption(args);
    const engine = createPolicyEngine(backend, checkpoint, { capacity: context });
    const policy =
      choice === null
        ? null
        : new SelectorPolicy({
            config,
            createSelector: choice.create,
            sequences: 1,
            capacity: context,
            decodeFrom: scoreFrom,
          });
    engine.setSelectionPolicy(policy);
    const progress = progressBar(io, context - scoreFrom, 'evaluating');
    const started = performance.now();
    const result = crossEntropy(engine, tokens, scoreFrom, (done) => progress.tick(`token ${done}`));
    progress.done();
    const deltas = policy?.stats.delta ?? [];
    const report = {
      schema: 'prhs-model-evaluate/1',
      checkpoint: checkpoint.directory,
      backend,
      context,
      scoreFrom,
      scored: result.scored,
      bitsPerToken: result.bitsPerToken,
      natsPerToken: result.natsPerToken,
      selector: choice?.name ?? 'dense',
      budget: choice?.budget ?? null,
      meanDelta: deltas.length ? deltas.reduce((a, b) => a + b, 0) / deltas.length : 0,
      elapsedMs: performance.now() - started,
    };
    if (args.options.json === true) io.stdout(JSON.stringify(report) + '\n');
    else
      io.stdout(
        `prhs model evaluate: ${report.selector}${choice ? ` at budget ${choice.budget}` : ''}: ${result.bitsPerToken.toFixed(4)} bits per token over ${result.scored} tokens (context ${context}, scored from ${scoreFrom}${deltas.length ? `, mean δ ${report.meanDelta.toPrecision(4)}` : ''})\n`,
      );
    return 0;
  } finally {
    checkpoint.close();
  }
}
