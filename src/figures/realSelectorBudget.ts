/**
 * Figure 4 on real attention: mean dropped mass δ against the actual budget for every selector,
 * on teacher-forced traces of the trained model (models/prhs-byte-12m) over held-out files at
 * 1K, 2K and 4K context, read from the committed real-trace comparison
 * (bench/results/real-attention-cpu*.json, bench/model/real-attention.js).
 */
import type { FigureDefinition, Row } from './figure.js';
import { noDataSpec } from './noDataSpec.js';
import { readResultFiles, realTraceFiles, type RealTraceComparison } from './realResults.js';
import { selectorEncodings, styledSelectors } from './selectorStyle.js';
import { finishSpec } from './theme.js';

const COLUMNS = [
  'file',
  'context',
  'selector',
  'fraction',
  'traces',
  'budget',
  'meanDelta',
  'meanGap',
  'retrievalRate',
];

export const realSelectorBudgetFigure: FigureDefinition = {
  name: 'real-selector-budget',
  title: '4b. Dropped mass against the actual budget on real attention (prhs-byte-12m)',
  modules: [
    'bench/results/real-attention-cpu*.json (bench/model/real-attention.js: prhs model trace, prhs compare --trace)',
  ],
  build(context) {
    const files = readResultFiles<RealTraceComparison>(context.benchDirectory, realTraceFiles, 'prhs-real-attention/1');
    const rows: Row[] = files.used.flatMap(({ file, data }) =>
      (data.summary ?? []).map((r) => ({
        file,
        context: r.context,
        selector: r.selector,
        fraction: r.fraction,
        traces: r.traces,
        budget: r.budget,
        meanDelta: r.meanDelta,
        meanGap: r.meanGap,
        retrievalRate: r.retrievalRate,
      })),
    );
    const skipped =
      files.skipped.length > 0 ? ` Skipped: ${files.skipped.map((s) => `${s.file} (${s.reason})`).join(', ')}.` : '';
    if (rows.length === 0) {
      const caption = `No real-trace comparison in ${context.benchDirectory}: run bench/model/real-attention.js to fill this figure.${skipped}`;
      return {
        columns: COLUMNS,
        rows: [],
        spec: noDataSpec('no real-trace comparison found', realSelectorBudgetFigure.title, caption),
        caption,
      };
    }
    const contexts = [...new Set(rows.map((r) => r.context as number))].sort((a, b) => a - b);
    const selectors = styledSelectors.filter((s) => rows.some((r) => r.selector === s));
    const largest = contexts[contexts.length - 1]!;
    const gaps = rows
      .filter((r) => r.context === largest && r.fraction === 8 && r.selector !== 'oracle')
      .sort((a, b) => (a.meanGap as number) - (b.meanGap as number));
    const closest = gaps
      .slice(0, 3)
      .map(
        (r) =>
          `${r.selector as string} (+${(r.meanGap as number).toFixed(3)}, re-scoring ${Math.round(100 * (r.retrievalRate as number))}%)`,
      )
      .join(', ');
    const oracle = rows.find((r) => r.context === largest && r.fraction === 8 && r.selector === 'oracle');
    const caption =
      `Teacher-forced traces of held-out files, 36 measured decode steps × 8 layers × 6 heads per trace, budgets N/4, N/8, N/16 (${files.used.map((f) => f.file).join(', ')}). ` +
      `At N = ${largest}, B = N/8 the oracle drops δ* = ${oracle ? (oracle.meanDelta as number).toFixed(3) : 'n/a'}; the closest to it in mean δ − δ* are ${closest}.${skipped}`;
    const encodings = selectorEncodings('selector', selectors);
    const spec = finishSpec(
      {
        data: { values: rows },
        facet: { column: { field: 'context', type: 'ordinal', title: 'context N (bytes)', sort: contexts } },
        spec: {
          width: 240,
          height: 240,
          mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 1.8 },
          encoding: {
            x: {
              field: 'budget',
              type: 'quantitative',
              title: 'actual budget |S| (keys kept)',
              scale: { type: 'log', base: 2 },
            },
            y: {
              field: 'meanDelta',
              type: 'quantitative',
              title: 'mean dropped mass δ',
              scale: { type: 'log' },
              axis: { tickCount: 5, format: '~g' },
            },
            ...encodings,
            order: { field: 'budget', type: 'quantitative' },
          },
        },
        resolve: { scale: { x: 'independent' } },
        config: { legend: { orient: 'right', columns: 1, symbolStrokeWidth: 2, symbolSize: 120 } },
      },
      realSelectorBudgetFigure.title,
      caption,
      120,
    );
    return { columns: COLUMNS, rows, spec, caption };
  },
};
