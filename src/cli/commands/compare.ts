/**
 * `prhs compare`: every selector at the same actual budget on the built-in synthetic suite, or on
 * a trace file (`--trace FILE`, e.g. a model's real attention from `prhs model trace`); one
 * table per trace (selector, actual budget, mean δ, max δ, mean δ − δ*, recall of the oracle's top-k,
 * retrieval rate, bytes vs dense). `--json` prints {"rows":[{"trace","selector","budget","meanDelta","maxDelta","meanGap","meanRecall","retrievalRate","bytesRatio"}...]}.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { createSelector, selectorNames } from '../../selectors/registry.js';
import { simulate } from '../../sim/simulate.js';
import { summarize } from '../../sim/summary.js';
import { namedSyntheticTrace, syntheticSuite } from '../../traces/synthetic.js';
import type { Trace } from '../../traces/trace.js';
import { loadTrace } from '../../traces/traceFile.js';
import { integerOption, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { progressBar } from '../progress.js';
import { formatTable } from '../table.js';
import { logitOptions, shapeOptions, syntheticOverrides } from './simulate.js';

/** The version of `compare --json`'s shape (schemas/compare.schema.json). */
export const COMPARE_SCHEMA = 'prhs-compare/1';

export const compareCommand: Command = {
  name: 'compare',
  summary: 'run every selector at equal actual budget on the synthetic suite (or a trace file) and print a table',
  usage: 'prhs compare [--budget B] [--synthetic NAME | --trace FILE] [--selectors a,b,…] [shape options] [--json]',
  options: {
    trace: {
      type: 'string',
      placeholder: 'FILE',
      description: 'a trace file instead of the synthetic suite (FILE.safetensors or a folder of .npy)',
    },
    synthetic: {
      type: 'string',
      placeholder: 'NAME',
      description: `only this trace of the suite (${Object.keys(syntheticSuite).join(', ')})`,
    },
    selectors: {
      type: 'string',
      placeholder: 'NAME[,NAME…]',
      description: `comma-separated subset of ${selectorNames.join(', ')}`,
    },
    ...shapeOptions,
  },
  positionals: [],
  run(args, io) {
    const budget = integerOption(args, 'budget', 1) ?? 128;
    const only = stringOption(args, 'synthetic');
    const file = stringOption(args, 'trace');
    if (only !== undefined && file !== undefined)
      throw new InvalidArgumentError(
        '--trace/--synthetic',
        'at most one of --trace FILE and --synthetic NAME',
        'both',
        'domain',
      );
    if (file === '')
      throw new InvalidArgumentError(
        '--trace',
        'a FILE.safetensors or a folder with queries.npy, keys.npy, values.npy',
        'an empty path',
        'type',
      );
    const traces = file !== undefined ? [file] : only === undefined ? Object.keys(syntheticSuite) : [only];
    const traceNamed = (name: string): Trace =>
      file !== undefined ? loadTrace(file) : namedSyntheticTrace(name, syntheticOverrides(args));
    const chosen = stringOption(args, 'selectors')
      ?.split(',')
      .map((s) => s.trim()) ?? [...selectorNames];
    for (const name of chosen)
      if (!selectorNames.includes(name))
        throw new InvalidArgumentError(
          '--selectors',
          `names from ${selectorNames.join(', ')}`,
          JSON.stringify(name),
          'domain',
        );
    const observe = integerOption(args, 'observe', 0);
    const progress = progressBar(io, traces.length * chosen.length, 'compare');
    const rows: {
      trace: string;
      selector: string;
      budget: number;
      meanDelta: number;
      maxDelta: number;
      meanGap: number;
      retrievalRate: number;
      bytesRatio: number;
      meanDeltaStar: number;
      meanRecall: number;
      meanCertified: number | null;
    }[] = [];
    for (const traceName of traces) {
      const trace = traceNamed(traceName);
      for (const name of chosen) {
        progress.tick(`${traceName} ${name}`);
        const s = summarize(
          simulate(trace, createSelector(name, budget), {
            trusted: true,
            ...logitOptions(args),
            certify: !args.options['no-certify'],
            outputError: !args.options['no-output-error'],
            ...(observe === undefined ? {} : { observeSteps: observe }),
          }),
        );
        rows.push({
          trace: traceName,
          selector: name,
          budget: s.budget,
          meanDelta: s.meanDelta,
          maxDelta: s.maxDelta,
          meanGap: s.meanGap,
          retrievalRate: s.retrievalRate,
          bytesRatio: s.bytesRatio,
          meanDeltaStar: s.meanDeltaStar,
          meanRecall: s.meanRecall,
          meanCertified: Number.isNaN(s.meanCertified) ? null : s.meanCertified,
        });
      }
    }
    progress.done();
    if (args.options.json) {
      io.stdout(JSON.stringify({ schema: COMPARE_SCHEMA, budget, rows }) + '\n');
      return 0;
    }
    const f = (x: number) => x.toFixed(4);
    for (const traceName of traces) {
      io.stdout(`\n${traceName} (budget B = ${budget})\n`);
      io.stdout(
        formatTable(
          [
            'selector',
            'actual budget',
            'mean δ',
            'max δ',
            'mean δ−δ*',
            'recall',
            'retrieval rate',
            'bytes vs dense',
            'mean δ̂',
          ],
          rows
            .filter((r) => r.trace === traceName)
            .map((r) => [
              r.selector,
              r.budget.toFixed(1),
              f(r.meanDelta),
              f(r.maxDelta),
              f(r.meanGap),
              f(r.meanRecall),
              f(r.retrievalRate),
              f(r.bytesRatio),
              r.meanCertified === null ? '—' : f(r.meanCertified),
            ]),
        ),
      );
    }
    return 0;
  },
};
