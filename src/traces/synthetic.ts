/**
 * Seeded synthetic attention traces with the structure real decode attention shows (see
 * theory/posterior-bias.md): attention sinks, recency decay (geometric, or power law through
 * rotary channels), heavy hitters shared by the heads of a KV group, a needle that only late
 * queries look for, queries drifting as an AR(1) process with controllable step-to-step cosine
 * and norm changes, layers with controllable similarity, and GQA.
 *
 * Channel layout of a head (d channels): 0 sink, 1 needle, then the recency channels (1 for
 * geometric, 2F for the rotary power-law fit), then content channels. With scale s = 1/√d the
 * logit of key j for a query at absolute position p is, up to the query's norm factor n_t,
 *   sinkLogit·[j < sinks] + needleLogit·[needle head, step ≥ needle step, j = needle]
 *   + recencyBias(p − j) + σ_c·u_t·k_j (content; heavy hitters add hitterLogit·ν_g).
 */
import { InvalidArgumentError } from '../core/errors.js';
import { seededRandom, type RandomSource } from './random.js';
import type { Trace } from './trace.js';

export type RecencyPrior = 'geometric' | 'power' | 'none';

/** Options of a synthetic trace; every field documents its default. */
export interface SyntheticTraceConstraints {
  /** Layers L (default 4). */
  readonly layers?: number;
  /** Query heads Hq (default 8). */
  readonly queryHeads?: number;
  /** KV heads Hkv, dividing Hq (default 2: GQA groups of 4). */
  readonly kvHeads?: number;
  /** Positions cached before the first decode step (default 1024). */
  readonly prefix?: number;
  /** Decode steps T (default 64). */
  readonly steps?: number;
  /** Head dimension d (default 32; at least 8 + the recency channels). */
  readonly headDim?: number;
  /** Value dimension dv (default = headDim). */
  readonly valueDim?: number;
  /** Seed of every random draw (default 1). */
  readonly seed?: number;
  /** Attention-sink tokens at the start (default 4) and their logit boost (default 5). */
  readonly sinks?: number;
  readonly sinkLogit?: number;
  /** Recency prior (default 'geometric'). */
  readonly recency?: RecencyPrior;
  /** Geometric prior: logit bias (p − j)·ln ρ; ρ defaults to 0.997. */
  readonly recencyRate?: number;
  /** Power-law prior: logit bias −β·ln(1 + p − j) fitted by rotary channels; β defaults to 1.0. */
  readonly powerExponent?: number;
  /** Rotary frequency pairs for the power-law fit (default 6). */
  readonly rotaryPairs?: number;
  /** Heavy-hitter tokens per trace (default 16) and their logit boost along the group direction (default 5). */
  readonly heavyHitters?: number;
  readonly hitterLogit?: number;
  /** Needle: position as a fraction of the prefix (default 0.3), first step that looks for it as a fraction of T (default 0.5), logit (default 9), fraction of query heads that look (default 0.25). */
  readonly needlePosition?: number;
  readonly needleStep?: number;
  readonly needleLogit?: number;
  readonly needleHeads?: number;
  /** Content logit scale σ_c (default 2). */
  readonly contentScale?: number;
  /** AR(1) coefficient of the query drift per step (default 0.98) and drift size η relative to the head's mean direction (default 0.6). */
  readonly queryCorrelation?: number;
  readonly queryDrift?: number;
  /** Log-norm volatility of the query (default 0.1) and its AR(1) coefficient (default 0.95). */
  readonly normVolatility?: number;
  readonly normCorrelation?: number;
  /** Correlation of every random component between adjacent layers (default 0.8). */
  readonly layerSimilarity?: number;
  /** Cosine between a head's mean direction and its KV group's direction (default 0.8). */
  readonly groupCoherence?: number;
}

export type ResolvedSyntheticConstraints = Required<SyntheticTraceConstraints>;

