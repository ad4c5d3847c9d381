/**
 * Reads kernel timings from benchmark JSON files (bench/results/*.json) without knowing their
 * exact layout: any object with a context length (tokens, n, context, …) and a latency is a
 * timing, either unprefixed (medianMs) or per kernel (denseMs, sparseMs, referenceMs); a
 * matching GB/s or bytes field adds the achieved bandwidth, and a GB/s field without a latency
 * (copyGBs) is a bandwidth reference. Files that do not parse, or hold no timing, are skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface KernelTiming {
  readonly file: string;
  /** What was timed, e.g. 'cpu-2026-11-28: sparse' (file stem, kernel, names, shape). */
  readonly kernel: string;
  /** Element type when the file gives one ('fp16', …), else 'n/a'. */
  readonly dtype: string;
  readonly context: number;
  /** Latency in ms, or null for a bandwidth-only entry (a copy reference). */
  readonly latencyMs: number | null;
  /** Achieved bandwidth in GB/s (10⁹ bytes/s), or null when the file gives neither bytes nor GB/s. */
  readonly bandwidthGBs: number | null;
}

export interface KernelResults {
  readonly timings: KernelTiming[];
  /** Files that contributed timings, and files skipped with the reason. */
  readonly used: string[];
  readonly skipped: { readonly file: string; readonly reason: string }[];
}

