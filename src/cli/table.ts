/** Plain-text tables for terminal output (no colours, so logs and CI stay readable). */
import { displayWidth, padEndDisplay } from './displayWidth.js';

/** Columns padded to the widest cell by display width (δ̂ is one column, not two). */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, c) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[c] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => padEndDisplay(cell, widths[c]!))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/** A duration for humans: 12 ms, 3.4 s. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
