/**
 * Rendering: Vega-Lite → Vega → SVG with a headless View (renderer 'none': no browser, no
 * canvas), then SVG → PNG with resvg using the DejaVu fonts on disk. Deterministic: the same
 * spec gives the same SVG and PNG bytes.
 */
import { existsSync } from 'node:fs';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { loadFontMetrics } from './fontMetrics.js';
import { FONT_FAMILY } from './theme.js';

export interface RenderedFigure {
  readonly svg: string;
  readonly png: Uint8Array;
  /** Scenegraph items of data marks (points, line vertices, rules, bars), guides excluded. */
  readonly markItems: number;
  /** Warnings Vega-Lite and Vega raised while compiling and running the spec. */
  readonly warnings: readonly string[];
}

const FONT_FOLDER = '/usr/share/fonts/truetype/dejavu';
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map(
  (f) => `${FONT_FOLDER}/${f}`,
);

interface TextItem {
  readonly fontSize?: number;
  readonly fontWeight?: string | number;
  readonly fontStyle?: string;
  readonly limit?: number;
}

let textMetricsInstalled = false;

/**
 * Replaces Vega's canvas-less width estimate (0.8·fontSize per character) with the advance
 * widths of the DejaVu files resvg draws with (the path vl-convert also takes). Kept when the
 * files are missing.
 */
function installTextMetrics(): void {
  if (textMetricsInstalled) return;
  textMetricsInstalled = true;
  const [regular, bold, oblique] = FONT_FILES.map(loadFontMetrics);
  if (!regular) return;
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } })
    .textMetrics;
  metrics.width = (item, text) => {
    const line = text === null || text === undefined ? '' : String(text).trim();
    const size = item.fontSize ?? 11;
    const weight = item.fontWeight;
    const isBold =
      weight === 'bold' || (typeof weight === 'number' && weight >= 600) || weight === '600' || weight === '700';
    const font =
      (isBold ? bold : item.fontStyle === 'italic' || item.fontStyle === 'oblique' ? oblique : undefined) ?? regular;
    const width = font.advance(line) * size;
    return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
}

/** resvg options: the DejaVu files when present, else the system fonts; 2x zoom for crisp text. */
function resvgOptions(): ResvgRenderOptions {
  const files = FONT_FILES.filter((f) => existsSync(f));
  return {
    font:
      files.length > 0
        ? { loadSystemFonts: false, fontFiles: files, defaultFontFamily: FONT_FAMILY }
        : { loadSystemFonts: true, defaultFontFamily: FONT_FAMILY },
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
  };
}

interface SceneNode {
  readonly marktype?: string;
  readonly role?: string;
  readonly items?: readonly SceneNode[];
}

/** Counts the items of data marks (role 'mark'), descending through groups (facets, layers). */
export function countDataItems(node: SceneNode | undefined): number {
  if (!node) return 0;
  let count = 0;
  const isMark = node.marktype !== undefined;
  if (isMark && node.role === 'mark' && node.marktype !== 'group') return node.items?.length ?? 0;
  for (const child of node.items ?? []) count += countDataItems(child);
  return isMark || node.items ? count : 0;
}

/** A logger that records warnings and errors instead of printing them. */
function collectingLogger(warnings: string[]) {
  let level = vega.Warn;
  const record = (...args: readonly unknown[]) => warnings.push(args.map(String).join(' '));
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args: readonly unknown[]) {
      record(...args);
      return logger;
    },
    warn(...args: readonly unknown[]) {
      record(...args);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/**
 * Vega numbers clip paths from a counter that lives as long as the process (clip1, clip2, …), so
 * the same chart rendered twice in one process would differ. Renumber them in order of first
 * appearance within the document.
 */
export function renumberClipPaths(svg: string): string {
  const numbers = new Map<string, number>();
  return svg.replace(/(id="|url\(#)clip(\d+)/g, (_match, prefix: string, n: string) => {
    if (!numbers.has(n)) numbers.set(n, numbers.size + 1);
    return `${prefix}clip${numbers.get(n)!}`;
  });
}

export async function renderSpec(spec: TopLevelSpec): Promise<RenderedFigure> {
  installTextMetrics();
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const compiled = compile(spec, { logger: logger as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: logger as never });
  try {
    const svg = renumberClipPaths(await view.toSVG());
    const markItems = countDataItems((view.scenegraph() as unknown as { root: SceneNode }).root);
    const png = new Resvg(svg, resvgOptions()).render().asPng();
    return { svg, png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), markItems, warnings };
  } finally {
    view.finalize();
  }
}
