/**
 * Shared look of every figure: one embedded font family (DejaVu Sans, which the PNG renderer
 * loads from disk), readable sizes, white background, and the caption as the subtitle.
 */
import type { TopLevelSpec } from 'vega-lite';

export const FONT_FAMILY = 'DejaVu Sans';

/** Vega-Lite config shared by all figures (a figure may override fields). */
export const themeConfig = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 12,
  title: {
    fontSize: 15,
    subtitleFontSize: 11,
    subtitleColor: '#333333',
    anchor: 'start',
    offset: 12,
    subtitlePadding: 4,
  },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6', labelLimit: 240 },
  legend: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    labelLimit: 420,
    symbolSize: 90,
    orient: 'bottom',
    direction: 'vertical',
    columns: 2,
    columnPadding: 24,
    rowPadding: 4,
  },
  header: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal' },
  view: { stroke: '#cccccc' },
  point: { size: 36 },
  line: { strokeWidth: 2 },
} as const;

/** Splits a caption into subtitle lines of at most `width` characters (at spaces). */
export function wrapCaption(caption: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of caption.split(/\s+/)) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line.length === 0 ? word : `${line} ${word}`;
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/**
 * Adds the title, the caption (as subtitle lines), the shared config and the schema to a spec
 * body. `captionWidth` is the wrap width in characters (about the chart width / 6.5 px).
 */
export function finishSpec(
  body: Record<string, unknown>,
  title: string,
  caption: string,
  captionWidth = 100,
): TopLevelSpec {
  // Merge one level deep, so a figure can change one legend field and keep the others.
  const overrides = (body.config ?? {}) as Record<string, unknown>;
  const config: Record<string, unknown> = { ...themeConfig };
  for (const [key, value] of Object.entries(overrides)) {
    const base = config[key];
    config[key] = typeof base === 'object' && typeof value === 'object' ? { ...base, ...value } : value;
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...body,
    title: { text: title, subtitle: wrapCaption(caption, captionWidth) },
    config,
  } as unknown as TopLevelSpec;
}
