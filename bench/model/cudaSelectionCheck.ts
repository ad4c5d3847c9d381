/**
 * PrHS inside the CUDA engine, checked on the GPU (bench/model/run-device.sh, stage `select`;
 * bundled by bench/model/bundle.sh). On one checkpoint, teacher-forced on a seeded random prompt and
 * continuation, it asserts:
 *
 *  1. budget = context: oracle, CIS and StreamingLLM keep every position, and the logits of every
 *     step equal the dense engine's bit for bit (same kernels, same summation order);
 *  2. check mode is passive: a run with check mode on every step gives the same logits, bit for
 *     bit, as the same run without it;
 *  3. at a sparse budget, for every recorded (step, layer, sequence, query head): the kept count is
 *     min(B, N); the float64 gap ‖o − ô‖₂ is at most 2δ·max‖v‖₂ (plus float64 rounding); the
 *     engine's gap, from its fp32 launches, is at most that bound widened by the fp32 slack of
 *     theory/model.md (engineGapBound); the certified δ̂ of the kept list (computed on the GPU from
 *     page summaries of the cache, theory/certified.md) is at least δ, up to the float64 slack of the
 *     recorded δ (certifiedDeltaFloor, theory/model.md), at most 1, and positive when a key is dropped.
 *  4. with --cpu-compare: the kept sets against the CPU policy (src/model/selection/selectorPolicy.ts,
 *     run on the float64 reference engine) on the same tokens, reported (not asserted): the CPU selects per query head in float64, the GPU
 *     per KV head from the group's fp16/fp32 scores, so sets agree exactly only where the group is
 *     one head and no near-tie is reordered by the rounding (theory/model.md).
 *
 * Usage: node cudaSelectionCheck.mjs CHECKPOINT_DIR OUT.json [--label NAME] [--batch B] [--prompt P]
 *        [--steps S] [--budget K] [--dilation R] [--cpu-compare] [--bench] [--digest]
 * --digest prints (and records) per sparse selector a SHA-256 of every checked step's kept lists and
 * one of the plain run's logits, so two processes (e.g. PRHS_SELECTION_KERNELS=old and new) can be
 * compared bit for bit.
 * --dilation sets CIS's radius r (default 1) in every CIS run: a larger r lengthens the candidate
 * sequence, so a moderate budget already takes the tiled set build (theory/model.md).
 * Exit 0 pass, 1 fail, 2 bad input.
 */
import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../../src/io/atomicWrite.js';
import { loadCheckpoint } from '../../src/model/checkpoint.js';
import { certifiedDeltaFloor, exactGapBound } from '../../src/model/engines/cudaCheck.js';
import type { CudaCheckStep } from '../../src/model/engines/cudaCheck.js';
import { createCudaEngine, type CudaEngine } from '../../src/model/engines/cudaEngine.js';
import { createReferenceEngine } from '../../src/model/engines/referenceEngine.js';
import type { CudaSelection } from '../../src/model/engines/cudaSelection.js';
import type { KeptLists, SelectionRequest } from '../../src/model/decoder.js';
import { SelectorPolicy } from '../../src/model/selection/selectorPolicy.js';
import { createSelector } from '../../src/selectors/registry.js';
import { seededRandom } from '../../src/traces/random.js';

interface Run {
  readonly logits: Float32Array[];
  readonly checks: CudaCheckStep[];
  readonly stats: ReturnType<CudaEngine['lastSelectionStats']>;
}