export const syntheticDefaults: ResolvedSyntheticConstraints = {
  layers: 4,
  queryHeads: 8,
  kvHeads: 2,
  prefix: 1024,
  steps: 64,
  headDim: 32,
  valueDim: 32,
  seed: 1,
  sinks: 4,
  sinkLogit: 5,
  recency: 'geometric',
  recencyRate: 0.997,
  powerExponent: 1,
  rotaryPairs: 6,
  heavyHitters: 16,
  hitterLogit: 5,
  needlePosition: 0.3,
  needleStep: 0.5,
  needleLogit: 9,
  needleHeads: 0.25,
  contentScale: 2,
  queryCorrelation: 0.98,
  queryDrift: 0.6,
  normVolatility: 0.1,
  normCorrelation: 0.95,
  layerSimilarity: 0.8,
  groupCoherence: 0.8,
};

/** The built-in synthetic suite (`--synthetic NAME`, and what `prhs compare` runs). */
export const syntheticSuite: Readonly<Record<string, SyntheticTraceConstraints>> = {
  'drifting-query': {},
  'power-law': { recency: 'power', seed: 2 },
  'late-needle': { needleHeads: 0.5, needleStep: 0.25, seed: 3 },
  'fast-drift': { queryCorrelation: 0.9, queryDrift: 1.2, normVolatility: 0.3, seed: 4 },
};

function resolve(options: SyntheticTraceConstraints): ResolvedSyntheticConstraints {
  const o = {
    ...syntheticDefaults,
    ...options,
    valueDim: options.valueDim ?? options.headDim ?? syntheticDefaults.valueDim,
  };
  const positive = ['layers', 'queryHeads', 'kvHeads', 'steps', 'headDim', 'valueDim', 'rotaryPairs'] as const;
  for (const name of positive) {
    if (!Number.isInteger(o[name]) || o[name] < 1)
      throw new InvalidArgumentError(name, 'a positive integer', String(o[name]), 'integer');
  }
  for (const name of ['prefix', 'sinks', 'heavyHitters'] as const) {
    if (!Number.isInteger(o[name]) || o[name] < 0)
      throw new InvalidArgumentError(name, 'a non-negative integer', String(o[name]), 'integer');
  }
  if (o.queryHeads % o.kvHeads !== 0)
    throw new InvalidArgumentError('kvHeads', `a divisor of queryHeads = ${o.queryHeads}`, String(o.kvHeads), 'shape');
  const unit = ['needlePosition', 'needleStep', 'needleHeads', 'groupCoherence'] as const;
  for (const name of unit)
    if (!(o[name] >= 0 && o[name] <= 1))
      throw new InvalidArgumentError(name, 'a number in [0, 1]', String(o[name]), 'range');
  for (const name of ['queryCorrelation', 'normCorrelation', 'layerSimilarity'] as const) {
    if (!(o[name] >= 0 && o[name] <= 1))
      throw new InvalidArgumentError(name, 'a correlation in [0, 1]', String(o[name]), 'range');
  }
  if (!(o.recencyRate > 0 && o.recencyRate <= 1))
    throw new InvalidArgumentError('recencyRate', 'a ratio in (0, 1]', String(o.recencyRate), 'range');
  for (const name of [
    'sinkLogit',
    'hitterLogit',
    'needleLogit',
    'contentScale',
    'queryDrift',
    'normVolatility',
    'powerExponent',
  ] as const) {
    if (!Number.isFinite(o[name]) || o[name] < 0)
      throw new InvalidArgumentError(name, 'a finite non-negative number', String(o[name]), 'range');
  }
  if (!['geometric', 'power', 'none'].includes(o.recency))
    throw new InvalidArgumentError('recency', "'geometric', 'power' or 'none'", String(o.recency), 'domain');
  const need = 2 + recencyChannels(o) + 4;
  if (o.headDim < need)
    throw new InvalidArgumentError(
      'headDim',
      `at least ${need} (sink, needle, recency and 4 content channels)`,
      String(o.headDim),
      'range',
    );
  return o;
}

function recencyChannels(o: ResolvedSyntheticConstraints): number {
  return o.recency === 'geometric' ? 1 : o.recency === 'power' ? 2 * o.rotaryPairs : 0;
}

