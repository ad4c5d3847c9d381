/** The chart a data-driven figure shows when its input files are missing: a line of text, no failure. */
import type { TopLevelSpec } from 'vega-lite';
import { finishSpec } from './theme.js';

export function noDataSpec(message: string, title: string, caption: string): TopLevelSpec {
  return finishSpec(
    {
      data: { values: [{ text: message }] },
      width: 420,
      height: 120,
      mark: { type: 'text', fontSize: 14, color: '#666666' },
      encoding: { text: { field: 'text', type: 'nominal' } },
    },
    title,
    caption,
    80,
  );
}
