/**
 * `prhs simulate`: runs one selector over a trace (a file, or a built-in synthetic trace) and
 * prints the summary (mean, p99 and max δ, δ*, retrieval rate, bytes vs dense, certificate).
 */
import { logitPrecisionRequests, type LogitPrecisionRequest } from '../../sim/logitBlocks.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { createSelector, selectorNames } from '../../selectors/registry.js';
import { simulate } from '../../sim/simulate.js';
import { summarize, type SimulationSummary } from '../../sim/summary.js';
import {
  namedSyntheticTrace,
  syntheticDefaults,
  syntheticSuite,
  type SyntheticTraceConstraints,
} from '../../traces/synthetic.js';
import { loadTrace } from '../../traces/traceFile.js';
import type { Trace } from '../../traces/trace.js';
import { integerOption, nonEmptyOption, stringOption, type ParsedArgs } from '../args.js';
import type { Command, CommandIO } from '../command.js';
import { progressBar } from '../progress.js';
import { formatDuration, formatTable } from '../table.js';

/** The version of `simulate --json`'s shape (schemas/simulate.schema.json). */
export const SIMULATE_SCHEMA = 'prhs-simulate/1';

/** Shape overrides for synthetic traces shared by simulate and compare. */
export function syntheticOverrides(args: ParsedArgs): SyntheticTraceConstraints {
  const pick = (name: string, min: number) => integerOption(args, name, min);
  const entries: [keyof SyntheticTraceConstraints, number | undefined][] = [
    ['layers', pick('layers', 1)],
    ['queryHeads', pick('heads', 1)],
    ['kvHeads', pick('kv-heads', 1)],
    ['prefix', pick('context', 1)],
    ['steps', pick('steps', 2)],
    ['headDim', pick('head-dim', 1)],
    ['seed', pick('seed', 0)],
  ];
  const out: Record<string, number> = {};
  for (const [key, value] of entries) if (value !== undefined) out[key] = value;
  checkSyntheticSize(out);
  // --context is the total length at the last step: prefix = context − steps.
  if (out.prefix !== undefined) out.prefix = Math.max(1, out.prefix - (out.steps ?? syntheticDefaults.steps));
  if (out.headDim !== undefined) out.valueDim = out.headDim;
  return out as SyntheticTraceConstraints;
}

/** Most entries in one synthetic key or value tensor: 2^28 fp32 entries is 1 GiB, with float64 noise of twice that beside it. */
export const MAX_SYNTHETIC_ENTRIES = 2 ** 28;

/** Refuses a synthetic shape too large to allocate, naming the options, before any allocation fails. */
function checkSyntheticSize(shape: Readonly<Record<string, number>>): void {
  const layers = shape.layers ?? syntheticDefaults.layers;
  const kvHeads = shape.kvHeads ?? syntheticDefaults.kvHeads;
  const context = shape.prefix ?? syntheticDefaults.prefix + syntheticDefaults.steps;
  const headDim = shape.headDim ?? syntheticDefaults.headDim;
  const entries = layers * kvHeads * Math.max(context, shape.steps ?? 0) * headDim;
  if (entries > MAX_SYNTHETIC_ENTRIES) {
    throw new InvalidArgumentError(
      shape.prefix !== undefined ? '--context' : '--layers/--kv-heads/--steps/--head-dim',
      `a synthetic trace of at most 2^28 entries per key tensor (layers × kv-heads × context × head-dim)`,
      `${layers} × ${kvHeads} × ${Math.max(context, shape.steps ?? 0)} × ${headDim} = ${entries.toExponential(3)}`,
      'range',
    );
  }
}

export const shapeOptions = {
  layers: { type: 'string', placeholder: 'L', description: 'synthetic: layers (default 4)' },
  heads: { type: 'string', placeholder: 'H', description: 'synthetic: query heads (default 8)' },
  'kv-heads': { type: 'string', placeholder: 'H', description: 'synthetic: KV heads (default 2)' },
  context: { type: 'string', placeholder: 'N', description: 'synthetic: cache length at the last step (default 1088)' },
  steps: { type: 'string', placeholder: 'T', description: 'synthetic: decode steps (default 64)' },
  'head-dim': { type: 'string', placeholder: 'D', description: 'synthetic: head dimension (default 32)' },
  seed: { type: 'string', placeholder: 'S', description: "synthetic: seed (default: the preset's)" },
  budget: { type: 'string', placeholder: 'B', description: 'actual budget B = |S| per head-step (default 128)' },
  observe: {
    type: 'string',
    placeholder: 'T',
    description: 'prompt-tail steps shown densely, not recorded (default 4)',
  },
  'no-certify': { type: 'boolean', description: 'skip the certified δ̂' },
  'no-output-error': { type: 'boolean', description: 'skip ‖o − ô‖' },
  precision: {
    type: 'string',
    placeholder: 'fp64|fp32|auto',
    description:
      'logits in fp64 (the float64 reference, default), fp32 (native cpu scores kernel) or auto (fp32 when the addon loads); see theory/simulator-precision.md',
  },
  threads: {
    type: 'string',
    placeholder: 'N',
    description: 'worker threads computing logits (default 1; results are identical for any count)',
  },
  json: { type: 'boolean', description: 'print JSON on stdout' },
} as const;