/**
 * Rotary fit of the power-law bias −β·ln(1 + Δ) on Δ ∈ [0, N): weighted least squares over
 * {1, cos ω_f Δ} with frequencies spaced geometrically from π/N to 1, weights 1/(1 + Δ) (the near
 * past matters most). Returns the frequencies and coefficients a_f (the constant is dropped: it
 * does not change attention).
 */
export function powerLawRotaryFit(
  beta: number,
  positions: number,
  pairs: number,
): { frequencies: Float64Array; coefficients: Float64Array } {
  const low = Math.PI / Math.max(2, positions);
  const frequencies = Float64Array.from({ length: pairs }, (_, f) =>
    pairs === 1 ? low : low * (1 / low) ** (f / (pairs - 1)),
  );
  const n = pairs + 1;
  const normal = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  const basis = new Float64Array(n);
  for (let delta = 0; delta < positions; delta++) {
    basis[0] = 1;
    for (let f = 0; f < pairs; f++) basis[f + 1] = Math.cos(frequencies[f]! * delta);
    const w = 1 / (1 + delta);
    const target = -beta * Math.log1p(delta);
    for (let a = 0; a < n; a++) {
      rhs[a]! += w * basis[a]! * target;
      for (let b = 0; b < n; b++) normal[a * n + b]! += w * basis[a]! * basis[b]!;
    }
  }
  for (let a = 0; a < n; a++) normal[a * n + a]! *= 1 + 1e-9; // ridge: the low frequencies are nearly collinear
  const solution = solveSymmetric(normal, rhs, n);
  return { frequencies, coefficients: solution.subarray(1) };
}

/** Gaussian elimination with partial pivoting (n is tiny). */
function solveSymmetric(matrix: Float64Array, rhs: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(matrix);
  const x = Float64Array.from(rhs);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]!) > Math.abs(m[pivot * n + col]!)) pivot = r;
    if (pivot !== col) {
      for (let c = 0; c < n; c++) [m[col * n + c], m[pivot * n + c]] = [m[pivot * n + c]!, m[col * n + c]!];
      [x[col], x[pivot]] = [x[pivot]!, x[col]!];
    }
    const p = m[col * n + col]!;
    for (let r = col + 1; r < n; r++) {
      const factor = m[r * n + col]! / p;
      for (let c = col; c < n; c++) m[r * n + c]! -= factor * m[col * n + c]!;
      x[r]! -= factor * x[col]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let sum = x[r]!;
    for (let c = r + 1; c < n; c++) sum -= m[r * n + c]! * x[c]!;
    x[r] = sum / m[r * n + r]!;
  }
  return x;
}

/** What the generator planted, for tests and reports. */
export interface SyntheticTrace extends Trace {
  readonly options: ResolvedSyntheticConstraints;
  readonly needle: {
    readonly position: number;
    readonly firstStep: number;
    readonly heads: Uint8Array; /* [L·Hq] 1 if the head looks */
  };
  readonly heavyHitterPositions: Int32Array;
}

/** Mixes `state` towards fresh normals: state ← c·state + √(1−c²)·ξ (keeps unit variance). */
function mixLayer(state: Float64Array, c: number, random: RandomSource, first: boolean, scale = 1): void {
  const fresh = Math.sqrt(1 - c * c);
  for (let i = 0; i < state.length; i++)
    state[i] = first ? scale * random.normal() : c * state[i]! + fresh * scale * random.normal();
}

/** Constants of a trace's channel layout and priors, shared by every layer. */
interface TraceLayout {
  readonly o: ResolvedSyntheticConstraints;
  /** Positions N = prefix + T. */
  readonly positions: number;
  readonly sqrtD: number;
  /** First recency channel (after sink and needle), first content channel, content channels dc. */
  readonly recencyStart: number;
  readonly contentStart: number;
  readonly contentChannels: number;
  /** Geometric prior's rate λ = −ln ρ; the power-law prior's rotary fit. */
  readonly lambda: number;
  readonly rotary: { frequencies: Float64Array; coefficients: Float64Array } | undefined;
}

