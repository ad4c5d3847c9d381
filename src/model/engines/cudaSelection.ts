/**
 * PrHS selection inside the CUDA engine: the selection a caller asks for, checked and resolved to
 * the addon's arguments (native/cuda/model/layerSelection.hpp). Parameter names and defaults are
 * those of src/selectors: StreamingLLM keeps `sinks` (default 4) plus a `window` of the most recent
 * positions; oracle keeps the `budget` best exact scores; CIS (cis.ts) keeps sinks (default 4), a
 * window (default ⌊B/8⌋) and its anchor ranking, re-anchoring when cos(q, q_anchor) ≤ gate (default
 * 0.8), and on reuse dilates the top m = ⌊anchorTopFraction · k⌋ ranked positions (k = B − sinks −
 * window; default m = ⌊k/3⌋ as cis.ts) by ±`dilation` (default 1). Budgets are in tokens. How the
 * query heads of a KV head share one kept list: theory/model.md, "PrHS in the CUDA engine".
 */
import { InvalidArgumentError } from '../../core/errors.js';

export type CudaSelection =
  | { readonly kind: 'dense' }
  | { readonly kind: 'streaming'; readonly sinks?: number; readonly window: number }
  | { readonly kind: 'oracle'; readonly budget: number }
  | {
      readonly kind: 'cis';
      readonly budget: number;
      readonly sinks?: number;
      readonly window?: number;
      readonly gate?: number;
      readonly anchorTopFraction?: number;
      readonly dilation?: number;
    };

/** The addon's setSelection argument: every field of the kind resolved. */
export interface NativeSelection {
  readonly kind: CudaSelection['kind'];
  readonly budget?: number;
  readonly sinks?: number;
  readonly window?: number;
  readonly gate?: number;
  readonly dilated?: number;
  readonly radius?: number;
}

const KINDS = ['dense', 'streaming', 'oracle', 'cis'] as const;

function integerIn(argument: string, value: unknown, min: number, max: number): number {
  const expected = `an integer in [${min}, ${max}]`;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new InvalidArgumentError(argument, expected, describe(value), 'type');
  if (value < min || value > max) throw new InvalidArgumentError(argument, expected, String(value), 'range');
  return value;
}

function numberIn(argument: string, value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new InvalidArgumentError(argument, what, describe(value), 'type');
  if (value < min || value > max) throw new InvalidArgumentError(argument, what, String(value), 'range');
  return value;
}

function describe(value: unknown): string {
  return typeof value === 'string'
    ? JSON.stringify(value)
    : value === undefined
      ? 'nothing'
      : typeof value === 'number'
        ? String(value)
        : typeof value;
}

function onlyFields(selection: object, allowed: readonly string[]): void {
  for (const key of Object.keys(selection)) {
    if (!allowed.includes(key))
      throw new InvalidArgumentError(`selection.${key}`, `only ${allowed.join(', ')} for this kind`, key, 'domain');
  }
}

/** Checks a selection against an engine of `capacity` tokens per sequence and resolves its defaults. */
export function resolveCudaSelection(selection: CudaSelection, capacity: number): NativeSelection {
  if (typeof selection !== 'object' || selection === null)
    throw new InvalidArgumentError('selection', 'a selection object ({kind: ...})', describe(selection), 'type');
  const kind = (selection as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind))
    throw new InvalidArgumentError('kind', `one of ${KINDS.join(', ')}`, describe(kind), 'domain');
  switch (selection.kind) {
    case 'dense':
      onlyFields(selection, ['kind']);
      return { kind: 'dense' };
    case 'streaming': {
      onlyFields(selection, ['kind', 'sinks', 'window']);
      const sinks = integerIn('sinks', selection.sinks ?? 4, 0, capacity);
      const window = integerIn('window', selection.window, 0, capacity);
      const budget = integerIn('sinks + window', sinks + window, 1, capacity);
      return { kind: 'streaming', budget, sinks };
    }
    case 'oracle':
      onlyFields(selection, ['kind', 'budget']);
      return { kind: 'oracle', budget: integerIn('budget', selection.budget, 1, capacity) };
    case 'cis': {
      onlyFields(selection, ['kind', 'budget', 'sinks', 'window', 'gate', 'anchorTopFraction', 'dilation']);
      const budget = integerIn('budget', selection.budget, 1, capacity);
      const sinks = integerIn('sinks', selection.sinks ?? 4, 0, capacity);
      const window = integerIn('window', selection.window ?? Math.floor(budget / 8), 0, capacity);
      const gate = numberIn('gate', selection.gate ?? 0.8, -1, 1, 'a cosine in [-1, 1]');
      const topK = Math.max(0, budget - sinks - window);
      const dilated =
        selection.anchorTopFraction === undefined
          ? Math.floor(topK / 3)
          : Math.floor(topK * numberIn('anchorTopFraction', selection.anchorTopFraction, 0, 1, 'a fraction in [0, 1]'));
      const radius = integerIn('dilation', selection.dilation ?? 1, 0, capacity);
      return { kind: 'cis', budget, sinks, window, gate, dilated, radius };
    }
  }
}

/** Per-layer counts the addon keeps (selectionCounts()). */
export interface SelectionCounts {
  readonly kept: number;
  readonly retrieved: number;
  readonly headSteps: number;
}

export interface LayerSelectionStats {
  /** Mean kept positions per (sequence, KV head) head-step. */
  readonly meanKept: number;
  /** Share of head-steps that scored keys (a CIS re-anchor; every oracle step; never StreamingLLM). */
  readonly retrievalRate: number;
  readonly headSteps: number;
}

export interface SelectionStatsSummary extends LayerSelectionStats {
  readonly layers: readonly LayerSelectionStats[];
}

function rates(kept: number, retrieved: number, headSteps: number): LayerSelectionStats {
  return {
    meanKept: headSteps === 0 ? 0 : kept / headSteps,
    retrievalRate: headSteps === 0 ? 0 : retrieved / headSteps,
    headSteps,
  };
}

/** Mean kept and retrieval rate per layer and over all layers. */
export function summariseSelection(counts: readonly SelectionCounts[]): SelectionStatsSummary {
  const total = counts.reduce(
    (s, c) => ({ kept: s.kept + c.kept, retrieved: s.retrieved + c.retrieved, headSteps: s.headSteps + c.headSteps }),
    { kept: 0, retrieved: 0, headSteps: 0 },
  );
  return {
    ...rates(total.kept, total.retrieved, total.headSteps),
    layers: counts.map((c) => rates(c.kept, c.retrieved, c.headSteps)),
  };
}
