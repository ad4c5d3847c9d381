/**
 * An attention trace: the queries, keys and values of a decode run, per layer, head and step,
 * stored as flat row-major Float32Arrays (the precision a model would hand us; every quantity
 * computed from them is float64).
 *
 *   queries [L, T, Hq, d]   the query of every query head at every decode step
 *   keys    [L, Hkv, N, d]  the cache of every KV head, N = prefix + T positions
 *   values  [L, Hkv, N, dv]
 *
 * Decode step t (0-based) attends to positions 0 … prefix + t (its own key included), so the
 * visible cache grows by one per step. Query head h reads KV head ⌊h·Hkv/Hq⌋ (GQA).
 */
import { InvalidArgumentError } from '../core/errors.js';

export interface TraceShape {
  readonly layers: number;
  readonly steps: number;
  readonly queryHeads: number;
  readonly kvHeads: number;
  /** Total cached positions N = prefix + steps. */
  readonly positions: number;
  readonly headDim: number;
  readonly valueDim: number;
}

export interface Trace extends TraceShape {
  readonly queries: Float32Array;
  readonly keys: Float32Array;
  readonly values: Float32Array;
  /** Attention scale; 1/√d unless the trace says otherwise. */
  readonly scale: number;
}

/** Positions cached before the first decode step. */
export function prefixLength(shape: TraceShape): number {
  return shape.positions - shape.steps;
}

/** Keys visible at decode step t. */
export function visibleLength(shape: TraceShape, step: number): number {
  return shape.positions - shape.steps + step + 1;
}

export function kvHeadOf(shape: TraceShape, head: number): number {
  return Math.floor((head * shape.kvHeads) / shape.queryHeads);
}

export function queryOffset(shape: TraceShape, layer: number, step: number, head: number): number {
  return ((layer * shape.steps + step) * shape.queryHeads + head) * shape.headDim;
}

/** Offset of key 0 of a KV head in `keys` (key i is at + i·d). */
export function keyOffset(shape: TraceShape, layer: number, kvHead: number): number {
  return (layer * shape.kvHeads + kvHead) * shape.positions * shape.headDim;
}

export function valueOffset(shape: TraceShape, layer: number, kvHead: number): number {
  return (layer * shape.kvHeads + kvHead) * shape.positions * shape.valueDim;
}

/** The three tensor shapes a trace stores, by tensor name. */
export function tensorShapes(shape: TraceShape): { queries: number[]; keys: number[]; values: number[] } {
  const { layers, steps, queryHeads, kvHeads, positions, headDim, valueDim } = shape;
  return {
    queries: [layers, steps, queryHeads, headDim],
    keys: [layers, kvHeads, positions, headDim],
    values: [layers, kvHeads, positions, valueDim],
  };
}

/** Validates the sizes of a trace and that its entries are finite; names the bad tensor. */
export function checkTrace(trace: Trace): Trace {
  const integers: (keyof TraceShape)[] = [
    'layers',
    'steps',
    'queryHeads',
    'kvHeads',
    'positions',
    'headDim',
    'valueDim',
  ];
  for (const name of integers) {
    const value = trace[name];
    if (!Number.isInteger(value) || value < 1)
      throw new InvalidArgumentError(`trace.${name}`, 'a positive integer', String(value), 'integer');
  }
  if (trace.queryHeads % trace.kvHeads !== 0) {
    throw new InvalidArgumentError(
      'trace.kvHeads',
      `a divisor of the ${trace.queryHeads} query heads (GQA)`,
      String(trace.kvHeads),
      'shape',
    );
  }
  if (trace.steps > trace.positions)
    throw new InvalidArgumentError(
      'trace.steps',
      `at most the ${trace.positions} positions`,
      String(trace.steps),
      'shape',
    );
  if (!Number.isFinite(trace.scale))
    throw new InvalidArgumentError('trace.scale', 'a finite number', String(trace.scale), 'finite');
  const shapes = tensorShapes(trace);
  for (const name of ['queries', 'keys', 'values'] as const) {
    const data = trace[name];
    const size = shapes[name].reduce((a, b) => a * b, 1);
    if (!(data instanceof Float32Array))
      throw new InvalidArgumentError(`trace.${name}`, 'a Float32Array', typeof data, 'type');
    if (data.length !== size)
      throw new InvalidArgumentError(
        `trace.${name}`,
        `${size} entries (shape [${shapes[name].join(', ')}])`,
        `${data.length}`,
        'shape',
      );
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!))
        throw new InvalidArgumentError(`trace.${name}[${i}]`, 'a finite number', String(data[i]), 'finite');
    }
  }
  return trace;
}
