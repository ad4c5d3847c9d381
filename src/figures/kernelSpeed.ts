/**
 * Figure 8: kernel latency and achieved bandwidth against context length, from whatever
 * benchmark JSON is in bench/results (native CPU, CUDA, the float64 reference). With no data the
 * chart says so and the caption explains; nothing fails.
 */
import type { FigureDefinition } from './figure.js';
import { readKernelResults } from './kernelResults.js';
import { OKABE_ITO, SERIES_COLOURS, SHAPES, seriesScales, seriesStyles } from './palette.js';
import { finishSpec } from './theme.js';

const COLUMNS = ['file', 'kernel', 'dtype', 'context', 'latencyMs', 'bandwidthGBs', 'ofCopy'];

export const kernelSpeedFigure: FigureDefinition = {
  name: 'kernel-speed',
  title: '8. Kernel latency and achieved bandwidth against context length',
  modules: ['bench/results/*.json (native CPU, CUDA and reference benchmarks)'],
  build(context) {
    const results = readKernelResults(context.benchDirectory);
    const rows = results.timings
      .map((t) => ({
        file: t.file,
        kernel: t.kernel,
        dtype: t.dtype,
        context: t.context,
        latencyMs: t.latencyMs,
        bandwidthGBs: t.bandwidthGBs,
        ofCopy: t.ofCopy === null ? null : Math.round(t.ofCopy * 1000) / 10,
      }))
      .sort((a, b) =>
        a.kernel < b.kernel
          ? -1
          : a.kernel > b.kernel
            ? 1
            : a.dtype < b.dtype
              ? -1
              : a.dtype > b.dtype
                ? 1
                : a.context - b.context,
      );
    const skipped =
      results.skipped.length > 0
        ? ` Skipped: ${results.skipped.map((s) => `${s.file} (${s.reason})`).join(', ')}.`
        : '';
    if (rows.length === 0) {
      const caption = `No kernel timings in ${context.benchDirectory} yet: run the native CPU or CUDA benchmarks to fill this figure.${skipped}`;
      const spec = finishSpec(
        {
          data: { values: [{ text: 'no kernel benchmark results found' }] },
          width: 420,
          height: 120,
          mark: { type: 'text', fontSize: 14, color: '#666666' },
          encoding: { text: { field: 'text', type: 'nominal' } },
        },
        kernelSpeedFigure.title,
        caption,
        80,
      );
      return { columns: COLUMNS, rows: [], spec, caption };
    }
    const timed = rows;
    const withBandwidth = rows.filter((r) => r.ofCopy !== null);
    const dtypes = [...new Set(rows.map((r) => r.dtype))].sort();
    const largest = Math.max(...timed.map((r) => r.context));
    const atLargest = timed.filter((r) => r.context === largest).sort((a, b) => a.latencyMs - b.latencyMs);
    const fastest = atLargest[0]!;
    const caption =
      `${timed.length} timings from ${results.used.join(', ')}` +
      (withBandwidth.length > 0
        ? '; right: bytes the kernel moves / time, as a percentage of the copy bandwidth measured in the same run on the same machine or card'
        : '; no file reports bytes moved, so there is no bandwidth panel') +
      `; fastest at N = ${largest}: ${fastest.kernel} ${fastest.dtype === 'n/a' ? '' : fastest.dtype + ' '}(${fastest.latencyMs.toPrecision(3)} ms).${skipped}`;
    const contexts = rows.map((r) => r.context);
    const ticks = contextTicks(Math.min(...contexts), Math.max(...contexts));
    const x = {
      field: 'context',
      type: 'quantitative',
      title: 'context length N (keys)',
      scale: { type: 'log', base: 2, domain: [ticks[0], ticks[ticks.length - 1]] },
      axis: {
        values: ticks,
        labelExpr:
          "datum.value >= 1048576 ? datum.value / 1048576 + 'M' : datum.value >= 1024 ? datum.value / 1024 + 'K' : datum.value",
      },
    };
    // Kernels: Okabe–Ito colours (yellow left out: too faint for thin lines), dashed once they
    // repeat; dtype: the marker shape, drawn filled in its own legend.
    const kernels = [...new Set(rows.map((r) => r.kernel))];
    const scales = seriesScales(
      kernels,
      seriesStyles(
        kernels.length,
        SERIES_COLOURS.filter((c) => c !== OKABE_ITO.yellow),
      ),
    );
    const kernelLegend = {
      title: 'kernel (machine or card: kernel, shape)',
      titleLimit: 800,
      symbolType: 'stroke',
      symbolStrokeWidth: 2.5,
      symbolSize: 400,
      columns: 2,
    };
    const color = { field: 'kernel', type: 'nominal', scale: scales.color, legend: kernelLegend };
    const strokeDash = { field: 'kernel', type: 'nominal', scale: scales.strokeDash, legend: kernelLegend };
    const shape = {
      field: 'dtype',
      type: 'nominal',
      title: 'dtype',
      scale: { domain: dtypes, range: SHAPES.slice(0, dtypes.length) },
      legend: {
        symbolFillColor: '#555555',
        symbolStrokeColor: '#555555',
        symbolDash: [1, 0],
        symbolSize: 90,
        direction: 'horizontal',
        columns: dtypes.length,
      },
    };
    const panel = (field: string, title: string, log: boolean) => ({
      width: 340,
      height: 260,
      transform: [{ filter: `datum.${field} != null` }],
      mark: { type: 'line', point: { filled: true, size: 45 } },
      encoding: {
        x,
        y: {
          field,
          type: 'quantitative',
          title,
          ...(log ? { scale: { type: 'log' }, axis: { format: '~g', tickCount: 6 } } : {}),
        },
        color,
        shape,
        strokeDash,
        detail: { field: 'dtype' },
      },
    });
    const latency = panel('latencyMs', 'latency (ms)', true);
    const bandwidth = panel('ofCopy', 'achieved bandwidth (% of copy bandwidth)', false);
    const spec = finishSpec(
      {
        data: { values: rows },
        ...(withBandwidth.length > 0 ? { hconcat: [latency, bandwidth] } : latency),
        // Legends below the panels, so the figure stays legible at the README's width.
        config: { legend: { orient: 'bottom', direction: 'vertical' } },
      },
      kernelSpeedFigure.title,
      caption,
      withBandwidth.length > 0 ? 120 : 80,
    );
    return { columns: COLUMNS, rows, spec, caption };
  },
};

/** Powers of 4 from below `low` to at least `high` (1K, 4K, …, 1M): a labelled tick across the whole range. */
export function contextTicks(low: number, high: number): number[] {
  let tick = 4 ** Math.floor(Math.log(Math.max(1, low)) / Math.log(4));
  const ticks = [tick];
  while (tick < high) ticks.push((tick *= 4));
  return ticks;
}
