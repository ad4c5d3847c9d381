/**
 * Bits per byte of the trained model (models/prhs-byte-12m) on held-out files with each selector
 * in the decode loop, against the actual budget, beside dense; the increase over dense against the
 * loop's mean dropped mass δ (does δ predict the loss?); and the retrieval accuracy of each
 * selector. Read from bench/results/real-attention-quality*.json
 * (bench/model/real-attention-quality.js).
 */
import type { FigureDefinition, Row } from './figure.js';
import { noDataSpec } from './noDataSpec.js';
import { spearman } from './rankCorrelation.js';
import { qualityFiles, readResultFiles, type QualityResults } from './realResults.js';
import { selectorEncodings, styledSelectors } from './selectorStyle.js';
import { finishSpec } from './theme.js';

const COLUMNS = [
  'panel',
  'file',
  'selector',
  'fraction',
  'budget',
  'bitsPerByte',
  'deltaBitsPerByte',
  'meanDelta',
  'meanOutputBound',
  'accuracy',
  'probes',
];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Per (file, selector, budget): bits per byte, its increase over dense, mean δ and the output bound. */
function lossRows(source: string, data: QualityResults): Row[] {
  return data.bitsPerByte.flatMap((item) => {
    const dense = item.rows.find((r) => r.selector === 'dense')!;
    return item.rows
      .filter((r) => r.selector !== 'dense')
      .map((r) => ({
        panel: 'loss',
        file: `${source}: ${item.file}`,
        selector: r.selector,
        fraction: r.fraction,
        budget: r.meanKept,
        bitsPerByte: r.bitsPerByte,
        deltaBitsPerByte: r.bitsPerByte - dense.bitsPerByte,
        meanDelta: r.meanDelta,
        meanOutputBound: r.meanOutputBound,
        accuracy: null,
        probes: null,
      }));
  });
}

/** Mean over files per (selector, fraction), dense drawn at every budget as a flat line. */
function meanRows(loss: Row[], data: QualityResults[]): Row[] {
  const out: Row[] = [];
  const fractions = [...new Set(loss.map((r) => r.fraction as number))].sort((a, b) => b - a);
  const denseBpb = mean(
    data.flatMap((d) => d.bitsPerByte.map((item) => item.rows.find((r) => r.selector === 'dense')!.bitsPerByte)),
  );
  for (const fraction of fractions) {
    const at = loss.filter((r) => r.fraction === fraction);
    const budget = mean(at.filter((r) => r.selector === 'oracle').map((r) => r.budget as number));
    out.push({
      panel: 'mean',
      file: null,
      selector: 'dense',
      fraction,
      budget,
      bitsPerByte: denseBpb,
      deltaBitsPerByte: 0,
      meanDelta: 0,
      meanOutputBound: 0,
      accuracy: null,
      probes: null,
    });
    for (const selector of [...new Set(at.map((r) => r.selector as string))]) {
      const mine = at.filter((r) => r.selector === selector);
      out.push({
        panel: 'mean',
        file: null,
        selector,
        fraction,
        budget: mean(mine.map((r) => r.budget as number)),
        bitsPerByte: mean(mine.map((r) => r.bitsPerByte as number)),
        deltaBitsPerByte: mean(mine.map((r) => r.deltaBitsPerByte as number)),
        meanDelta: mean(mine.map((r) => r.meanDelta as number)),
        meanOutputBound: mean(mine.map((r) => r.meanOutputBound as number)),
        accuracy: null,
        probes: null,
      });
    }
  }
  return out;
}

/** Share of retrieval probes answered exactly, per (selector, fraction); dense at every budget. */
function retrievalRows(data: QualityResults[], budgets: Map<number, number>): Row[] {
  const outcomes = data.flatMap((d) => d.retrieval.flatMap((item) => item.probes.flatMap((p) => p.outcomes)));
  const out: Row[] = [];
  for (const [fraction, budget] of budgets) {
    for (const selector of [...new Set(outcomes.map((o) => o.selector))]) {
      const mine = outcomes.filter((o) => o.selector === selector && (selector === 'dense' || o.fraction === fraction));
      if (mine.length > 0)
        out.push({
          panel: 'retrieval',
          file: null,
          selector,
          fraction,
          budget,
          bitsPerByte: null,
          deltaBitsPerByte: null,
          meanDelta: null,
          meanOutputBound: null,
          accuracy: mine.filter((o) => o.correct).length / mine.length,
          probes: mine.length,
        });
    }
  }
  return out;
}