/** Positions and heads planted once for the whole trace (an important token stays important across depth). */
interface PlantedPositions {
  readonly needlePosition: number;
  readonly needleFirstStep: number;
  readonly heavyHitterPositions: Int32Array;
  /** 1 at heavy-hitter positions, [N]. */
  readonly isHitter: Uint8Array;
  /** 1 where a query head looks for the needle, [L·Hq]. */
  readonly needleHeads: Uint8Array;
}

/** Layer-correlated random state, mixed in place layer by layer. */
interface LayerState {
  readonly keyNoise: Float64Array;
  readonly valueNoise: Float64Array;
  readonly groupDirection: Float64Array;
  readonly headDirection: Float64Array;
  /** Query drift [Hq, T, dc] and log-norm [Hq, T] paths. */
  readonly drift: Float64Array;
  readonly logNorm: Float64Array;
}

/** Generates a synthetic trace. Deterministic in its options (the seed included). */
export function syntheticTrace(options: SyntheticTraceConstraints = {}): SyntheticTrace {
  const o = resolve(options);
  const random = seededRandom(o.seed);
  const { layers: L, queryHeads: Hq, kvHeads: Hkv, steps: T, headDim: d, valueDim: dv } = o;
  const layout = traceLayout(o);
  const N = layout.positions;
  const planted = plantPositions(o, random);
  const queries = new Float32Array(L * T * Hq * d);
  const keys = new Float32Array(L * Hkv * N * d);
  const values = new Float32Array(L * Hkv * N * dv);
  const dc = layout.contentChannels;
  const state: LayerState = {
    keyNoise: new Float64Array(Hkv * N * dc),
    valueNoise: new Float64Array(Hkv * N * dv),
    groupDirection: new Float64Array(Hkv * dc),
    headDirection: new Float64Array(Hq * dc),
    drift: new Float64Array(Hq * T * dc),
    logNorm: new Float64Array(Hq * T),
  };
  for (let layer = 0; layer < L; layer++) {
    mixLayerState(state, layout, random, layer === 0);
    for (let g = 0; g < Hkv; g++) {
      const nu = normalized(state.groupDirection.subarray(g * dc, (g + 1) * dc));
      writeGroupKeys({ layout, planted, state, layer, group: g, nu }, keys, values);
      for (let h = g * (Hq / Hkv); h < (g + 1) * (Hq / Hkv); h++)
        writeHeadQueries({ layout, planted, state, layer, head: h, nu }, queries);
    }
  }
  return {
    layers: L,
    steps: T,
    queryHeads: Hq,
    kvHeads: Hkv,
    positions: N,
    headDim: d,
    valueDim: dv,
    queries,
    keys,
    values,
    scale: 1 / layout.sqrtD,
    options: o,
    needle: { position: planted.needlePosition, firstStep: planted.needleFirstStep, heads: planted.needleHeads },
    heavyHitterPositions: planted.heavyHitterPositions,
  };
}

function traceLayout(o: ResolvedSyntheticConstraints): TraceLayout {
  const positions = o.prefix + o.steps;
  const recencyStart = 2;
  const contentStart = recencyStart + recencyChannels(o);
  return {
    o,
    positions,
    sqrtD: Math.sqrt(o.headDim),
    recencyStart,
    contentStart,
    contentChannels: o.headDim - contentStart,
    lambda: -Math.log(o.recencyRate),
    rotary: o.recency === 'power' ? powerLawRotaryFit(o.powerExponent, positions, o.rotaryPairs) : undefined,
  };
}