function option(argv: readonly string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(argv[at + 1]);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name}: expected a positive integer, received ${argv[at + 1]}`);
  return value;
}

function run(
  engine: CudaEngine,
  selection: CudaSelection,
  checkEvery: number,
  prompt: Int32Array,
  promptLength: number,
  forced: Int32Array[],
): Run {
  engine.setSelection(selection);
  engine.setCheck({ everySteps: checkEvery });
  engine.reset();
  const logits = [engine.append(prompt, promptLength)];
  for (const next of forced) logits.push(engine.append(next, 1));
  return { logits, checks: engine.lastCheck(), stats: engine.lastSelectionStats() };
}

/** SHA-256 of every checked step's position and kept lists (lengths and positions). */
function keptDigest(checks: readonly CudaCheckStep[]): string {
  const hash = createHash('sha256');
  for (const step of checks) {
    hash.update(Int32Array.of(step.position, step.keptLists.length));
    for (const list of step.keptLists) {
      hash.update(Int32Array.of(list.length));
      hash.update(list);
    }
  }
  return hash.digest('hex');
}

/** SHA-256 of every step's logits, bit for bit. */
function logitsDigest(logits: readonly Float32Array[]): string {
  const hash = createHash('sha256');
  for (const step of logits) hash.update(step);
  return hash.digest('hex');
}

/** Steps whose logits differ from `base` in any bit. */
function bitDifferences(base: readonly Float32Array[], other: readonly Float32Array[]): number[] {
  const steps: number[] = [];
  base.forEach((logits, s) => {
    const a = new Uint32Array(logits.buffer, logits.byteOffset, logits.length);
    const b = new Uint32Array(other[s]!.buffer, other[s]!.byteOffset, other[s]!.length);
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) steps.push(s);
  });
  return steps;
}

interface BoundSummary {
  headSteps: number;
  keptMismatches: number;
  exactViolations: number;
  engineViolations: number;
  certifiedViolations: number;
  maxDelta: number;
  meanCertifiedDelta: number;
  /** Head-steps whose δ̂ is 1 (sound but uninformative) and whose δ̂ is within 10% of δ. */
  certifiedAtOne: number;
  certifiedWithinTenPercent: number;
  meanDelta: number;
  maxEngineGapOverBound: number;
  maxExactGapOverBound: number;
  maxLogitChange: number;
  firstViolation: unknown;
}

function checkBounds(checks: readonly CudaCheckStep[], budget: number, headDim: number): BoundSummary {
  const s: BoundSummary = {
    headSteps: 0,
    keptMismatches: 0,
    exactViolations: 0,
    engineViolations: 0,
    certifiedViolations: 0,
    maxDelta: 0,
    meanCertifiedDelta: 0,
    certifiedAtOne: 0,
    certifiedWithinTenPercent: 0,
    meanDelta: 0,
    maxEngineGapOverBound: 0,
    maxExactGapOverBound: 0,
    maxLogitChange: 0,
    firstViolation: null,
  };
  let deltaSum = 0,
    certifiedSum = 0;
  for (const step of checks) {
    const length = step.position + 1;
    s.maxLogitChange = Math.max(s.maxLogitChange, step.logitsMaxAbsChange);
    for (const h of step.heads) {
      s.headSteps++;
      deltaSum += h.delta;
      s.maxDelta = Math.max(s.maxDelta, h.delta);
      const exactLimit = exactGapBound(h.delta, h.maxValueNorm, length, headDim);
      const keptOk = h.kept === Math.min(budget, length);
      const exactOk = h.exactGap <= exactLimit;
      const engineOk = h.outputGap <= h.engineBound;
      const certifiedFloor = certifiedDeltaFloor({ ...h, length, headDim });
      const dropsAKey = h.kept < length;
      const certifiedOk =
        Number.isFinite(h.certifiedDelta) &&
        h.certifiedDelta >= certifiedFloor &&
        h.certifiedDelta <= 1 &&
        (dropsAKey ? h.certifiedDelta > 0 : h.certifiedDelta >= 0);
      certifiedSum += h.certifiedDelta;
      if (h.certifiedDelta === 1) s.certifiedAtOne++;
      if (h.certifiedDelta <= 1.1 * h.delta) s.certifiedWithinTenPercent++;
      if (!keptOk) s.keptMismatches++;
      if (!exactOk) s.exactViolations++;
      if (!engineOk) s.engineViolations++;
      if (!certifiedOk) s.certifiedViolations++;
      if ((!keptOk || !exactOk || !engineOk || !certifiedOk) && s.firstViolation === null)
        s.firstViolation = { position: step.position, ...h, exactLimit, certifiedFloor };
      if (h.engineBound > 0) s.maxEngineGapOverBound = Math.max(s.maxEngineGapOverBound, h.outputGap / h.engineBound);
      if (exactLimit > 0) s.maxExactGapOverBound = Math.max(s.maxExactGapOverBound, h.exactGap / exactLimit);
    }
  }
  s.meanDelta = s.headSteps === 0 ? 0 : deltaSum / s.headSteps;
  s.meanCertifiedDelta = s.headSteps === 0 ? 0 : certifiedSum / s.headSteps;
  return s;
}

/** The kept sets of the CPU policy (on the float64 reference engine: no native addon needed) under the same selector on the same tokens: key `${position}/${layer}/${sequence}/${queryHead}`. */
function cpuKeptSets(
  checkpoint: ReturnType<typeof loadCheckpoint>,
  name: string,
  budget: number,
  batch: number,
  capacity: number,
  prompt: Int32Array,
  promptLength: number,
  forced: Int32Array[],
): Map<string, number[]> {
  const c = checkpoint.config;
  const engine = createReferenceEngine(checkpoint, { batch, capacity });
  const inner = new SelectorPolicy({
    config: c,
    createSelector: () => createSelector(name, budget),
    sequences: batch,
    capacity,
    decodeFrom: promptLength,
  });
  const sets = new Map<string, number[]>();
  engine.setSelectionPolicy({
    select(request: SelectionRequest): KeptLists | null {
      const kept = inner.select(request);
      if (kept) {
        for (let h = 0; h < c.queryHeads; h++) {
          const list = Array.from(kept.indices.subarray(h * kept.selected, (h + 1) * kept.selected)).filter(
            (i) => i >= 0,
          );
          sets.set(`${request.position}/${request.layer}/${request.sequence}/${h}`, list);
        }
      }
      return kept;
    },
  });
  engine.append(prompt, promptLength);
  for (const next of forced) engine.append(next, 1);
  engine.dispose();
  return sets;
}

function compareKept(
  gpu: readonly CudaCheckStep[],
  cpu: Map<string, number[]>,
  shape: { layers: number; batch: number; queryHeads: number; kvHeads: number },
) {
  let compared = 0,
    identical = 0,
    jaccardSum = 0;
  const group = shape.queryHeads / shape.kvHeads;
  for (const step of gpu) {
    for (let layer = 0; layer < shape.layers; layer++) {
      for (let b = 0; b < shape.batch; b++) {
        for (let h = 0; h < shape.queryHeads; h++) {
          const theirs = cpu.get(`${step.position}/${layer}/${b}/${h}`);
          if (!theirs) continue;
          const ours = step.keptLists[(layer * shape.batch + b) * shape.kvHeads + Math.floor(h / group)]!;
          const mine = new Set(ours);
          const common = theirs.filter((p) => mine.has(p)).length;
          compared++;
          if (common === theirs.length && common === mine.size) identical++;
          jaccardSum += common / (theirs.length + mine.size - common);
        }
      }
    }
  }
  return {
    compared,
    identical,
    identicalShare: compared ? identical / compared : 0,
    meanJaccard: compared ? jaccardSum / compared : 0,
  };
}

function main(argv: readonly string[]): number {
  const valued = new Set(['--label', '--batch', '--prompt', '--steps', '--budget', '--dilation']);
  const positional = argv.filter((a, i) => !a.startsWith('--') && !valued.has(argv[i - 1]!));
  if (positional.length !== 2) {
    console.error(
      'usage: cudaSelectionCheck CHECKPOINT_DIR OUT.json [--label NAME] [--batch B] [--prompt P] [--steps S] [--budget K] [--dilation R] [--cpu-compare] [--bench]',
    );
    return 2;
  }
  const [directory, outPath] = positional as [string, string];
  const label = argv.includes('--label') ? argv[argv.indexOf('--label') + 1]! : directory;
  const batch = option(argv, '--batch', 2);
  const promptLength = option(argv, '--prompt', 48);
  const steps = option(argv, '--steps', 32);
  const budget = option(argv, '--budget', 16);
  const dilation = argv.includes('--dilation') ? option(argv, '--dilation', 1) : 1;
  if (dilation !== 1 && argv.includes('--cpu-compare')) {
    console.error('--dilation: the CPU comparison runs cis.ts with its default radius 1; give one or the other');
    return 2;
  }
  const checkpoint = loadCheckpoint(directory);
  const c = checkpoint.config;
  const capacity = promptLength + steps + 1;
  const random = seededRandom(20261206);
  const prompt = Int32Array.from({ length: batch * promptLength }, () => random.integer(c.vocabSize));
  const forced = Array.from({ length: steps }, () =>
    Int32Array.from({ length: batch }, () => random.integer(c.vocabSize)),
  );
  const engine = createCudaEngine(checkpoint, { batch, capacity });
  const dense = run(engine, { kind: 'dense' }, 0, prompt, promptLength, forced);

  const full: CudaSelection[] = [
    { kind: 'oracle', budget: capacity },
    { kind: 'cis', budget: capacity, dilation },
    { kind: 'streaming', sinks: 4, window: capacity - 4 },
  ];
  const fullBudget = full.map((selection) => {
    const r = run(engine, selection, 0, prompt, promptLength, forced);
    const differing = bitDifferences(dense.logits, r.logits);
    return {
      selection,
      differingSteps: differing,
      pass: differing.length === 0,
      meanKept: r.stats.meanKept,
      retrievalRate: r.stats.retrievalRate,
    };
  });

  const sparse: [CudaSelection, string, number][] = [
    [{ kind: 'oracle', budget }, 'oracle', budget],
    [{ kind: 'cis', budget, dilation }, 'cis', budget],
    [{ kind: 'streaming', sinks: 4, window: budget - 4 }, 'streamingllm', budget],
  ];
  const shape = { layers: c.layers, batch, queryHeads: c.queryHeads, kvHeads: c.kvHeads };
  const sparseRuns = sparse.map(([selection, cpuName, b]) => {
    const plain = run(engine, selection, 0, prompt, promptLength, forced);
    const checked = run(engine, selection, 1, prompt, promptLength, forced);
    const passiveDifferences = bitDifferences(plain.logits, checked.logits);
    const bounds = checkBounds(checked.checks, b, c.headDim);
    const cpu = argv.includes('--cpu-compare')
      ? compareKept(
          checked.checks,
          cpuKeptSets(checkpoint, cpuName, b, batch, capacity, prompt, promptLength, forced),
          shape,
        )
      : null;
    const pass =
      passiveDifferences.length === 0 &&
      bounds.keptMismatches === 0 &&
      bounds.exactViolations === 0 &&
      bounds.engineViolations === 0 &&
      bounds.certifiedViolations === 0 &&
      checked.checks.length === steps;
    return {
      selection,
      budget: b,
      checkedSteps: checked.checks.length,
      passiveDifferences,
      bounds,
      stats: { meanKept: plain.stats.meanKept, retrievalRate: plain.stats.retrievalRate, perLayer: plain.stats.layers },
      cpuKeptSets: cpu,
      digest: argv.includes('--digest')
        ? { kept: keptDigest(checked.checks), logits: logitsDigest(plain.logits) }
        : null,
      pass,
    };
  });

  const bench = argv.includes('--bench') ? benchRows(engine, capacity) : [];
  const pass = fullBudget.every((r) => r.pass) && sparseRuns.every((r) => r.pass);
  const report = {
    schema: 'prhs-cuda-selection-check/1',
    label,
    checkpoint: directory,
    architecture: c.architecture,
    engineDtype: engine.spec.dtype,
    layers: c.layers,
    queryHeads: c.queryHeads,
    kvHeads: c.kvHeads,
    headDim: c.headDim,
    batch,
    promptLength,
    steps,
    budget,
    dilation,
    fullBudget,
    sparse: sparseRuns,
    bench,
    pass,
  };
  engine.dispose();
  checkpoint.close();
  writeFileAtomic(outPath, `${JSON.stringify(report)}\n`);
  console.log(`cuda selection check ${label}: ${pass ? 'PASS' : 'FAIL'}`);
  for (const r of fullBudget)
    console.log(
      `  budget = context, ${r.selection.kind}: ${r.pass ? 'bit for bit' : `differs at steps ${r.differingSteps.slice(0, 8).join(',')}`} (mean kept ${r.meanKept.toFixed(1)})`,
    );
  for (const r of sparseRuns) {
    const b = r.bounds;
    console.log(
      `  ${r.selection.kind} budget ${r.budget}: ${r.pass ? 'pass' : 'FAIL'}; ${b.headSteps} head-steps, mean δ ${b.meanDelta.toPrecision(3)}, max δ ${b.maxDelta.toPrecision(3)}, mean δ̂ ${b.meanCertifiedDelta.toPrecision(3)} (δ̂ ≥ δ ${b.certifiedViolations === 0 ? 'everywhere' : `VIOLATED ${b.certifiedViolations}x`}; δ̂ = 1 on ${b.certifiedAtOne}), engine gap/bound ≤ ${b.maxEngineGapOverBound.toPrecision(3)}, exact gap/bound ≤ ${b.maxExactGapOverBound.toPrecision(3)}, max logit change ${b.maxLogitChange.toPrecision(3)}, retrieval ${(100 * r.stats.retrievalRate).toFixed(1)}%, passive ${r.passiveDifferences.length === 0 ? 'yes' : 'NO'}${r.cpuKeptSets ? `, CPU sets identical ${(100 * r.cpuKeptSets.identicalShare).toFixed(1)}% (Jaccard ${r.cpuKeptSets.meanJaccard.toFixed(3)})` : ''}`,
    );
    if (b.firstViolation) console.log(`    first violation: ${JSON.stringify(b.firstViolation)}`);
    if (r.digest)
      console.log(`  digest ${r.selection.kind} budget ${r.budget}: kept ${r.digest.kept} logits ${r.digest.logits}`);
  }
  for (const row of bench)
    console.log(
      `  bench ${row.selection.kind}: ${row.medianMs.toFixed(3)} ms/step, kept ${row.selectedTokens.toFixed(1)}, retrieval ${(100 * row.retrievalRate).toFixed(1)}%, selection ${row.selectionBytes.toExponential(2)} B`,
    );
  return pass ? 0 : 1;
}

/** benchDecode on this engine, dense and with each selector at 1/8 of the context: the new result fields exercised. */
function benchRows(engine: CudaEngine, capacity: number) {
  const context = capacity - 12;
  const selections: CudaSelection[] = [
    { kind: 'dense' },
    { kind: 'cis', budget: Math.max(8, Math.floor(context / 8)) },
    { kind: 'oracle', budget: Math.max(8, Math.floor(context / 8)) },
  ];
  return selections.map((selection) => {
    engine.setSelection(selection);
    engine.setCheck({ everySteps: 0 });
    return { selection, ...engine.benchDecode({ steps: 8, warmup: 2, context }) };
  });
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`cuda selection check: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 2;
}