/** --precision and --threads, validated, as simulate() options. */
export function logitOptions(args: ParsedArgs): { precision?: LogitPrecisionRequest; threads?: number } {
  const precision = stringOption(args, 'precision');
  if (precision !== undefined && !logitPrecisionRequests.includes(precision as LogitPrecisionRequest)) {
    throw new InvalidArgumentError(
      '--precision',
      `one of ${logitPrecisionRequests.join(', ')}`,
      JSON.stringify(precision),
      'domain',
    );
  }
  const threads = integerOption(args, 'threads', 1);
  return {
    ...(precision === undefined ? {} : { precision: precision as LogitPrecisionRequest }),
    ...(threads === undefined ? {} : { threads }),
  };
}

export function summaryRecord(s: SimulationSummary) {
  return {
    selector: s.selector,
    budget: s.budget,
    logitPrecision: s.logitPrecision,
    meanDelta: s.meanDelta,
    p99Delta: s.p99Delta,
    maxDelta: s.maxDelta,
    meanDeltaStar: s.meanDeltaStar,
    meanGap: s.meanGap,
    meanRecall: s.meanRecall,
    retrievalRate: s.retrievalRate,
    bytesRatio: s.bytesRatio,
    meanOutputError: Number.isNaN(s.meanOutputError) ? null : s.meanOutputError,
    maxOutputError: Number.isNaN(s.maxOutputError) ? null : s.maxOutputError,
    meanCertified: Number.isNaN(s.meanCertified) ? null : s.meanCertified,
    certifiedViolations: s.certifiedViolations,
    headSteps: s.headSteps,
    elapsedMs: Math.round(s.elapsedMs),
  };
}

export function simulationOptions(args: ParsedArgs, io: CommandIO, total: number, title: string) {
  const progress = progressBar(io, total, title);
  const observe = integerOption(args, 'observe', 0);
  return {
    progress,
    options: {
      ...(observe === undefined ? {} : { observeSteps: observe }),
      ...logitOptions(args),
      certify: !args.options['no-certify'],
      outputError: !args.options['no-output-error'],
      onStep: (done: number, all: number) => progress.tick(`step ${done}/${all}`),
    },
  };
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'run one selector over a trace and report δ, δ*, the certificate, retrievals and bytes',
  usage: `prhs simulate (--trace FILE | --synthetic NAME) --selector NAME [--budget B] [shape options] [--json]\n  selectors: ${selectorNames.join(', ')}\n  synthetic: ${Object.keys(syntheticSuite).join(', ')}`,
  options: {
    trace: {
      type: 'string',
      placeholder: 'FILE',
      description: 'a FILE.safetensors or a folder with queries.npy, keys.npy, values.npy',
    },
    synthetic: {
      type: 'string',
      placeholder: 'NAME',
      description: `a built-in synthetic trace: ${Object.keys(syntheticSuite).join(', ')}`,
    },
    selector: { type: 'string', placeholder: 'NAME', description: `one of ${selectorNames.join(', ')}` },
    ...shapeOptions,
  },
  positionals: [],
  run(args, io) {
    const file = nonEmptyOption(args, 'trace', 'a FILE.safetensors or a folder with queries.npy, keys.npy, values.npy');
    const synthetic = stringOption(args, 'synthetic');
    if ((file === undefined) === (synthetic === undefined))
      throw new InvalidArgumentError(
        '--trace/--synthetic',
        'exactly one of --trace FILE or --synthetic NAME',
        file === undefined ? 'neither' : 'both',
        'domain',
      );
    const selectorName = stringOption(args, 'selector');
    if (selectorName === undefined)
      throw new InvalidArgumentError('--selector', `one of ${selectorNames.join(', ')}`, 'nothing', 'domain');
    const budget = integerOption(args, 'budget', 1) ?? 128;
    const selector = createSelector(selectorName, budget);
    const trace: Trace =
      file !== undefined ? loadTrace(file) : namedSyntheticTrace(synthetic!, syntheticOverrides(args));
    const { progress, options } = simulationOptions(args, io, trace.steps, `simulate ${selectorName}`);
    const summary = summarize(simulate(trace, selector, options));
    progress.done();
    const record = {
      schema: SIMULATE_SCHEMA,
      trace: file ?? synthetic,
      shape: {
        layers: trace.layers,
        queryHeads: trace.queryHeads,
        kvHeads: trace.kvHeads,
        positions: trace.positions,
        steps: trace.steps,
        headDim: trace.headDim,
      },
      ...summaryRecord(summary),
    };
    if (args.options.json) {
      io.stdout(JSON.stringify(record) + '\n');
      return 0;
    }
    const f = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(4));
    io.stdout(
      `prhs simulate: ${selectorName} on ${record.trace} (${trace.layers} layers × ${trace.queryHeads} heads × ${trace.steps} steps, ${trace.positions} positions, d = ${trace.headDim}, ${summary.logitPrecision} logits)\n\n`,
    );
    io.stdout(
      formatTable(
        [
          'budget',
          'mean δ',
          'p99 δ',
          'max δ',
          'mean δ*',
          'mean δ−δ*',
          'recall',
          'retrieval',
          'bytes/dense',
          'mean δ̂',
          'δ>δ̂',
          'time',
        ],
        [
          [
            summary.budget.toFixed(1),
            f(summary.meanDelta),
            f(summary.p99Delta),
            f(summary.maxDelta),
            f(summary.meanDeltaStar),
            f(summary.meanGap),
            f(summary.meanRecall),
            f(summary.retrievalRate),
            f(summary.bytesRatio),
            f(summary.meanCertified),
            String(summary.certifiedViolations),
            formatDuration(summary.elapsedMs),
          ],
        ],
      ),
    );
    return summary.certifiedViolations > 0 ? 1 : 0;
  },
};