export const realBitsPerByteFigure: FigureDefinition = {
  name: 'real-bits-per-byte',
  title: '9. Bits per byte and retrieval with each selector in the decode loop (prhs-byte-12m)',
  modules: [
    'bench/results/real-attention-quality*.json (bench/model/real-attention-quality.js: SharedPrefixDecoder, SelectorPolicy, retrievalContext)',
  ],
  build(context) {
    const files = readResultFiles<QualityResults>(
      context.benchDirectory,
      qualityFiles,
      'prhs-real-attention-quality/1',
    );
    const skipped =
      files.skipped.length > 0 ? ` Skipped: ${files.skipped.map((s) => `${s.file} (${s.reason})`).join(', ')}.` : '';
    const loss = files.used.flatMap(({ file, data }) => lossRows(file, data));
    if (loss.length === 0) {
      const caption = `No bits-per-byte results in ${context.benchDirectory}: run bench/model/real-attention-quality.js to fill this figure.${skipped}`;
      return {
        columns: COLUMNS,
        rows: [],
        spec: noDataSpec('no bits-per-byte results found', realBitsPerByteFigure.title, caption),
        caption,
      };
    }
    const data = files.used.map((f) => f.data);
    const means = meanRows(loss, data);
    const budgets = new Map(
      means.filter((r) => r.selector === 'dense').map((r) => [r.fraction as number, r.budget as number]),
    );
    const retrieval = retrievalRows(data, budgets);
    const rows = [...means, ...loss, ...retrieval];
    const selectors = styledSelectors.filter((s) => rows.some((r) => r.selector === s));
    const rho = spearman(
      loss.map((r) => r.meanDelta as number),
      loss.map((r) => r.deltaBitsPerByte as number),
    );
    const denseBpb = means.find((r) => r.selector === 'dense')!.bitsPerByte as number;
    const denseRetrieval = retrieval.find((r) => r.selector === 'dense');
    const machine = data.map((d) => `${d.machine.cores} × ${d.machine.cpu}`).join('; ');
    const caption =
      `${data.reduce((a, d) => a + d.bitsPerByte.length, 0)} held-out files at context ${data[0]!.settings.context}, dense ${denseBpb.toFixed(3)} bits per byte over the scored bytes; ` +
      `Spearman ρ(mean δ, bits-per-byte increase) = ${Number.isNaN(rho) ? 'n/a' : rho.toFixed(2)} over ${loss.length} (file, selector, budget) points` +
      (denseRetrieval
        ? `; retrieval (${denseRetrieval.probes} probes from ≥ 3000 bytes back): dense ${Math.round(100 * (denseRetrieval.accuracy as number))}%`
        : '') +
      ` (${files.used.map((f) => f.file).join(', ')}; ${machine}).${skipped}`;
    const encodings = selectorEncodings('selector', selectors);
    const x = {
      field: 'budget',
      type: 'quantitative',
      title: 'actual budget |S| (keys kept)',
      scale: { type: 'log', base: 2 },
    };
    const line = (panel: string, y: Record<string, unknown>) => ({
      width: 260,
      height: 240,
      transform: [{ filter: `datum.panel === '${panel}'` }],
      mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 1.8 },
      encoding: { x, y, ...encodings, order: { field: 'budget', type: 'quantitative' } },
    });
    const scatter = {
      width: 260,
      height: 240,
      transform: [{ filter: "datum.panel === 'loss'" }],
      mark: { type: 'point', filled: true, size: 45, opacity: 0.8 },
      encoding: {
        x: { field: 'meanDelta', type: 'quantitative', title: 'mean dropped mass δ of the loop' },
        y: {
          field: 'deltaBitsPerByte',
          type: 'quantitative',
          title: 'bits per byte − dense',
          scale: { type: 'symlog', constant: 0.01 },
          axis: { format: '~g', tickCount: 6 },
        },
        color: encodings.color,
        shape: encodings.shape,
      },
    };
    const panels = [
      line('mean', {
        field: 'bitsPerByte',
        type: 'quantitative',
        title: 'bits per byte (mean over files)',
        scale: { type: 'log' },
        axis: { format: '~g', tickCount: 6 },
      }),
      scatter,
      ...(retrieval.length > 0
        ? [
            line('retrieval', {
              field: 'accuracy',
              type: 'quantitative',
              title: 'retrieval: share of probes exact',
              scale: { domain: [0, 1] },
            }),
          ]
        : []),
    ];
    const spec = finishSpec(
      {
        data: { values: rows },
        hconcat: panels,
        config: { legend: { orient: 'right', columns: 1, symbolStrokeWidth: 2, symbolSize: 120 } },
      },
      realBitsPerByteFigure.title,
      caption,
      150,
    );
    return { columns: COLUMNS, rows, spec, caption };
  },
};
