/**
 * What one figure is: a name, the modules it exercises, and a builder that computes its data
 * (seeded, deterministic) and returns a Vega-Lite spec over that data plus a one-line caption.
 */
import type { TopLevelSpec } from 'vega-lite';

/** A CSV cell: numbers are written in shortest round-trip form, null as an empty cell. */
export type Cell = number | string | null;
export type Row = Record<string, Cell>;

/** Everything a figure builder may read. */
export interface FigureContext {
  /** Seed of every random draw (default 1). */
  readonly seed: number;
  /** Folder of benchmark results (bench/results of the package by default). */
  readonly benchDirectory: string;
}

/** A built figure: the data rows (also the CSV), their column order, the spec and the caption. */
export interface FigureData {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
  /** A Vega-Lite spec whose data are `rows` (inline values). */
  readonly spec: TopLevelSpec;
  /** One line, shown as the chart's subtitle, in captions.json and in the README. */
  readonly caption: string;
}

export interface FigureDefinition {
  /** File stem and `--only` name, e.g. 'mi-loss'. */
  readonly name: string;
  /** The chart title. */
  readonly title: string;
  /** Library modules the figure's data come from (for the README and reviewers). */
  readonly modules: readonly string[];
  readonly build: (context: FigureContext) => FigureData;
}