/** The needle, its first looking step, the heavy hitters and the needle heads (the trace's first draws). */
function plantPositions(o: ResolvedSyntheticConstraints, random: RandomSource): PlantedPositions {
  const N = o.prefix + o.steps;
  const T = o.steps;
  const needlePosition = Math.min(N - T - 1, Math.max(o.sinks, Math.floor(o.needlePosition * o.prefix)));
  const needleFirstStep = Math.min(T - 1, Math.floor(o.needleStep * T));
  const hitters = new Set<number>();
  while (hitters.size < Math.min(o.heavyHitters, Math.max(0, o.prefix - o.sinks - 1))) {
    const p = o.sinks + random.integer(Math.max(1, o.prefix - o.sinks));
    if (p !== needlePosition) hitters.add(p);
  }
  const heavyHitterPositions = Int32Array.from([...hitters].sort((a, b) => a - b));
  const isHitter = new Uint8Array(N);
  for (const p of heavyHitterPositions) isHitter[p] = 1;
  const needleHeads = new Uint8Array(o.layers * o.queryHeads);
  for (let i = 0; i < needleHeads.length; i++) needleHeads[i] = random.uniform() < o.needleHeads ? 1 : 0;
  return { needlePosition, needleFirstStep, heavyHitterPositions, isHitter, needleHeads };
}

/** One layer's draws: every component mixed with the previous layer's (c = layerSimilarity). */
function mixLayerState(state: LayerState, layout: TraceLayout, random: RandomSource, first: boolean): void {
  const { o, contentChannels: dc } = layout;
  const c = o.layerSimilarity;
  mixLayer(state.keyNoise, c, random, first);
  mixLayer(state.valueNoise, c, random, first);
  mixLayer(state.groupDirection, c, random, first, 1 / Math.sqrt(dc));
  mixLayer(state.headDirection, c, random, first, 1 / Math.sqrt(dc));
  for (let h = 0; h < o.queryHeads; h++) mixQueryPaths(state, layout, random, { head: h, first });
}

/**
 * Head h's query drift (AR(1) with unit stationary variance per step, per content channel) and
 * log-norm path: fresh paths per layer (own state), mixed with the previous layer's (a linear
 * combination of AR(1) paths with the same coefficient is again such a path).
 */
function mixQueryPaths(
  state: LayerState,
  layout: TraceLayout,
  random: RandomSource,
  at: { readonly head: number; readonly first: boolean },
): void {
  const { head: h, first } = at;
  const { drift, logNorm } = state;
  const { o, contentChannels: dc } = layout;
  const T = o.steps;
  const c = o.layerSimilarity;
  const rho = o.queryCorrelation;
  const innovation = Math.sqrt(1 - rho * rho);
  const fresh = Math.sqrt(1 - c * c);
  for (let ch = 0; ch < dc; ch++) {
    let path = 0;
    for (let t = 0; t < T; t++) {
      const xi = random.normal() / Math.sqrt(dc);
      path = t === 0 ? xi : rho * path + innovation * xi;
      const i = (h * T + t) * dc + ch;
      drift[i] = first ? path : c * drift[i]! + fresh * path;
    }
  }
  let normPath = 0;
  for (let t = 0; t < T; t++) {
    const xi = random.normal();
    normPath = t === 0 ? xi : o.normCorrelation * normPath + Math.sqrt(1 - o.normCorrelation ** 2) * xi;
    const j = h * T + t;
    logNorm[j] = first ? normPath : c * logNorm[j]! + fresh * normPath;
  }
}

/** Where one KV group's keys or one query head's queries are written from, in one layer. */
interface ChannelSource {
  readonly layout: TraceLayout;
  readonly planted: PlantedPositions;
  readonly state: LayerState;
  readonly layer: number;
  /** The KV group's unit direction ν_g. */
  readonly nu: Float64Array;
}

