#!/usr/bin/env node
/**
 * The quality side of real attention: held-out bits per byte and long-range retrieval of the
 * trained model (models/prhs-byte-12m) with every selector in the decode loop, against dense.
 *
 *   node bench/model/real-attention-quality.js [--context 4096] [--bpb-files 8] [--scored 64]
 *        [--retrieval-files 8] [--definitions 4] [--seed 1] [--selectors all|dense|a,b]
 *        [--fractions 4,8,16] [--min-distance 3000] [--jobs N] [--json] [--out PATH]
 *
 * Files: the held-out sample (bench/results/model-training-h100-2026-12-06/heldout-sample.tar.gz),
 * in its fixed order, those with at least `context` tokens.
 *   bits per byte: the first `context` tokens of each of the first --bpb-files files (BOS, then
 *     bytes); the last --scored are scored, dense and with each selector at each budget
 *     context/fraction from decodeFrom = context − scored on (theory/real-attention.md).
 *   retrieval: the next --retrieval-files files, each with --definitions random assignments
 *     inserted near its start and one value and one name probe per assignment at the end of the
 *     context (src/model/evaluate/retrievalContext.ts); a probe counts when all 6 greedy bytes are
 *     right. Seeded by --seed and the file's index.
 * One work item is one file: its dense prefix runs once (SharedPrefixDecoder) and every branch
 * (dense, selector × budget) continues from it. --jobs N runs items in N worker processes.
 * Progress goes to stderr; --json prints the result JSON on stdout; --out writes it atomically.
 * Needs `npm run build` and the CPU addon (`npm run build:native`, or PRHS_NATIVE_ADDON).
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNativeAddon } from '../../dist/src/backends/nativeAddon.js';
import { requireBackend } from '../../dist/src/backends/registry.js';
import { writeFileAtomic } from '../../dist/src/io/atomicWrite.js';
import { loadCheckpoint } from '../../dist/src/model/checkpoint.js';
import { cachedWeights } from '../../dist/src/model/engines/cachedWeights.js';
import { retrievalContext } from '../../dist/src/model/evaluate/retrievalContext.js';
import { SharedPrefixDecoder } from '../../dist/src/model/evaluate/sharedPrefixDecoder.js';
import { cpuFloat32Kernels } from '../../dist/src/model/numerics/cpuFloat32Kernels.js';
import { Float32Numerics } from '../../dist/src/model/numerics/float32Numerics.js';
import { createSelector, selectorNames } from '../../dist/src/selectors/registry.js';

/** The repository root: the nearest folder above this script holding the model (works bundled too). */
function findRoot() {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'models/prhs-byte-12m/config.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('models/prhs-byte-12m not found above the script');
    dir = up;
  }
  return dir;
}
const root = findRoot();
const sample = join(root, 'bench/results/model-training-h100-2026-12-06/heldout-sample.tar.gz');
const checkpointDir = join(root, 'models/prhs-byte-12m');

function fail(argument, message) {
  process.stderr.write(`real-attention-quality: ${argument}: ${message}\n`);
  process.exit(2);
}

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) fail(`--${name}`, 'needs a value');
  return value;
}

function integer(name, fallback, least) {
  const raw = option(name, String(fallback));
  const value = Number(raw);
  if (!Number.isInteger(value) || value < least)
    fail(`--${name}`, `expected an integer ≥ ${least}, got ${JSON.stringify(raw)}`);
  return value;
}

function log(message) {
  process.stderr.write(
    `[quality ${new Date().toISOString().slice(11, 19)}${process.argv.includes('--worker') ? ` w${process.pid}` : ''}] ${message}\n`,
  );
}

/** dense first, then every selector at every budget (the branches of one item). */
function branchesOf(settings) {
  const branches = [{ selector: 'dense', fraction: null, budget: null }];
  for (const fraction of settings.fractions) {
    for (const selector of settings.selectors)
      branches.push({ selector, fraction, budget: Math.floor(settings.context / fraction) });
  }
  return branches;
}

