/**
 * Reads kernel timings from the benchmark results this project writes (bench/results/*.json):
 *   - cpu-*.json (bench/native-kernels.js): machine {cpu}, rows of {dtype, tokens, copyGBs, dense|sparseRandom|sparsePaged: {ms, GBs}};
 *   - cuda-bench-*.json (bench/cuda/bench.mjs): results of {config, copyBandwidthGBs, timings: [{name, medianMs, bytes}]};
 *   - reference-*.json (bench/reference.mjs): machine {cpu}, referenceAttentionStep {n, d, medianMs}.
 * Other files are skipped with a reason (the figure's caption lists them).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface KernelTiming {
  readonly file: string;
  /** Series label: machine, kernel and the shape that is not on the x axis. */
  readonly kernel: string;
  readonly dtype: string;
  /** Context length N (keys per head). */
  readonly context: number;
  readonly latencyMs: number;
  /** Achieved bandwidth in GB/s on the bytes the kernel moves, or null where unknown. */
  readonly bandwidthGBs: number | null;
  /** Achieved bandwidth as a fraction of the same run's copy bandwidth, or null. */
  readonly ofCopy: number | null;
}

export interface KernelResults {
  readonly timings: KernelTiming[];
  readonly used: string[];
  readonly skipped: { readonly file: string; readonly reason: string }[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: Json | undefined): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** The CPU kernels benchmarked by bench/native-kernels.js, with the labels the figure shows. */
const CPU_KERNELS: readonly [string, string][] = [
  ['dense', 'dense decode'],
  ['sparseRandom', 'sparse decode (N/8 random rows)'],
  ['sparsePaged', 'sparse decode (N/8 in pages of 16)'],
];

/** The CPU a result file names (`machine.cpu`, as the CPU benchmarks write it), or plain 'CPU'. */
function cpuName(parsed: JsonObject): string {
  const cpu = isObject(parsed.machine) ? parsed.machine.cpu : undefined;
  return typeof cpu === 'string' && cpu.trim().length > 0 ? cpu.trim() : 'CPU';
}

function fromCpu(file: string, parsed: JsonObject): KernelTiming[] {
  const rows = Array.isArray(parsed.rows) ? parsed.rows : [];
  const cpu = cpuName(parsed);
  const out: KernelTiming[] = [];
  for (const row of rows) {
    if (!isObject(row)) continue;
    const context = num(row.tokens);
    const dtype = typeof row.dtype === 'string' ? row.dtype : 'n/a';
    if (context === undefined) continue;
    for (const [key, label] of CPU_KERNELS) {
      const entry = row[key];
      if (!isObject(entry) || num(entry.ms) === undefined) continue;
      out.push({
        file,
        kernel: `${cpu}, 1 thread: ${label}`,
        dtype,
        context,
        latencyMs: num(entry.ms)!,
        bandwidthGBs: num(entry.GBs) ?? null,
        ofCopy: num(entry.ofCopy) ?? null,
      });
    }
  }
  return out;
}

/** The CUDA timings shown: ours (dense, sparse) and the baseline SDPA is in the torch file. */
const CUDA_KERNELS: readonly [string, string][] = [
  ['dense', 'dense decode'],
  ['sparse', 'sparse decode (k selected)'],
];

function fromCuda(file: string, parsed: JsonObject): KernelTiming[] {
  const results = Array.isArray(parsed.results) ? parsed.results : [];
  const card =
    isObject(parsed.addon) && typeof parsed.addon.device === 'string'
      ? parsed.addon.device.replace(/^NVIDIA /, '').replace(/ 80GB HBM3$/, '')
      : 'GPU';
  const out: KernelTiming[] = [];
  for (const result of results) {
    if (!isObject(result) || !isObject(result.config) || !Array.isArray(result.timings)) continue;
    const config = result.config;
    const context = num(config.tokens);
    const copy = num(result.copyBandwidthGBs);
    if (context === undefined) continue;
    const heads = num(config.kvHeads) !== num(config.queryHeads) ? `, ${num(config.kvHeads)} KV heads` : '';
    const shape = `B${num(config.batch)}${heads}`;
    for (const [name, label] of CUDA_KERNELS) {
      const timing = result.timings.find((t) => isObject(t) && t.name === name);
      if (!isObject(timing) || num(timing.medianMs) === undefined) continue;
      const ms = num(timing.medianMs)!;
      const bytes = num(timing.bytes);
      const gbs = bytes === undefined ? null : bytes / (ms * 1e-3) / 1e9;
      const k = name === 'sparse' ? `, k = ${num(config.selected)}` : '';
      out.push({
        file,
        kernel: `${card}: ${label}, ${shape}${k}`,
        dtype: typeof config.dtype === 'string' ? config.dtype : 'n/a',
        context,
        latencyMs: ms,
        bandwidthGBs: gbs,
        ofCopy: gbs !== null && copy ? gbs / copy : null,
      });
    }
  }
  return out;
}

function fromReference(file: string, parsed: JsonObject): KernelTiming[] {
  const step = parsed.referenceAttentionStep;
  if (!isObject(step) || num(step.n) === undefined || num(step.medianMs) === undefined) return [];
  return [
    {
      file,
      kernel: `${cpuName(parsed)}: float64 reference step (d = ${num(step.d)})`,
      dtype: 'fp64',
      context: num(step.n)!,
      latencyMs: num(step.medianMs)!,
      bandwidthGBs: null,
      ofCopy: null,
    },
  ];
}

function readOne(name: string, parsed: Json): KernelTiming[] | string {
  if (!isObject(parsed)) return 'not a JSON object';
  if (name.startsWith('cpu-')) return fromCpu(name, parsed);
  if (name.startsWith('cuda-bench-')) return fromCuda(name, parsed);
  if (name.startsWith('reference-')) return fromReference(name, parsed);
  return 'not a kernel benchmark';
}

export function readKernelResults(directory: string): KernelResults {
  const result: KernelResults = { timings: [], used: [], skipped: [] };
  if (!existsSync(directory)) return result;
  for (const name of readdirSync(directory)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    let parsed: Json;
    try {
      parsed = JSON.parse(readFileSync(join(directory, name), 'utf8')) as Json;
    } catch (error) {
      result.skipped.push({ file: name, reason: error instanceof SyntaxError ? 'not JSON' : 'unreadable' });
      continue;
    }
    const timings = readOne(basename(name), parsed);
    if (typeof timings === 'string' || timings.length === 0) {
      if (typeof timings === 'string' && timings === 'not a kernel benchmark') continue; // other results (simulator, checks): not listed
      result.skipped.push({ file: name, reason: typeof timings === 'string' ? timings : 'no timings found' });
      continue;
    }
    result.timings.push(...timings);
    result.used.push(name);
  }
  return result;
}
