/**
 * One worker process of bench/model/real-attention-quality.js: runs tasks sent by the parent.
 * A prefix task runs an item's dense prefix and writes it (SharedPrefixDecoder.exportPrefix) to a
 * file; a branches task loads that file, unless this worker already holds the item's prefix, and
 * continues the given branches from it. A branch's numbers do not depend on which worker runs it
 * or after what (test/model/evaluate/sharedPrefixDecoder.test.ts), so any split gives the same
 * result bit for bit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadNativeAddon } from '../../dist/src/backends/nativeAddon.js';
import { requireBackend } from '../../dist/src/backends/registry.js';
import { writeFileAtomic } from '../../dist/src/io/atomicWrite.js';
import { loadCheckpoint } from '../../dist/src/model/checkpoint.js';
import { cachedWeights } from '../../dist/src/model/engines/cachedWeights.js';
import { decodePrefixState, encodePrefixState } from '../../dist/src/model/evaluate/prefixState.js';
import { retrievalContext } from '../../dist/src/model/evaluate/retrievalContext.js';
import { SharedPrefixDecoder, sharedPositions } from '../../dist/src/model/evaluate/sharedPrefixDecoder.js';
import { cpuFloat32Kernels } from '../../dist/src/model/numerics/cpuFloat32Kernels.js';
import { Float32Numerics } from '../../dist/src/model/numerics/float32Numerics.js';
import { createSelector } from '../../dist/src/selectors/registry.js';
import { branchesOf } from './real-attention-quality-plan.js';

function createDecoder(checkpointDir, context) {
  const checkpoint = loadCheckpoint(checkpointDir);
  const load = loadNativeAddon('native', 'prhs_native.node', 'PRHS_NATIVE_ADDON');
  if (!load.ok) throw new Error(`the CPU engine needs the native addon: ${load.reason}`);
  const weights = cachedWeights((name) => checkpoint.readFloat32(name));
  const numerics = new Float32Numerics(
    checkpoint.config,
    weights,
    cpuFloat32Kernels(load.addon, requireBackend('cpu')),
    1,
    context,
  );
  return new SharedPrefixDecoder(numerics, context);
}

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** What one branch lost and kept: mean δ, mean 2δ·max‖v‖ (theory's per-head output bound), actual budget, re-scored share. */
function branchStats(result, config) {
  const { delta, deltaLayer, keptSize, retrieved, maxValueNorm } = result;
  const group = config.queryHeads / config.kvHeads;
  // δ index i is head i mod Hq of layer deltaLayer[i] (SelectorPolicy's recording order).
  const bound =
    maxValueNorm === null
      ? []
      : delta.map((d, i) => 2 * d * maxValueNorm[deltaLayer[i]][Math.floor((i % config.queryHeads) / group)]);
  return {
    headSteps: delta.length,
    meanDelta: mean(delta),
    meanOutputBound: mean(bound),
    meanKept: mean(keptSize),
    rescoredShare: mean(retrieved),
  };
}

/** An item's token sequences: the bpb sequence, or the retrieval task (every probe's sequence). */
function itemInput(item, settings, config) {
  const bytes = readFileSync(join(settings.work, item.file));
  if (item.kind === 'bpb') {
    const tokens = Int32Array.from([config.bosTokenId, ...bytes.subarray(0, settings.context - 1)]);
    const decodeFrom = settings.context - settings.scored;
    return { tokens, decodeFrom, prefix: tokens.subarray(0, sharedPositions(decodeFrom)) };
  }
  const task = retrievalContext({
    bytes,
    bos: config.bosTokenId,
    context: settings.context,
    definitions: settings.definitions,
    seed: settings.seed * 1000 + item.index,
    minDistance: settings.minDistance,
  });
  return { task, prefix: task.probes[0].tokens.subarray(0, task.shared) };
}

const create = (b) => (b.selector === 'dense' ? null : () => createSelector(b.selector, b.budget));

/** The rows of the given branches of a bits-per-byte item, with the item's facts. */
function runBitsPerByte({ input, settings, decoder, indices }) {
  const branches = branchesOf(settings);
  const { tokens, decodeFrom } = input;
  const rows = indices.map((b) => {
    const result = decoder.run({ tokens, decodeFrom, createSelector: create(branches[b]) });
    const bitsPerByte = mean(Array.from(result.losses)) / Math.LN2;
    return [b, { ...branches[b], bitsPerByte, ...branchStats(result, decoder.config) }];
  });
  return { facts: { context: settings.context, decodeFrom, scored: settings.scored }, branches: rows };
}

/** Per branch, the outcome of every probe of a retrieval item, with the item's facts. */
function runRetrieval({ input, settings, decoder, indices, log, item }) {
  const branches = branchesOf(settings);
  const { task } = input;
  const perBranch = new Map(indices.map((b) => [b, []]));
  task.probes.forEach((probe, p) => {
    const answer = Array.from(probe.answer, (c) => c.charCodeAt(0));
    for (const b of indices) {
      const result = decoder.run({
        tokens: probe.tokens,
        decodeFrom: probe.answerFrom,
        createSelector: create(branches[b]),
      });
      const right = answer.filter((c, i) => result.greedy[i] === c).length;
      const { selector, fraction, budget } = branches[b];
      const outcome = { selector, fraction, budget, correct: right === answer.length, bytesRight: right };
      perBranch.get(b)[p] = { ...outcome, meanDelta: mean(result.delta) };
    }
    if (indices[0] === 0) {
      const dense = perBranch.get(0)[p];
      log(
        `${item.file}: ${probe.kind} probe ${probe.answer} (distance ${probe.distance}): dense ${dense.correct ? 'right' : 'wrong'} (${dense.bytesRight}/6)`,
      );
    }
  });
  const probes = task.probes.map((p) => ({
    kind: p.kind,
    definition: p.definition,
    answer: p.answer,
    distance: p.distance,
  }));
  const facts = { context: settings.context, shared: task.shared, definitionsAt: task.definitionsAt, probes };
  return { facts, branches: [...perBranch] };
}

/** Runs one task; `held` is the item whose dense prefix this worker's decoder holds. */
function runTask({ task, item, settings, statePath, decoder, held, log }) {
  const input = itemInput(item, settings, decoder.config);
  if (task.type === 'prefix') {
    decoder.prefill(input.prefix);
    const started = Date.now();
    writeFileAtomic(statePath, encodePrefixState(decoder.exportPrefix()));
    log(
      `${item.file}: wrote its prefix (${input.prefix.length} tokens) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return {};
  }
  if (held !== statePath) {
    const started = Date.now();
    decoder.importPrefix(decodePrefixState(readFileSync(statePath)));
    log(`${item.file}: loaded its prefix in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const run = item.kind === 'bpb' ? runBitsPerByte : runRetrieval;
  return run({ input, settings, decoder, indices: task.branches, log, item });
}

/** The worker's message loop: one task at a time, each answered with its result or an error. */
export function serveTasks(log) {
  let decoder = null;
  let held = null;
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message) => {
    if (message.stop) process.exit(0);
    const { task, item, settings, statePath, checkpointDir } = message;
    const started = Date.now();
    const cpuStarted = process.cpuUsage();
    try {
      decoder ??= createDecoder(checkpointDir, settings.context);
      const result = runTask({ task, item, settings, statePath, decoder, held, log });
      held = statePath;
      const used = process.cpuUsage(cpuStarted);
      const timing = { seconds: (Date.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
      process.send({ taskId: task.id, result: { ...result, ...timing } });
    } catch (error) {
      held = null;
      process.send({ taskId: task.id, error: `${item.file}: ${error.stack ?? error}` });
    }
  });
}
