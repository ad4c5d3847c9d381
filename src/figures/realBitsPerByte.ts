/**
 * Bits per byte of each trained model on held-out files with each selector in the decode loop,
 * against the actual budget, beside dense; the increase over dense against the loop's mean
 * dropped mass δ (does δ predict the loss?); and the retrieval accuracy of each selector per
 * probe kind. One row of panels per model (src/figures/qualityByModel.ts): results of different
 * checkpoints are never pooled. Read from bench/results/real-attention-quality*.json
 * (bench/model/real-attention-quality.js); finished items only, so every point of a model covers
 * the same files.
 */
import type { FigureDefinition, Row } from './figure.js';
import { noDataSpec } from './noDataSpec.js';
import { groupByModel, type ModelQuality } from './qualityByModel.js';
import { spearman } from './rankCorrelation.js';
import { rankSeparation } from './rankSeparation.js';
import { qualityFiles, readResultFiles, type QualityResults } from './realResults.js';
import { selectorEncodings, styledSelectors } from './selectorStyle.js';
import { finishSpec } from './theme.js';

const COLUMNS = [
  'panel',
  'model',
  'file',
  'selector',
  'kind',
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
const EMPTY = {
  file: null,
  kind: null,
  bitsPerByte: null,
  deltaBitsPerByte: null,
  meanDelta: null,
  meanOutputBound: null,
  accuracy: null,
  probes: null,
};

/** Per (file, selector, budget): bits per byte, its increase over dense, mean δ and the output bound. */
function lossRows(group: ModelQuality): Row[] {
  return group.bitsPerByte.flatMap((item) => {
    const dense = item.rows.find((r) => r.selector === 'dense')!;
    return item.rows
      .filter((r) => r.selector !== 'dense')
      .map((r) => ({
        ...EMPTY,
        panel: 'loss',
        model: group.model,
        file: item.file,
        selector: r.selector,
        fraction: r.fraction,
        budget: r.meanKept,
        bitsPerByte: r.bitsPerByte,
        deltaBitsPerByte: r.bitsPerByte - dense.bitsPerByte,
        meanDelta: r.meanDelta,
        meanOutputBound: r.meanOutputBound,
      }));
  });
}

/** Per fraction, the budget drawn: the oracle's actual budget (it keeps exactly B), else ⌊N/fraction⌋. */
function budgetsOf(group: ModelQuality, loss: Row[]): Map<number, number> {
  return new Map(
    group.fractions.map((fraction) => {
      const kept = loss
        .filter((r) => r.selector === 'oracle' && r.fraction === fraction)
        .map((r) => r.budget as number);
      return [fraction, kept.length > 0 ? mean(kept) : Math.floor(group.context / fraction)];
    }),
  );
}

/** Mean over files per (selector, fraction), dense drawn at every budget as a flat line. */
function meanRows(group: ModelQuality, loss: Row[], budgets: Map<number, number>): Row[] {
  const denseBpb = mean(group.bitsPerByte.map((item) => item.rows.find((r) => r.selector === 'dense')!.bitsPerByte));
  return [...budgets].flatMap(([fraction, budget]) => {
    const at = loss.filter((r) => r.fraction === fraction);
    const dense = { ...EMPTY, panel: 'mean', model: group.model, selector: 'dense', fraction, budget };
    const selectors = [...new Set(at.map((r) => r.selector as string))].map((selector) => {
      const mine = at.filter((r) => r.selector === selector);
      const avg = (field: string) => mean(mine.map((r) => r[field] as number));
      return {
        ...dense,
        selector,
        budget: avg('budget'),
        bitsPerByte: avg('bitsPerByte'),
        deltaBitsPerByte: avg('deltaBitsPerByte'),
        meanDelta: avg('meanDelta'),
        meanOutputBound: avg('meanOutputBound'),
      };
    });
    return [{ ...dense, bitsPerByte: denseBpb, deltaBitsPerByte: 0, meanDelta: 0, meanOutputBound: 0 }, ...selectors];
  });
}

/** Share of retrieval probes answered exactly, per (kind, selector, fraction); dense at every budget. */
function retrievalRows(group: ModelQuality, budgets: Map<number, number>): Row[] {
  const probes = group.retrieval.flatMap((item) => item.probes);
  const kinds = [...new Set(probes.map((p) => p.kind))];
  return kinds.flatMap((kind) => {
    const outcomes = probes.filter((p) => p.kind === kind).flatMap((p) => p.outcomes);
    const selectors = [...new Set(outcomes.map((o) => o.selector))];
    return [...budgets].flatMap(([fraction, budget]) =>
      selectors.flatMap((selector) => {
        const mine = outcomes.filter(
          (o) => o.selector === selector && (selector === 'dense' || o.fraction === fraction),
        );
        if (mine.length === 0) return [];
        const accuracy = mine.filter((o) => o.correct).length / mine.length;
        return [
          {
            ...EMPTY,
            panel: 'retrieval',
            model: group.model,
            selector,
            kind,
            fraction,
            budget,
            accuracy,
            probes: mine.length,
          },
        ];
      }),
    );
  });
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fixed = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(2));
const rhoOf = (rows: Row[]) =>
  spearman(
    rows.map((r) => r.meanDelta as number),
    rows.map((r) => r.deltaBitsPerByte as number),
  );

/** Dense bits per byte and how mean δ ranks the loss: pooled, per file, and over the (selector, budget) means. */
function lossCaption(group: ModelQuality, loss: Row[], means: Row[]): string {
  const dense = mean(group.bitsPerByte.map((item) => item.rows.find((r) => r.selector === 'dense')!.bitsPerByte));
  const perFile = [...new Set(loss.map((r) => r.file))]
    .map((file) => rhoOf(loss.filter((r) => r.file === file)))
    .filter((rho) => !Number.isNaN(rho));
  const selectorMeans = means.filter((r) => r.selector !== 'dense');
  const spread =
    perFile.length > 1
      ? `; per file ${fixed(Math.min(...perFile))}–${fixed(Math.max(...perFile))}, median ${fixed(median(perFile))}`
      : '';
  return (
    `${group.bitsPerByte.length} held-out files, dense ${dense.toFixed(3)} bits per byte over the last ${group.bitsPerByte[0]!.scored} bytes; ` +
    `Spearman ρ(mean δ, bits-per-byte increase) = ${fixed(rhoOf(loss))} over ${loss.length} (file, selector, budget) points` +
    `${spread}; over the ${selectorMeans.length} (selector, budget) means ${fixed(rhoOf(selectorMeans))}`
  );
}

/**
 * Whether δ predicts retrieval failure: on the probes dense answers exactly, the selector branches
 * that fail against those that answer, by the mean δ of their decode steps.
 */
function failureCaption(group: ModelQuality): string {
  const failed: number[] = [];
  const answered: number[] = [];
  for (const probe of group.retrieval.flatMap((item) => item.probes)) {
    if (probe.outcomes.find((o) => o.selector === 'dense')?.correct !== true) continue;
    for (const o of probe.outcomes)
      if (o.selector !== 'dense' && o.meanDelta !== undefined) (o.correct ? answered : failed).push(o.meanDelta);
  }
  const branches = failed.length + answered.length;
  if (branches === 0) return '';
  const separation = rankSeparation(failed, answered);
  return (
    `; on the probes dense answers, ${failed.length} of ${branches} selector branches fail` +
    (Number.isNaN(separation) ? '' : `, P(δ of a failing branch > δ of an answering one) = ${fixed(separation)}`)
  );
}

/** Retrieval: probes, distances, dense per kind, and δ against failure. */
function retrievalCaption(group: ModelQuality, retrieval: Row[]): string {
  const distances = group.retrieval.flatMap((item) => item.probes.map((p) => p.distance));
  const dense = retrieval
    .filter((r) => r.selector === 'dense' && r.fraction === group.fractions[0])
    .map((r) => `${r.kind} ${Math.round((r.accuracy as number) * (r.probes as number))}/${r.probes}`);
  return (
    `retrieval in ${group.retrieval.length} files, answers ${Math.min(...distances)}–${Math.max(...distances)} bytes back: dense ${dense.join(', ')} exact` +
    failureCaption(group)
  );
}

/** What one model's row of panels shows, in words: files, dense, ρ, retrieval and what was left out. */
function modelCaption(group: ModelQuality, loss: Row[], means: Row[], retrieval: Row[]): string {
  const parts: string[] = [];
  if (group.bitsPerByte.length > 0) parts.push(lossCaption(group, loss, means));
  if (retrieval.length > 0) parts.push(retrievalCaption(group, retrieval));
  const partial = group.partial.map(
    (p) => `${p.file} is partial: its ${p.itemsDone} finished of ${p.items} files drawn`,
  );
  if (group.duplicates > 0) partial.push(`${group.duplicates} items repeated in a later file left out`);
  const notes = partial.length > 0 ? `; ${partial.join('; ')}` : '';
  return `${group.model} (${group.checkpoint || 'no checkpoint recorded'}, context ${group.context}; ${group.files.join(', ')}; ${group.machines.join(', ')}): ${parts.join('; ')}${notes}.`;
}

const where = (panel: string, model: string, kind?: string) => ({
  filter: {
    and: [
      { field: 'panel', equal: panel },
      { field: 'model', equal: model },
      ...(kind === undefined ? [] : [{ field: 'kind', equal: kind }]),
    ],
  },
});

/** One model's panels: bits per byte against budget, the loss against δ, retrieval per probe kind. */
function modelPanels(model: string, rows: Row[], encodings: ReturnType<typeof selectorEncodings>) {
  // Means are drawn at each selector's actual budget; retrieval outcomes at the budget of their branch.
  const x = (title: string) => ({ field: 'budget', type: 'quantitative', title, scale: { type: 'log', base: 2 } });
  const size = { width: 230, height: 210 };
  const line = (
    title: string,
    filter: object,
    y: Record<string, unknown>,
    xTitle = 'actual budget |S| (keys kept)',
  ) => ({
    ...size,
    title,
    transform: [filter],
    mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 1.8 },
    encoding: { x: x(xTitle), y, ...encodings, order: { field: 'budget', type: 'quantitative' } },
  });
  const mine = rows.filter((r) => r.model === model);
  const panels: object[] = [];
  if (mine.some((r) => r.panel === 'mean')) {
    panels.push(
      line(`${model}: bits per byte`, where('mean', model), {
        field: 'bitsPerByte',
        type: 'quantitative',
        title: 'bits per byte (mean over files)',
        scale: { zero: false },
      }),
      {
        ...size,
        title: `${model}: loss against δ`,
        transform: [where('loss', model)],
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
      },
    );
  }
  for (const kind of [...new Set(mine.filter((r) => r.panel === 'retrieval').map((r) => r.kind as string))])
    panels.push(
      line(
        `${model}: retrieval, ${kind} probes`,
        where('retrieval', model, kind),
        {
          field: 'accuracy',
          type: 'quantitative',
          title: 'share of probes exact',
          scale: { domain: [0, 1] },
        },
        'budget B = ⌊N/fraction⌋ (keys)',
      ),
    );
  return { hconcat: panels };
}

