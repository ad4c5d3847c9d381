/**
 * Figure 8: kernel latency and achieved bandwidth against context length, from whatever
 * benchmark JSON is in bench/results (native CPU, CUDA, the float64 reference). With no data the
 * chart says so and the caption explains; nothing fails.
 */
import type { FigureDefinition } from './figure.js';
import { readKernelResults } from './kernelResults.js';
import { finishSpec } from './theme.js';

const COLUMNS = ['file', 'kernel', 'dtype', 'context', 'latencyMs', 'bandwidthGBs', 'ofCopy'];

export const kernelSpeedFigure: FigureDefinition = {
  name: 'kernel-speed',
  title: '8. Kernel latency and achieved bandwidth against context length',
  modules: ['bench/results/*.json (native CPU, CUDA and reference benchmarks)'],
  build(context) {
    const results = readKernelResults(context.benchDirectory);
    const rows = results.timings
      .map((t) => ({ file: t.file, kernel: t.kernel, dtype: t.dtype, context: t.context, latencyMs: t.latencyMs, bandwidthGBs: t.bandwidthGBs, ofCopy: t.ofCopy === null ? null : Math.round(t.ofCopy * 1000) / 10 }))
      .sort((a, b) => (a.kernel < b.kernel ? -1 : a.kernel > b.kernel ? 1 : a.dtype < b.dtype ? -1 : a.dtype > b.dtype ? 1 : a.context - b.context));
    const skipped = results.skipped.length > 0 ? ` Skipped: ${results.skipped.map((s) => `${s.file} (${s.reason})`).join(', ')}.` : '';
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
      (withBandwidth.length > 0 ? '; right: bytes the kernel moves / time, as a percentage of the copy bandwidth measured in the same run on the same machine or card' : '; no file reports bytes moved, so there is no bandwidth panel') +
      `; fastest at N = ${largest}: ${fastest.kernel} ${fastest.dtype === 'n/a' ? '' : fastest.dtype + ' '}(${fastest.latencyMs.toPrecision(3)} ms).${skipped}`;
    const x = { field: 'context', type: 'quantitative', title: 'context length N (keys)', scale: { type: 'log', base: 2 } };
    // tableau20: the default ten-colour scheme repeats once there are more than ten series.
    const color = { field: 'kernel', type: 'nominal', title: 'kernel (machine or card: kernel, shape)', scale: { scheme: 'tableau20' } };
    const shape = { field: 'dtype', type: 'nominal', title: 'dtype', scale: { domain: dtypes } };
    const strokeDash = { field: 'dtype', type: 'nominal', title: 'dtype', scale: { domain: dtypes, range: [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3]] } };
    const panel = (field: string, title: string, log: boolean) => ({
      width: 300,
      height: 240,
      transform: [{ filter: `datum.${field} != null` }],
      mark: { type: 'line', point: { filled: true, size: 45 } },
      encoding: { x, y: { field, type: 'quantitative', title, ...(log ? { scale: { type: 'log' }, axis: { format: '~g', tickCount: 6 } } : {}) }, color, shape, strokeDash },
    });
    const latency = panel('latencyMs', 'latency (ms)', true);
    const bandwidth = panel('ofCopy', 'achieved bandwidth (% of copy bandwidth)', false);
    const spec = finishSpec(
      {
        data: { values: rows },
        ...(withBandwidth.length > 0 ? { hconcat: [latency, bandwidth] } : latency),
        config: { legend: { orient: 'right', columns: 1 } },
      },
      kernelSpeedFigure.title,
      caption,
      withBandwidth.length > 0 ? 120 : 80,
    );
    return { columns: COLUMNS, rows, spec, caption };
  },
};
