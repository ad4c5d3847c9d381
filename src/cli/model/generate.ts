/** `prhs model generate`: greedy decoding of a checkpoint, dense or with a selector in the loop. */
import { InvalidArgumentError } from '../../core/errors.js';
import { argmax } from '../../model/check/greedy.js';
import { createEngine } from '../../model/engines/createEngine.js';
import { CudaEngine } from '../../model/engines/cudaEngine.js';
import { NumericsEngine } from '../../model/engines/numericsEngine.js';
import { SelectorPolicy } from '../../model/selection/selectorPolicy.js';
import type { ParsedArgs } from '../args.js';
import type { CommandIO } from '../command.js';
import { integerOption } from '../args.js';
import { progressBar } from '../progress.js';
import { cudaSelectionFor } from './cudaSelectionChoice.js';
import { backendOption, checkpointOption, promptOption, stepsOption, selectorOption } from './modelOptions.js';

function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * The CUDA engine's selection statistics: kept and retrieval per (layer, sequence, KV head) step;
 * δ and the certified δ̂ over the (layer, sequence, query head) records of the checked steps (none
 * without --check-every).
 */
function cudaSelectionReport(engine: CudaEngine, selector: string, budget: number) {
  const stats = engine.lastSelectionStats();
  const heads = engine.lastCheck().flatMap((step) => step.heads);
  const deltas = heads.map((h) => h.delta);
  const certified = heads.map((h) => h.certifiedDelta);
  return {
    selector,
    budget,
    headSteps: deltas.length,
    meanDelta: mean(deltas),
    maxDelta: deltas.length ? Math.max(...deltas) : NaN,
    meanCertifiedDelta: mean(certified),
    maxCertifiedDelta: certified.length ? Math.max(...certified) : NaN,
    retrievalRate: stats.retrievalRate,
    meanKeptSize: stats.meanKept,
    kvHeadSteps: stats.headSteps,
    checkedSteps: engine.lastCheck().length,
  };
}

export async function runGenerate(args: ParsedArgs, io: CommandIO): Promise<number> {
  const checkpoint = checkpointOption(args);
  try {
    const config = checkpoint.config;
    const prompts = promptOption(args, config.vocabSize);
    const steps = stepsOption(args, 16);
    const backend = backendOption(args, 'cpu');
    const choice = selectorOption(args);
    const checkEvery = integerOption(args, 'check-every', 0);
    const capacity = prompts.length + steps;
    if (checkEvery !== undefined && (backend !== 'cuda' || choice === null))
      throw new InvalidArgumentError('--check-every', 'only with --backend cuda and --selector', backend, 'domain');
    const cudaSelection = backend === 'cuda' && choice !== null ? cudaSelectionFor(choice, capacity) : null;
    if (capacity > config.maxPositionEmbeddings)
      throw new InvalidArgumentError(
        '--steps',
        `at most ${config.maxPositionEmbeddings - prompts.length} (max_position_embeddings ${config.maxPositionEmbeddings} minus the prompt)`,
        String(steps),
        'range',
      );
    const engine = createEngine(backend, checkpoint, { batch: prompts.batch, capacity });
    let policy: SelectorPolicy | null = null;
    if (choice !== null && engine instanceof CudaEngine && cudaSelection !== null) {
      engine.setSelection(cudaSelection);
      engine.setCheck({ everySteps: checkEvery ?? 0 });
    } else if (choice !== null && engine instanceof NumericsEngine) {
      policy = new SelectorPolicy({
        config,
        createSelector: choice.create,
        sequences: prompts.batch,
        capacity,
        decodeFrom: prompts.length,
      });
      engine.setSelectionPolicy(policy);
    }
    const vocab = config.vocabSize;
    const started = performance.now();
    let logits = engine.append(prompts.ids, prompts.length);
    const prefillMs = performance.now() - started;
    const generated: number[][] = Array.from({ length: prompts.batch }, () => []);
    const progress = progressBar(io, steps, 'generating');
    const decodeStarted = performance.now();
    for (let s = 0; s < steps; s++) {
      const next = Int32Array.from({ length: prompts.batch }, (_, b) => argmax(logits, b * vocab, vocab));
      next.forEach((id, b) => generated[b]!.push(id));
      if (s < steps - 1) logits = engine.append(next, 1);
      progress.tick(`step ${s + 1}`);
    }
    progress.done();
    const msPerStep = steps > 1 ? (performance.now() - decodeStarted) / (steps - 1) : NaN;
    const selection =
      choice &&
      (policy
        ? {
            selector: choice.name,
            budget: choice.budget,
            headSteps: policy.stats.delta.length,
            meanDelta: mean(policy.stats.delta),
            maxDelta: Math.max(...policy.stats.delta),
            retrievalRate: mean(policy.stats.retrieved),
            meanKeptSize: mean(policy.stats.keptSize),
          }
        : engine instanceof CudaEngine
          ? cudaSelectionReport(engine, choice.name, choice.budget)
          : null);
    engine.dispose();
    const report = {
      schema: 'prhs-model-generate/1',
      backend,
      checkpoint: checkpoint.directory,
      batch: prompts.batch,
      promptLength: prompts.length,
      steps,
      tokens: generated,
      prefillMs,
      msPerStep,
      selection,
    };
    if (args.options.json === true) io.stdout(JSON.stringify(report) + '\n');
    else {
      io.stdout(
        `prhs model generate: ${backend}, batch ${prompts.batch}, prompt ${prompts.length}, ${steps} steps (prefill ${prefillMs.toFixed(1)} ms, ${msPerStep.toFixed(2)} ms per step)\n`,
      );
      generated.forEach((ids, b) => io.stdout(`  [${b}] ${ids.join(' ')}\n`));
      if (selection) {
        const delta =
          selection.headSteps > 0 && Number.isFinite(selection.meanDelta)
            ? `mean δ ${selection.meanDelta.toPrecision(4)}, max δ ${selection.maxDelta.toPrecision(4)}`
            : 'δ not measured (--check-every N)';
        io.stdout(
          `  ${selection.selector} at budget ${selection.budget}: mean kept ${selection.meanKeptSize.toFixed(1)}, ${delta}, retrieval rate ${(100 * selection.retrievalRate).toFixed(1)}%\n`,
        );
      }
    }
    return 0;
  } finally {
    checkpoint.close();
  }
}
