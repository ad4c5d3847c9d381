/**
 * GPU correctness check of the fused CIS selection kernel (native/cuda/cis.cu) against the
 * TypeScript reference (src/selectors/cis.ts): drifting queries over many decode steps, each step
 * run through CisSelector.select and through the addon's cisStep (cosine gate, exact top-k on the
 * GPU, anchor update, dilation, union with sinks and window, fill with recent positions). The kept
 * sets must be identical, element for element and in order, and so must the re-anchor flags.
 * Logits are multiples of 1/8 (exact in fp32, many ties), so the top-k order is the reference's
 * (lower index first on ties) on either side.
 * Run on a GPU machine by bench/cuda/cisCheck.ts (bundled by bench/cuda/bundle.sh).
 */
import { CisSelector } from '../selectors/cis.js';
import { createSelection, type HeadStep } from '../selectors/selector.js';
import type { Trace } from '../traces/trace.js';
import { uniformSource } from '../random/index.js';

/** The CUDA addon's fused CIS selection step (native/cuda/cis.cu). */
export interface CisAddon {
  cisStep(options: Record<string, unknown>): void;
}

interface CheckCase {
  readonly label: string;
  readonly heads: number;
  readonly headDim: number;
  readonly prefix: number;
  readonly steps: number;
  readonly budget: number;
  readonly gate: number;
  readonly sinks?: number;
  readonly window?: number;
  readonly radius?: number;
  /** Distinct logit levels (fewer: more ties). */
  readonly levels: number;
}

const cases: CheckCase[] = [
  { label: 'B256 d128 N≈1K', heads: 8, headDim: 128, prefix: 1000, steps: 40, budget: 256, gate: 0.8, levels: 64 },
  {
    label: 'B64 short cache (N < B early)',
    heads: 4,
    headDim: 32,
    prefix: 5,
    steps: 90,
    budget: 64,
    gate: 0.9,
    levels: 8,
  },
  {
    label: 'B2048 d64 N≈8K r=2',
    heads: 4,
    headDim: 64,
    prefix: 8000,
    steps: 12,
    budget: 2048,
    gate: 0.5,
    radius: 2,
    levels: 256,
  },
  {
    label: 'heavy ties, no sinks/window',
    heads: 6,
    headDim: 16,
    prefix: 300,
    steps: 30,
    budget: 48,
    gate: 0.7,
    sinks: 0,
    window: 0,
    levels: 3,
  },
  { label: 'gate -1 (always reuse)', heads: 3, headDim: 8, prefix: 200, steps: 20, budget: 40, gate: -1, levels: 16 },
  { label: 'gate 1 (always re-anchor)', heads: 3, headDim: 8, prefix: 200, steps: 10, budget: 40, gate: 1, levels: 16 },
  { label: 'budget 1', heads: 2, headDim: 4, prefix: 50, steps: 10, budget: 1, gate: 0.8, levels: 4 },
  {
    label: 'B16384 d128 N≈20K (tiled set build)',
    heads: 2,
    headDim: 128,
    prefix: 20000,
    steps: 6,
    budget: 16384,
    gate: 0.6,
    levels: 512,
  },
];

export interface CisCaseResult {
  label: string;
  headSteps: number;
  retrievals: number;
  mismatches: number;
  firstMismatch: string | null;
}

function runCase(addon: CisAddon, c: CheckCase, seed: number): CisCaseResult {
  const random = uniformSource(seed);
  const { heads, headDim: d, prefix, steps, budget } = c;
  const positions = prefix + steps;
  const queries = new Float32Array(steps * heads * d);
  for (let h = 0; h < heads; h++) {
    const q = new Float64Array(d).map(() => random() * 2 - 1);
    for (let t = 0; t < steps; t++) {
      // Drift of varying strength: some steps pass the gate, some do not.
      const strength = random() < 0.3 ? 1.5 : 0.15;
      for (let e = 0; e < d; e++) {
        q[e]! += strength * (random() * 2 - 1);
        queries[(t * heads + h) * d + e] = q[e]!;
      }
    }
  }
  const trace: Trace = {
    layers: 1,
    steps,
    queryHeads: heads,
    kvHeads: heads,
    positions,
    headDim: d,
    valueDim: 1,
    scale: 1,
    queries,
    keys: new Float32Array(0),
    values: new Float32Array(0),
  };
  const options: Record<string, number> = { gate: c.gate };
  if (c.sinks !== undefined) options.sinks = c.sinks;
  if (c.window !== undefined) options.window = c.window;
  if (c.radius !== undefined) options.radius = c.radius;
  const selector = new CisSelector(budget, options);
  selector.begin(trace);
  const selection = createSelection(budget);
  // GPU state, carried between steps.
  const anchorQuery = new Float32Array(heads * d);
  const anchorNorm = new Float64Array(heads);
  const anchored = new Uint8Array(heads);
  const ranking = new Int32Array(heads * budget);
  const rankingSize = new Int32Array(heads);
  const reanchor = new Uint8Array(heads);
  const indices = new Int32Array(heads * budget);
  const sizes = new Int32Array(heads);
  let mismatches = 0;
  let retrievals = 0;
  let firstMismatch: string | null = null;
  for (let t = 0; t < steps; t++) {
    const length = prefix + t + 1;
    const logits32 = new Float32Array(heads * length);
    for (let i = 0; i < logits32.length; i++) logits32[i] = Math.floor(random() * c.levels) / 8;
    addon.cisStep({
      rows: heads,
      headDim: d,
      length,
      budget,
      sinks: selector.sinks,
      window: selector.window,
      dilated: selector.dilated,
      radius: selector.radius,
      gate: c.gate,
      query: queries.slice(t * heads * d, (t + 1) * heads * d),
      scores: logits32,
      anchorQuery,
      anchorNorm,
      anchored,
      ranking,
      rankingSize,
      reanchor,
      indices,
      sizes,
    });
    for (let h = 0; h < heads; h++) {
      const logits = Float64Array.from(logits32.subarray(h * length, (h + 1) * length));
      const view: HeadStep = {
        trace,
        step: t,
        layer: 0,
        head: h,
        kvHead: h,
        length,
        queryOffset: (t * heads + h) * d,
        keyOffset: 0,
        valueOffset: 0,
        logits,
      };
      selector.select(view, selection);
      if (selection.retrieved) retrievals++;
      const expected = Array.from(selection.indices.subarray(0, selection.size));
      const got = Array.from(indices.subarray(h * budget, h * budget + sizes[h]!));
      const padded = Array.from(indices.subarray(h * budget + sizes[h]!, (h + 1) * budget)).every((x) => x === -1);
      const same =
        padded &&
        expected.length === got.length &&
        expected.every((x, j) => x === got[j]) &&
        selection.retrieved === (reanchor[h] === 1);
      if (!same) {
        mismatches++;
        firstMismatch ??= `step ${t} head ${h}: retrieved ${selection.retrieved} vs flag ${reanchor[h]}, sizes ${expected.length} vs ${got.length}, first difference at ${expected.findIndex((x, j) => x !== got[j])}: expected [${expected.slice(0, 12).join(', ')}…] got [${got.slice(0, 12).join(', ')}…]`;
      }
    }
  }
  return { label: c.label, headSteps: heads * steps, retrievals, mismatches, firstMismatch };
}

/** Every case, case i seeded with seedBase + i. */
export function runCisCheck(addon: CisAddon, seedBase = 1000): CisCaseResult[] {
  return cases.map((c, i) => runCase(addon, c, seedBase + i));
}