/** KV group g's keys (sink, needle, recency, content + heavy-hitter boost) and values at every position. */
function writeGroupKeys(
  source: ChannelSource & { readonly group: number },
  keys: Float32Array,
  values: Float32Array,
): void {
  const { layout, planted, state, layer, group: g, nu } = source;
  const { o, positions: N, recencyStart, contentStart, contentChannels: dc, rotary } = layout;
  const { headDim: d, valueDim: dv } = o;
  const kBase = (layer * o.kvHeads + g) * N * d;
  const vBase = (layer * o.kvHeads + g) * N * dv;
  for (let j = 0; j < N; j++) {
    const row = kBase + j * d;
    keys[row] = j < o.sinks ? o.sinkLogit : 0;
    keys[row + 1] = j === planted.needlePosition ? o.needleLogit : 0;
    if (o.recency === 'geometric') keys[row + recencyStart] = layout.lambda * j;
    if (rotary) {
      for (let f = 0; f < o.rotaryPairs; f++) {
        const amplitude = Math.sqrt(Math.abs(rotary.coefficients[f]!));
        keys[row + recencyStart + 2 * f] = amplitude * Math.cos(rotary.frequencies[f]! * j);
        keys[row + recencyStart + 2 * f + 1] = amplitude * Math.sin(rotary.frequencies[f]! * j);
      }
    }
    const hitterBoost = planted.isHitter[j] ? o.hitterLogit / Math.max(o.contentScale, 1e-12) : 0;
    for (let ch = 0; ch < dc; ch++)
      keys[row + contentStart + ch] = state.keyNoise[(g * N + j) * dc + ch]! + hitterBoost * nu[ch]!;
    for (let ch = 0; ch < dv; ch++) values[vBase + j * dv + ch] = state.valueNoise[(g * N + j) * dv + ch]!;
  }
}

/** Query head h's query at every step: norm factor, needle, recency and drifting content channels. */
function writeHeadQueries(source: ChannelSource & { readonly head: number }, queries: Float32Array): void {
  const { layout, planted, state, layer, head: h, nu } = source;
  const { o, sqrtD, recencyStart, contentStart, contentChannels: dc, rotary } = layout;
  const { steps: T, queryHeads: Hq, headDim: d } = o;
  const own = normalized(state.headDirection.subarray(h * dc, (h + 1) * dc));
  const mean = new Float64Array(dc);
  const coherence = o.groupCoherence;
  for (let ch = 0; ch < dc; ch++) mean[ch] = coherence * nu[ch]! + Math.sqrt(1 - coherence * coherence) * own[ch]!;
  const meanUnit = normalized(mean);
  const looks = planted.needleHeads[layer * Hq + h] === 1;
  for (let t = 0; t < T; t++) {
    const row = ((layer * T + t) * Hq + h) * d;
    const normFactor = Math.exp(o.normVolatility * state.logNorm[h * T + t]!);
    const position = o.prefix + t;
    queries[row] = sqrtD * normFactor;
    queries[row + 1] = looks && t >= planted.needleFirstStep ? sqrtD * normFactor : 0;
    if (o.recency === 'geometric') queries[row + recencyStart] = sqrtD * normFactor;
    if (rotary) {
      for (let f = 0; f < o.rotaryPairs; f++) {
        const a = rotary.coefficients[f]!;
        const amplitude = Math.sign(a) * Math.sqrt(Math.abs(a)) * sqrtD * normFactor;
        queries[row + recencyStart + 2 * f] = amplitude * Math.cos(rotary.frequencies[f]! * position);
        queries[row + recencyStart + 2 * f + 1] = amplitude * Math.sin(rotary.frequencies[f]! * position);
      }
    }
    let norm = 0;
    const x = state.drift.subarray((h * T + t) * dc, (h * T + t + 1) * dc);
    for (let ch = 0; ch < dc; ch++) norm += (meanUnit[ch]! + o.queryDrift * x[ch]!) ** 2;
    const contentNorm = (o.contentScale * sqrtD * normFactor) / Math.sqrt(norm);
    for (let ch = 0; ch < dc; ch++)
      queries[row + contentStart + ch] = contentNorm * (meanUnit[ch]! + o.queryDrift * x[ch]!);
  }
}

function normalized(v: Float64Array): Float64Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm) || 1;
  return Float64Array.from(v, (x) => x / norm);
}

/** A trace from the built-in suite, with overrides (e.g. a bigger shape for benchmarks). */
export function namedSyntheticTrace(name: string, overrides: SyntheticTraceConstraints = {}): SyntheticTrace {
  const preset = syntheticSuite[name];
  if (!preset)
    throw new InvalidArgumentError(
      '--synthetic',
      `one of ${Object.keys(syntheticSuite).join(', ')}`,
      JSON.stringify(name),
      'domain',
    );
  return syntheticTrace({ ...preset, ...overrides });
}