const CONTEXT_KEYS = ['context', 'contextLength', 'context_length', 'seqLen', 'seq_len', 'sequenceLength', 'cacheLength', 'tokens', 'n', 'N', 'length', 'positions'];
/** Unprefixed latency fields, best first (a median beats a mean beats a minimum). */
const MS_KEYS = ['medianMs', 'median_ms', 'latencyMs', 'latency_ms', 'meanMs', 'mean_ms', 'timeMs', 'time_ms', 'ms'];
const US_KEYS = ['medianUs', 'median_us', 'latencyUs', 'latency_us', 'meanUs', 'mean_us', 'us'];
const GBS_SUFFIXES = ['GBs', 'GBps', '_gbps', '_GBs'];
const BYTES_SUFFIXES = ['Bytes', '_bytes', 'BytesMoved'];
const GENERIC_GBS = ['achievedGBps', 'achievedGBs', 'achieved_gbps', 'bandwidthGBps', 'bandwidthGBs', 'bandwidth_gbps', 'gbps', 'GBps', 'GBs'];
const GENERIC_BYTES = ['bytesMoved', 'bytes_moved', 'bytesRead', 'bytes'];
/** Prefixes of `<prefix>Ms` fields that are statistics or targets, not kernels. */
const NOT_KERNELS = new Set(['median', 'mean', 'latency', 'time', 'min', 'max', 'p50', 'p90', 'p99', 'target', 'wall', 'total', 'elapsed', 'std', 'stddev', 'achieved', 'bandwidth']);
const LABEL_KEYS = ['kernel', 'name', 'backend', 'op', 'variant', 'mode', 'selector'];
const DTYPE_KEYS = ['dtype', 'precision', 'type'];
const SHAPE_KEYS: readonly [string, string][] = [
  ['batch', 'b'],
  ['heads', 'h'],
  ['d', 'd'],
  ['headDim', 'd'],
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function positive(value: Json | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function firstNumber(object: Record<string, Json>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = positive(object[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Every timing an object holds: unprefixed (medianMs, …) and per kernel (denseMs, sparseMs, …). */
function timingsOf(object: Record<string, Json>, path: readonly string[], file: string): KernelTiming[] {
  const context = firstNumber(object, CONTEXT_KEYS);
  if (context === undefined || !Number.isInteger(context)) return [];
  const labels = LABEL_KEYS.map((k) => object[k]).filter((v): v is string => typeof v === 'string');
  const dtypeValue = DTYPE_KEYS.map((k) => object[k]).find((v): v is string => typeof v === 'string');
  const shape = SHAPE_KEYS.filter(([k]) => typeof object[k] === 'number').map(([k, short]) => `${short}=${object[k] as number}`);
  const where = path.filter((p) => !/^\d+$/.test(p));
  const stem = basename(file, '.json');
  const name = (prefix: string) => `${stem}: ${[prefix, ...labels, ...shape].filter((x) => x.length > 0).join(' ') || where[where.length - 1] || 'timing'}`.slice(0, 70);
  const out: KernelTiming[] = [];
  const push = (prefix: string, ms: number | null, gbs: number | null) => out.push({ file, kernel: name(prefix), dtype: dtypeValue ?? 'n/a', context, latencyMs: ms, bandwidthGBs: gbs });
  // Unprefixed: one timing, labelled by the object's names or its key in the file.
  const genericMs = firstNumber(object, MS_KEYS) ?? (firstNumber(object, US_KEYS) ?? Number.NaN) / 1000;
  if (genericMs > 0) {
    const bytes = firstNumber(object, GENERIC_BYTES);
    push(labels.length > 0 ? '' : (where[where.length - 1] ?? ''), genericMs, firstNumber(object, GENERIC_GBS) ?? (bytes === undefined ? null : bytes / (genericMs * 1e-3) / 1e9));
  }
  // Prefixed: <kernel>Ms (or Us) with <kernel>GBs or <kernel>Bytes; <kernel>GBs alone is a bandwidth-only entry.
  const prefixes = new Set<string>();
  for (const key of Object.keys(object)) {
    const match = /^([A-Za-z][A-Za-z0-9]*?)(Ms|_ms|Us|_us|GBs|GBps|_gbps)$/.exec(key);
    if (match && !NOT_KERNELS.has(match[1]!) && positive(object[key]) !== undefined) prefixes.add(match[1]!);
  }
  for (const prefix of [...prefixes].sort()) {
    const ms = positive(object[`${prefix}Ms`]) ?? positive(object[`${prefix}_ms`]) ?? ((positive(object[`${prefix}Us`]) ?? positive(object[`${prefix}_us`]) ?? Number.NaN) / 1000 || undefined);
    const bytes = firstNumber(object, BYTES_SUFFIXES.map((s) => prefix + s));
    const gbs = firstNumber(object, GBS_SUFFIXES.map((s) => prefix + s)) ?? (bytes !== undefined && ms !== undefined ? bytes / (ms * 1e-3) / 1e9 : undefined);
    if (ms === undefined && gbs === undefined) continue;
    push(prefix, ms ?? null, gbs ?? null);
  }
  return out;
}

function walk(node: Json, path: string[], file: string, timings: KernelTiming[]): void {
  if (Array.isArray(node)) {
    node.forEach((child, i) => walk(child, [...path, String(i)], file, timings));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  timings.push(...timingsOf(node, path, file));
  for (const [key, child] of Object.entries(node)) if (typeof child === 'object') walk(child, [...path, key], file, timings);
}

export function readKernelResults(directory: string): KernelResults {
  const result: KernelResults = { timings: [], used: [], skipped: [] };
  if (!existsSync(directory)) return result;
  const files = readdirSync(directory)
    .filter((f) => f.endsWith('.json'))
    .sort();
  for (const name of files) {
    let parsed: Json;
    try {
      parsed = JSON.parse(readFileSync(join(directory, name), 'utf8')) as Json;
    } catch (error) {
      result.skipped.push({ file: name, reason: error instanceof SyntaxError ? 'not JSON' : 'unreadable' });
      continue;
    }
    const timings: KernelTiming[] = [];
    walk(parsed, [], name, timings);
    if (!timings.some((t) => t.latencyMs !== null)) {
      result.skipped.push({ file: name, reason: 'no timings found' });
      continue;
    }
    result.timings.push(...timings);
    result.used.push(name);
  }
  return result;
}
