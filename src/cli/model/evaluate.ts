/**
 * `prhs model evaluate`: teacher-forced loss (bits per token; bits per byte for a byte-level
 * model) of a checkpoint over a token file or raw bytes, dense or with a selector in the loop.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../core/errors.js';
import { createPolicyEngine } from '../../model/engines/createEngine.js';
import { crossEntropy } from '../../model/evaluate/crossEntropy.js';
import { SelectorPolicy } from '../../model/selection/selectorPolicy.js';
import { createSelector } from '../../selectors/registry.js';
import { integerOption, stringOption, type ParsedArgs } from '../args.js';
import type { CommandIO } from '../command.js';
import { progressBar } from '../progress.js';
import { backendOption, checkpointOption } from './modelOptions.js';
import { promptsFromFile } from './promptIds.js';

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new InvalidArgumentError('--bytes', 'a readable file', `${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'type');
  }
}

/** Token ids: --ids FILE (JSON) or --bytes FILE (one id per byte, BOS first when the config has one). */
function evaluationTokens(args: ParsedArgs, vocabSize: number, bos: number | null): Int32Array {
  const ids = stringOption(args, 'ids');
  const bytes = stringOption(args, 'bytes');
  if ((ids === undefined) === (bytes === undefined)) throw new InvalidArgumentError('--ids', 'exactly one of --ids FILE and --bytes FILE', ids === undefined ? 'neither' : 'both', 'domain');
  if (ids !== undefined) return promptsFromFile(ids, vocabSize, 1).ids;
  if (vocabSize < 256) throw new InvalidArgumentError('--bytes', 'a byte-level model (vocabulary ≥ 256)', `a vocabulary of ${vocabSize}`, 'domain');
  const data = readBytes(bytes!);
  const head = bos === null ? [] : [bos];
  return Int32Array.from([...head, ...data]);
}

export function runEvaluate(args: ParsedArgs, io: CommandIO): number {
  const checkpoint = checkpointOption(args);
  try {
    const config = checkpoint.config;
    const all = evaluationTokens(args, config.vocabSize, config.bosTokenId);
    const context = Math.min(integerOption(args, 'context', 2) ?? all.length, all.length, config.maxPositionEmbeddings);
    if (context < 2) throw new InvalidArgumentError('--ids', 'at least 2 tokens', String(all.length), 'length');
    const tokens = all.subarray(0, context);
    const scoreFrom = integerOption(args, 'score-from', 1) ?? Math.min(context - 1, Math.max(1, Math.floor(context / 8)));
    const backend = backendOption(args, 'cpu');
    if (backend === 'cuda') throw new InvalidArgumentError('--backend', 'reference or cpu', backend, 'domain');
    const selectorName = stringOption(args, 'selector');
    const budget = integerOption(args, 'budget', 1);
    if ((selectorName === undefined) !== (budget === undefined)) throw new InvalidArgumentError('--budget', 'given together with --selector', budget === undefined ? 'no budget' : 'no selector', 'domain');
    if (selectorName !== undefined) createSelector(selectorName, budget!);
    const engine = createPolicyEngine(backend, checkpoint, { capacity: context });
    const policy = selectorName === undefined ? null : new SelectorPolicy({ config, createSelector: () => createSelector(selectorName, budget!), sequences: 1, capacity: context, decodeFrom: scoreFrom });
    engine.setSelectionPolicy(policy);
    const progress = progressBar(io, context - scoreFrom, 'evaluating');
    const started = performance.now();
    const result = crossEntropy(engine, tokens, scoreFrom, (done) => progress.tick(`token ${done}`));
    progress.done();
    const deltas = policy?.stats.delta ?? [];
    const report = {
      schema: 'prhs-model-evaluate/1', checkpoint: checkpoint.directory, backend, context, scoreFrom, scored: result.scored,
      bitsPerToken: result.bitsPerToken, natsPerToken: result.natsPerToken, selector: selectorName ?? 'dense', budget: budget ?? null,
      meanDelta: deltas.length ? deltas.reduce((a, b) => a + b, 0) / deltas.length : 0, elapsedMs: performance.now() - started,
    };
    if (args.options.json === true) io.stdout(JSON.stringify(report) + '\n');
    else io.stdout(`prhs model evaluate: ${report.selector}${budget ? ` at budget ${budget}` : ''}: ${result.bitsPerToken.toFixed(4)} bits per token over ${result.scored} tokens (context ${context}, scored from ${scoreFrom}${deltas.length ? `, mean δ ${report.meanDelta.toPrecision(4)}` : ''})\n`);
    return 0;
  } finally {
    checkpoint.close();
  }
}
