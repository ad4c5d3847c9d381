/**
 * Reads the real-attention results of the trained model from a benchmark folder:
 *   - real-attention-cpu*.json (bench/model/real-attention.js, schema prhs-real-attention/1):
 *     `summary` rows {context, fraction, selector, budget, meanDelta, meanGap, retrievalRate};
 *   - real-attention-quality*.json (bench/model/real-attention-quality.js, schema
 *     prhs-real-attention-quality/1): `bitsPerByte` items of rows per branch, `retrieval` items.
 * Files that do not parse or have another schema are skipped with a reason.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

export interface JsonFiles<T> {
  readonly used: { readonly file: string; readonly data: T }[];
  readonly skipped: SkippedFile[];
}

/** Parsed JSON of every file in `directory` whose name matches `pattern` and whose schema is `schema`. */
export function readResultFiles<T>(directory: string, pattern: RegExp, schema: string): JsonFiles<T> {
  const used: { file: string; data: T }[] = [];
  const skipped: SkippedFile[] = [];
  if (!existsSync(directory)) return { used, skipped };
  for (const file of readdirSync(directory)
    .filter((f) => pattern.test(f))
    .sort()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(join(directory, file), 'utf8'));
    } catch {
      skipped.push({ file, reason: 'not JSON' });
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || (parsed as { schema?: unknown }).schema !== schema)
      skipped.push({ file, reason: `not ${schema}` });
    else used.push({ file, data: parsed as T });
  }
  return { used, skipped };
}

export interface RealTraceSummaryRow {
  readonly context: number;
  readonly fraction: number;
  readonly selector: string;
  readonly traces: number;
  readonly budget: number;
  readonly meanDelta: number;
  readonly meanGap: number;
  readonly retrievalRate: number;
}

export interface RealTraceComparison {
  readonly summary: readonly RealTraceSummaryRow[];
}

export interface QualityBranchRow {
  readonly selector: string;
  readonly fraction: number | null;
  readonly budget: number | null;
  readonly bitsPerByte: number;
  readonly meanDelta: number;
  readonly meanOutputBound: number;
  readonly meanKept: number;
  readonly rescoredShare: number;
}

/** The checkpoint a quality result names: its folder (older results), or folder, config and each file's sha256. */
export type QualityCheckpoint =
  string | { readonly path: string; readonly config?: unknown; readonly sha256?: Readonly<Record<string, string>> };

export interface QualityBitsPerByteItem {
  readonly file: string;
  readonly scored: number;
  readonly rows: readonly QualityBranchRow[];
}

export interface QualityRetrievalItem {
  readonly file: string;
  readonly probes: readonly {
    readonly kind: string;
    readonly distance: number;
    readonly outcomes: readonly {
      readonly selector: string;
      readonly fraction: number | null;
      readonly correct: boolean;
      readonly bytesRight?: number;
      readonly meanDelta?: number;
    }[];
  }[];
}

export interface QualityResults {
  /** A string in older results; absent, the model is unknown (the figure says so). */
  readonly checkpoint?: QualityCheckpoint;
  /** false for a run cut short: `bitsPerByte` and `retrieval` then hold its finished items only. */
  readonly complete?: boolean;
  readonly progress?: { readonly items: number; readonly itemsDone: number };
  readonly settings: {
    readonly context: number;
    readonly fractions: readonly number[];
    readonly selectors: readonly string[];
  };
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly jobs: number;
    readonly wallSeconds: number;
  };
  readonly bitsPerByte: readonly QualityBitsPerByteItem[];
  readonly retrieval: readonly QualityRetrievalItem[];
}

export const realTraceFiles = /^real-attention-cpu.*\.json$/;
export const qualityFiles = /^real-attention-quality.*\.json$/;