export const realBitsPerByteFigure: FigureDefinition = {
  name: 'real-bits-per-byte',
  title: '9. Bits per byte and retrieval with each selector in the decode loop, per trained model',
  modules: [
    'bench/results/real-attention-quality*.json (bench/model/real-attention-quality.js: SharedPrefixDecoder, SelectorPolicy, retrievalContext)',
    'src/figures/qualityByModel.ts',
  ],
  build(context) {
    const files = readResultFiles<QualityResults>(
      context.benchDirectory,
      qualityFiles,
      'prhs-real-attention-quality/1',
    );
    const skipped =
      files.skipped.length > 0 ? ` Skipped: ${files.skipped.map((s) => `${s.file} (${s.reason})`).join(', ')}.` : '';
    const groups = groupByModel(files.used).filter((g) => g.bitsPerByte.length + g.retrieval.length > 0);
    if (groups.length === 0) {
      const caption = `No bits-per-byte or retrieval results in ${context.benchDirectory}: run bench/model/real-attention-quality.js to fill this figure.${skipped}`;
      return {
        columns: COLUMNS,
        rows: [],
        spec: noDataSpec('no bits-per-byte results found', realBitsPerByteFigure.title, caption),
        caption,
      };
    }
    const rows: Row[] = [];
    const captions: string[] = [];
    for (const group of groups) {
      const loss = lossRows(group);
      const budgets = budgetsOf(group, loss);
      const means = group.bitsPerByte.length > 0 ? meanRows(group, loss, budgets) : [];
      const retrieval = retrievalRows(group, budgets);
      rows.push(...means, ...loss, ...retrieval);
      captions.push(modelCaption(group, loss, means, retrieval));
    }
    const selectors = styledSelectors.filter((s) => rows.some((r) => r.selector === s));
    const encodings = selectorEncodings('selector', selectors);
    const caption = `${captions.join(' ')}${skipped}`;
    const spec = finishSpec(
      {
        data: { values: rows },
        vconcat: groups.map((g) => modelPanels(g.model, rows, encodings)),
        config: { legend: { orient: 'right', columns: 1, symbolStrokeWidth: 2, symbolSize: 120 } },
      },
      realBitsPerByteFigure.title,
      caption,
      170,
    );
    return { columns: COLUMNS, rows, spec, caption };
  },
};
