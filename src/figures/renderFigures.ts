/**
 * Builds and renders figures into a folder: <name>.svg, <name>.png, <name>.csv per figure and
 * captions.json (name → caption, merged with an existing file so `--only` keeps the others).
 * Every file is written atomically. Same seed, same bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { packageRoot } from '../io/packageRoot.js';
import { figureCatalogue, figureNames } from './catalogue.js';
import { toCsv } from './csv.js';
import type { FigureContext, FigureDefinition } from './figure.js';
import { renderSpec } from './render.js';

export interface RenderFiguresConstraints {
  /** Output folder (created if missing). */
  readonly out: string;
  /** Names of the figures to render (default: all, in catalogue order). */
  readonly only?: readonly string[];
  /** Seed of every random draw (default 1). */
  readonly seed?: number;
  /** Folder of benchmark JSON results (default: bench/results of the package). */
  readonly benchDirectory?: string;
  /** Called before each figure is built. */
  readonly onFigure?: (name: string, index: number, total: number) => void;
}

export interface RenderedFigureFiles {
  readonly name: string;
  readonly svg: string;
  readonly png: string;
  readonly csv: string;
  readonly caption: string;
  /** Data rows (the CSV's lines after the header). */
  readonly points: number;
  /** Scenegraph items of data marks in the rendered chart. */
  readonly markItems: number;
  readonly warnings: readonly string[];
  readonly elapsedMs: number;
}

/** The figures named by `only` (validated), in catalogue order. */
export function selectFigures(only?: readonly string[]): FigureDefinition[] {
  if (only === undefined) return [...figureCatalogue];
  for (const name of only) {
    if (!figureNames.includes(name))
      throw new InvalidArgumentError(
        '--only',
        `figure names from ${figureNames.join(', ')}`,
        JSON.stringify(name),
        'domain',
      );
  }
  return figureCatalogue.filter((f) => only.includes(f.name));
}

function readCaptions(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

export async function renderFigures(options: RenderFiguresConstraints): Promise<RenderedFigureFiles[]> {
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0)
    throw new InvalidArgumentError('seed', 'a non-negative integer', String(seed), 'integer');
  const figures = selectFigures(options.only);
  const out = resolve(options.out);
  const context: FigureContext = {
    seed,
    benchDirectory: resolve(options.benchDirectory ?? join(packageRoot(), 'bench', 'results')),
  };
  const results: RenderedFigureFiles[] = [];
  for (const [index, figure] of figures.entries()) {
    options.onFigure?.(figure.name, index, figures.length);
    const started = performance.now();
    const data = figure.build(context);
    const rendered = await renderSpec(data.spec);
    const files = {
      svg: join(out, `${figure.name}.svg`),
      png: join(out, `${figure.name}.png`),
      csv: join(out, `${figure.name}.csv`),
    };
    writeFileAtomic(files.csv, toCsv(data.columns, data.rows));
    writeFileAtomic(files.svg, rendered.svg);
    writeFileAtomic(files.png, rendered.png);
    results.push({
      name: figure.name,
      ...files,
      caption: data.caption,
      points: data.rows.length,
      markItems: rendered.markItems,
      warnings: rendered.warnings,
      elapsedMs: performance.now() - started,
    });
  }
  const captionsPath = join(out, 'captions.json');
  const captions = { ...readCaptions(captionsPath), ...Object.fromEntries(results.map((r) => [r.name, r.caption])) };
  const ordered = Object.fromEntries(figureNames.filter((n) => n in captions).map((n) => [n, captions[n]!]));
  writeFileAtomic(captionsPath, JSON.stringify(ordered, null, 2) + '\n');
  return results;
}