function createDecoder(context) {
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

function runItem(item, settings, decoder) {
  const config = decoder.config;
  const branches = branchesOf(settings);
  const create = (b) => (b.selector === 'dense' ? null : () => createSelector(b.selector, b.budget));
  const bytes = readFileSync(join(settings.work, item.file));
  const started = Date.now();
  const cpuStarted = process.cpuUsage();
  const cpuSeconds = () => {
    const used = process.cpuUsage(cpuStarted);
    return (used.user + used.system) / 1e6;
  };
  if (item.kind === 'bpb') {
    const tokens = Int32Array.from([config.bosTokenId, ...bytes.subarray(0, settings.context - 1)]);
    const decodeFrom = settings.context - settings.scored;
    const rows = branches.map((b, i) => {
      const result = decoder.run({ tokens, decodeFrom, createSelector: create(b) });
      if (i === 0)
        log(`${item.file}: dense prefix and dense branch in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      return { ...b, bitsPerByte: mean(Array.from(result.losses)) / Math.LN2, ...branchStats(result, config) };
    });
    return {
      kind: 'bpb',
      file: item.file,
      context: settings.context,
      decodeFrom,
      scored: settings.scored,
      seconds: (Date.now() - started) / 1000,
      cpuSeconds: cpuSeconds(),
      rows,
    };
  }
  const task = retrievalContext({
    bytes,
    bos: config.bosTokenId,
    context: settings.context,
    definitions: settings.definitions,
    seed: settings.seed * 1000 + item.index,
    minDistance: settings.minDistance,
  });
  const probes = task.probes.map((probe) => {
    const answer = Array.from(probe.answer, (c) => c.charCodeAt(0));
    const outcomes = branches.map((b) => {
      const result = decoder.run({ tokens: probe.tokens, decodeFrom: probe.answerFrom, createSelector: create(b) });
      const right = answer.filter((c, i) => result.greedy[i] === c).length;
      return {
        selector: b.selector,
        fraction: b.fraction,
        budget: b.budget,
        correct: right === answer.length,
        bytesRight: right,
        meanDelta: mean(result.delta),
      };
    });
    log(
      `${item.file}: ${probe.kind} probe ${probe.answer} (distance ${probe.distance}): dense ${outcomes[0].correct ? 'right' : 'wrong'} (${outcomes[0].bytesRight}/6)`,
    );
    return { kind: probe.kind, definition: probe.definition, answer: probe.answer, distance: probe.distance, outcomes };
  });
  return {
    kind: 'retrieval',
    file: item.file,
    context: settings.context,
    shared: task.shared,
    definitionsAt: task.definitionsAt,
    seconds: (Date.now() - started) / 1000,
    cpuSeconds: cpuSeconds(),
    probes,
  };
}

async function worker() {
  let decoder = null;
  process.on('message', (message) => {
    if (message.stop) process.exit(0);
    decoder ??= createDecoder(message.settings.context);
    try {
      process.send({ result: runItem(message.item, message.settings, decoder) });
    } catch (error) {
      process.send({ error: `${message.item.file}: ${error.stack ?? error}` });
    }
  });
}

function settingsFromArguments() {
  const context = integer('context', 4096, 64);
  const fractions = option('fractions', '4,8,16').split(',').map(Number);
  if (fractions.some((f) => !Number.isInteger(f) || f < 2 || context / f < 1))
    fail('--fractions', `expected integers ≥ 2 dividing into ${context}, got ${option('fractions', '')}`);
  const selectorList = option('selectors', 'all');
  const selectors =
    selectorList === 'all' ? [...selectorNames] : selectorList === 'dense' ? [] : selectorList.split(',');
  for (const s of selectors)
    if (!selectorNames.includes(s))
      fail(
        '--selectors',
        `unknown selector ${JSON.stringify(s)} (one of ${selectorNames.join(', ')}, or all, or dense)`,
      );
  const scored = integer('scored', 64, 2);
  if (scored >= context - 4) fail('--scored', `expected fewer than ${context - 4} (context − 4)`);
  return {
    context,
    fractions,
    selectors,
    scored,
    definitions: integer('definitions', 4, 1),
    seed: integer('seed', 1, 0),
    minDistance: integer('min-distance', 3000, 1),
    bpbFiles: integer('bpb-files', 8, 0),
    retrievalFiles: integer('retrieval-files', 8, 0),
    jobs: integer('jobs', 1, 1),
  };
}

/** bits-per-byte items on the first files, retrieval items on the next ones (no file does both). */
function itemsOf(settings, manifest) {
  const long = manifest.files.filter((f) => f.bytes + 1 >= settings.context);
  if (long.length < settings.bpbFiles + settings.retrievalFiles)
    fail(
      '--bpb-files',
      `the sample has ${long.length} files of at least ${settings.context - 1} bytes; ${settings.bpbFiles} + ${settings.retrievalFiles} asked`,
    );
  const bpb = long.slice(0, settings.bpbFiles).map((f) => ({ kind: 'bpb', file: f.name, sha256: f.sha256 }));
  const retrieval = long
    .slice(settings.bpbFiles, settings.bpbFiles + settings.retrievalFiles)
    .map((f, index) => ({ kind: 'retrieval', file: f.name, sha256: f.sha256, index }));
  // Retrieval items are the longest: start them first.
  return [...retrieval, ...bpb];
}

function runPool(items, settings) {
  return new Promise((resolvePool, rejectPool) => {
    const results = [];
    const children = [];
    const reject = (error) => {
      for (const child of children) child.kill();
      rejectPool(error);
    };
    let next = 0;
    let running = 0;
    const launch = () => {
      const child = fork(fileURLToPath(import.meta.url), ['--worker'], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      const feed = () => {
        if (next >= items.length) {
          child.send({ stop: true });
          return;
        }
        const item = items[next++];
        log(`start ${item.kind} ${item.file} (${next}/${items.length})`);
        child.send({ item, settings });
      };
      child.on('message', (message) => {
        if (message.error) return reject(new Error(message.error));
        results.push(message.result);
        log(
          `done ${message.result.kind} ${message.result.file} in ${message.result.seconds.toFixed(0)} s (${results.length}/${items.length})`,
        );
        feed();
      });
      child.on('exit', (code) => {
        running--;
        if (code !== 0 && code !== null) reject(new Error(`a worker exited with code ${code}`));
        else if (running === 0) resolvePool(results);
      });
      running++;
      feed();
    };
    for (let j = 0; j < Math.min(settings.jobs, items.length); j++) launch();
    if (items.length === 0) resolvePool(results);
  });
}

async function main() {
  const settings = settingsFromArguments();
  const out = option('out', null);
  const work = mkdtempSync(join(tmpdir(), 'prhs-quality-'));
  try {
    execFileSync('tar', ['xzf', sample, '-C', work]);
    const manifest = JSON.parse(readFileSync(join(work, 'sample.json'), 'utf8'));
    const items = itemsOf(settings, manifest);
    const started = Date.now();
    log(
      `${items.length} items, ${branchesOf(settings).length} branches each, ${settings.jobs} jobs, context ${settings.context}`,
    );
    const results = await runPool(items, { ...settings, work });
    const order = (r) => items.findIndex((i) => i.file === r.file);
    results.sort((a, b) => order(a) - order(b));
    const report = {
      schema: 'prhs-real-attention-quality/1',
      checkpoint: 'models/prhs-byte-12m',
      backend: 'cpu',
      settings,
      machine: {
        hostname: hostname(),
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        node: process.version,
        jobs: settings.jobs,
        wallSeconds: (Date.now() - started) / 1000,
        date: new Date().toISOString(),
      },
      bitsPerByte: results.filter((r) => r.kind === 'bpb'),
      retrieval: results.filter((r) => r.kind === 'retrieval'),
    };
    const text = JSON.stringify(report, null, 1) + '\n';
    if (out !== null) {
      writeFileAtomic(resolve(out), text);
      log(`wrote ${out}`);
    }
    if (process.argv.includes('--json')) process.stdout.write(text);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv.includes('--worker')) await worker();
else await main();
