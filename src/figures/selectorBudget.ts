/**
 * Figure 4: mean dropped mass δ against the actual budget |S| for the oracle, the PrHS
 * selectors (CIS, PSAW, ETF), the certified adaptive selector and every posterior baseline, on
 * the built-in synthetic suite (src/traces), simulated with src/sim at a reduced shape.
 */
import { createSelector, selectorNames } from '../selectors/registry.js';
import { simulate } from '../sim/simulate.js';
import { summarize } from '../sim/summary.js';
import { namedSyntheticTrace, syntheticSuite, type SyntheticTraceConstraints } from '../traces/synthetic.js';
import type { FigureDefinition, Row } from './figure.js';
import { OKABE_ITO, SERIES_COLOURS, seriesScales, seriesStyles, type SeriesStyle } from './palette.js';
import { finishSpec } from './theme.js';

/** Reduced shape: 2 layers × 8 query heads (2 KV heads), context 1024 + 20 decode steps. */
export const FIGURE_TRACE_SHAPE: SyntheticTraceConstraints = {
  layers: 2,
  queryHeads: 8,
  kvHeads: 2,
  prefix: 1024,
  steps: 20,
};
const BUDGETS = [16, 32, 64, 128, 256];
const COLUMNS = [
  'trace',
  'selector',
  'nominalBudget',
  'budget',
  'meanDelta',
  'p99Delta',
  'meanDeltaStar',
  'meanGap',
  'retrievalRate',
  'bytesRatio',
];

export const selectorBudgetFigure: FigureDefinition = {
  name: 'selector-budget',
  title: '4. Dropped mass against the actual budget: oracle, PrHS and posterior baselines',
  modules: [
    'selectors.createSelector (every selector)',
    'sim.simulate',
    'sim.summarize',
    'traces.namedSyntheticTrace (synthetic suite)',
  ],
  build(context) {
    const rows: Row[] = [];
    const traces = Object.keys(syntheticSuite);
    for (const traceName of traces) {
      // The presets carry their own seeds; the figure seed shifts them all.
      const preset = syntheticSuite[traceName]!;
      const trace = namedSyntheticTrace(traceName, {
        ...FIGURE_TRACE_SHAPE,
        seed: (preset.seed ?? 1) + 100 * (context.seed - 1),
      });
      for (const selector of selectorNames) {
        for (const budget of BUDGETS) {
          const s = summarize(
            simulate(trace, createSelector(selector, budget), { trusted: true, certify: false, outputError: false }),
          );
          rows.push({
            trace: traceName,
            selector,
            nominalBudget: budget,
            budget: s.budget,
            meanDelta: s.meanDelta,
            p99Delta: s.p99Delta,
            meanDeltaStar: s.meanDeltaStar,
            meanGap: s.meanGap,
            retrievalRate: s.retrievalRate,
            bytesRatio: s.bytesRatio,
          });
        }
      }
    }
    const at = (selector: string, budget: number) =>
      rows.filter((r) => r.selector === selector && r.nominalBudget === budget);
    const mean = (list: Row[], field: string) => list.reduce((a, r) => a + (r[field] as number), 0) / list.length;
    const reference = 128;
    const ranked = selectorNames
      .filter((s) => s !== 'oracle')
      .map((s) => ({ s, gap: mean(at(s, reference), 'meanGap') }))
      .sort((a, b) => a.gap - b.gap);
    const best = ranked
      .slice(0, 3)
      .map((r) => `${r.s} (+${r.gap.toFixed(3)})`)
      .join(', ');
    const worst = ranked[ranked.length - 1]!;
    const caption = `${traces.length} synthetic traces (2 layers × 8 heads, context ≈ 1K, 16 recorded steps); at B = ${reference} the closest to the oracle in mean δ − δ* are ${best}, the farthest ${worst.s} (+${worst.gap.toFixed(3)}).`;
    const spec = finishSpec(selectorBudgetBody(rows, traces), selectorBudgetFigure.title, caption, 110);
    return { columns: COLUMNS, rows, spec, caption };
  },
};

/**
 * Selector styles: the oracle black; the others in Okabe–Ito colours (yellow left out: too faint
 * for thin lines on white), dashed once the colours repeat.
 */
function selectorStyles(): SeriesStyle[] {
  const others = seriesStyles(
    selectorNames.length - 1,
    SERIES_COLOURS.filter((c) => c !== OKABE_ITO.yellow),
  );
  return selectorNames.map((name) =>
    name === 'oracle' ? { colour: OKABE_ITO.black, dash: [1, 0], shape: 'circle' } : others.shift()!,
  );
}

/**
 * One panel per trace. The oracle is drawn first as a wide black line and every selector over it,
 * so a curve that coincides with the oracle's (ETF's nearly does) stays visible on top, edged in
 * black.
 */
export function selectorBudgetBody(rows: readonly Row[], traces: readonly string[]): Record<string, unknown> {
  const scales = seriesScales(selectorNames, selectorStyles());
  const series = (channel: keyof typeof scales) => ({
    field: 'selector',
    type: 'nominal',
    title: 'selector',
    scale: scales[channel],
  });
  const line = (strokeWidth: number) => ({ type: 'line', strokeWidth, point: { filled: true, size: 30 } });
  return {
    data: { values: rows },
    facet: { field: 'trace', type: 'nominal', title: null, sort: traces },
    columns: 2,
    spec: {
      width: 300,
      height: 200,
      encoding: {
        x: {
          field: 'budget',
          type: 'quantitative',
          title: 'actual budget |S| (mean keys kept)',
          scale: { type: 'log', base: 2 },
          axis: { values: [4, 8, ...BUDGETS] },
        },
        y: {
          field: 'meanDelta',
          type: 'quantitative',
          title: 'mean dropped mass δ',
          scale: { type: 'log' },
          axis: { tickCount: 5, format: '~g' },
        },
        color: series('color'),
        strokeDash: series('strokeDash'),
        order: { field: 'budget', type: 'quantitative' },
      },
      layer: [
        { transform: [{ filter: "datum.selector === 'oracle'" }], mark: line(5) },
        { transform: [{ filter: "datum.selector !== 'oracle'" }], mark: line(2) },
      ],
    },
    config: { legend: { orient: 'right', columns: 1, symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolSize: 400 } },
  };
}
