#!/usr/bin/env node
/**
 * The quality side of real attention: held-out bits per byte and long-range retrieval of a trained
 * model (default models/prhs-byte-12m) with every selector in the decode loop, against dense.
 *
 *   node bench/model/real-attention-quality.js [--checkpoint DIR] [--context 4096] [--bpb-files 8]
 *        [--scored 64] [--retrieval-files 8] [--definitions 4] [--seed 1] [--selectors all|dense|a,b]
 *        [--fractions 4,8,16] [--min-distance 3000] [--jobs N] [--branch-groups G]
 *        [--time-limit SECONDS] [--out PATH] [--resume PATH] [--json]
 *
 * Files: the held-out sample (bench/results/model-training-h100-2026-12-06/heldout-sample.tar.gz),
 * in its fixed order, those with at least `context` tokens.
 *   bits per byte: the first `context` tokens of each of the first --bpb-files files (BOS, then
 *     bytes); the last --scored are scored, dense and with each selector at each budget
 *     context/fraction from decodeFrom = context − scored on (theory/real-attention.md).
 *   retrieval: the next --retrieval-files files, each with --definitions random assignments
 *     inserted near its start and one value, one name and one line probe per assignment at the end
 *     of the context (src/model/evaluate/retrievalContext.ts); a probe counts when all 6 greedy
 *     bytes are right. Seeded by --seed and the file's index.
 *
 * Work: an item is one file. Its dense prefix runs once (SharedPrefixDecoder), in a prefix task
 * that writes it to a temporary file; its branches (dense, selector × budget) are cut into
 * --branch-groups groups (default: enough for two tasks per job), each a task that loads the
 * prefix (unless its worker made it) and continues those branches. --jobs N worker processes take
 * ready tasks, a group of the item they already hold first. The numbers do not depend on the
 * split: every run gives the same result bit for bit (test/bench/model/real-attention-quality.test.ts).
 *
 * Nothing is lost on a cut: --out is rewritten atomically after every finished group, with
 * `complete: false` until all items are done, finished items in `bitsPerByte` / `retrieval` and
 * the finished branches of the others in `unfinished`. SIGTERM or SIGINT (e.g. from `timeout`)
 * stops the workers and leaves that file as it was at the last finished group. --resume PATH
 * reads such a result (same settings and checkpoint) and runs only what it lacks (--out defaults
 * to PATH). --time-limit S: no task starts past S seconds, nor one whose expected time (mean of
 * finished tasks of its kind) would end past it. Progress and an estimate of the remaining time
 * go to stderr; --json prints the result on stdout.
 *
 * The result records the checkpoint's config and the sha256 of each of its files.
 * Needs `npm run build` and the CPU addon (`npm run build:native`, or PRHS_NATIVE_ADDON).
 */
import { execFileSync, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, hostname, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../dist/src/io/atomicWrite.js';
import { loadCheckpoint } from '../../dist/src/model/checkpoint.js';
import { selectorNames } from '../../dist/src/selectors/registry.js';
import {
  addTaskResult,
  branchesOf,
  emptyProgress,
  progressFromDocument,
  resultDocument,
  tasksOf,
  workSettings,
} from './real-attention-quality-plan.js';
import { serveTasks } from './real-attention-quality-worker.js';

const sampleInRepository = 'bench/results/model-training-h100-2026-12-06/heldout-sample.tar.gz';

/** The repository root: the nearest folder above this script holding the held-out sample (works bundled too). */
function findRoot() {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, sampleInRepository))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`${sampleInRepository} not found above the script`);
    dir = up;
  }
  return dir;
}

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

const isWorker = process.argv.includes('--worker');
function log(message) {
  process.stderr.write(
    `[quality ${new Date().toISOString().slice(11, 19)}${isWorker ? ` w${process.pid}` : ''}] ${message}\n`,
  );
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

/** The checkpoint folder as the result records it: where, its config.json, each file's sha256. */
function checkpointRecord(root, directory) {
  try {
    loadCheckpoint(directory);
  } catch (error) {
    fail('--checkpoint', `cannot load a checkpoint from ${directory}: ${error.message}`);
  }
  const sha256 = {};
  for (const name of readdirSync(directory).sort()) {
    if (!statSync(join(directory, name)).isFile()) continue;
    sha256[name] = createHash('sha256')
      .update(readFileSync(join(directory, name)))
      .digest('hex');
  }
  const inside = relative(root, directory);
  return {
    path: inside.startsWith('..') || isAbsolute(inside) ? directory : inside,
    config: JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8')),
    sha256,
  };
}

/** The earlier result to resume, checked against these settings and this checkpoint. */
function readResume(path, settings, checkpoint) {
  let document;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail('--resume', `cannot read ${path} (${error.code ?? error.message})`);
  }
  if (document.schema !== 'prhs-real-attention-quality/1' || typeof document.settings !== 'object')
    fail('--resume', `${path} is not a prhs-real-attention-quality/1 result`);
  for (const key of workSettings)
    if (JSON.stringify(document.settings[key]) !== JSON.stringify(settings[key]))
      fail(
        '--resume',
        `${path} has ${key} ${JSON.stringify(document.settings[key])}, these settings ${JSON.stringify(settings[key])}`,
      );
  if (JSON.stringify(document.checkpoint?.sha256) !== JSON.stringify(checkpoint.sha256))
    fail('--resume', `${path} was made with another checkpoint (sha256 differs from ${checkpoint.path})`);
  return document;
}

/** Seconds a task is expected to take: the mean of finished tasks of its kind (null before one). */
function expectedSeconds(durations, task, items) {
  const kind = task.type === 'prefix' ? 'prefix' : `${items[task.itemIndex].kind} group`;
  const list = durations.get(kind) ?? [];
  return list.length ? list.reduce((a, b) => a + b, 0) / list.length : null;
}

/**
 * Runs `tasks` on `jobs` worker processes. A branches task is ready once its item's prefix task
 * finished; a free worker takes a ready group of the item it holds, else any ready group, else a
 * prefix. `onResult(task, result)` gets each finished task. Resolves when no task is left to start
 * and none runs; `stop()` ends it early (workers killed, unfinished tasks dropped).
 */
function runPool({ tasks, items, jobs, message, timeLimit, onResult }) {
  const durations = new Map();
  const pending = [...tasks];
  const prefixDone = new Set();
  const running = new Map();
  const children = [];
  let stopped = false;
  let settle;
  const finished = new Promise((resolvePool, rejectPool) => {
    settle = { resolvePool, rejectPool };
  });
  // Counted from the process start, as the limit of the call it runs in is.
  const elapsed = () => process.uptime();
  const mayStart = (task) => {
    if (timeLimit === null) return true;
    const expected = expectedSeconds(durations, task, items) ?? 0;
    return elapsed() + expected <= timeLimit;
  };
  const nextTask = (held) => {
    const ready = pending.filter((t) => t.type === 'branches' && prefixDone.has(t.itemIndex));
    const choice =
      ready.find((t) => t.itemIndex === held) ?? ready[0] ?? pending.find((t) => t.type === 'prefix') ?? null;
    return choice !== null && mayStart(choice) ? choice : null;
  };
  const remainingSeconds = () => {
    let total = 0;
    for (const t of pending) total += expectedSeconds(durations, t, items) ?? Number.NaN;
    for (const [, { task, since }] of running)
      total += Math.max(0, (expectedSeconds(durations, task, items) ?? Number.NaN) - (Date.now() - since) / 1000);
    return total / jobs;
  };
  const stop = () => {
    stopped = true;
    for (const child of children) child.kill('SIGKILL');
  };
  const abort = (error) => {
    stop();
    settle.rejectPool(error);
  };
  const feed = (worker) => {
    if (stopped) return;
    const task = nextTask(worker.held);
    if (task === null) {
      worker.idle = true;
      if (!stopped && running.size === 0 && workers.every((w) => w.idle)) {
        stopped = true;
        for (const w of workers) w.child.send({ stop: true });
        settle.resolvePool({ left: pending.length });
      }
      return;
    }
    worker.idle = false;
    pending.splice(pending.indexOf(task), 1);
    running.set(worker.child.pid, { task, since: Date.now() });
    worker.child.send({ ...message(task), task });
  };
  const workers = [];
  const launch = () => {
    const child = fork(fileURLToPath(import.meta.url), ['--worker'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker = { child, held: null, idle: false };
    children.push(child);
    workers.push(worker);
    child.on('message', (reply) => {
      const { task } = running.get(child.pid);
      running.delete(child.pid);
      if (reply.error) return abort(new Error(reply.error));
      const kind = task.type === 'prefix' ? 'prefix' : `${items[task.itemIndex].kind} group`;
      durations.set(kind, [...(durations.get(kind) ?? []), reply.result.seconds]);
      if (task.type === 'prefix') prefixDone.add(task.itemIndex);
      worker.held = task.itemIndex;
      onResult(task, reply.result);
      const eta = remainingSeconds();
      log(
        `done ${task.type === 'prefix' ? 'prefix' : `${task.branches.length} branches`} of ${items[task.itemIndex].kind} ${items[task.itemIndex].file} in ${reply.result.seconds.toFixed(0)} s (${reply.result.cpuSeconds.toFixed(0)} CPU-s); ` +
          `${tasks.length - pending.length - running.size}/${tasks.length} tasks done, ${elapsed().toFixed(0)} s elapsed` +
          (Number.isFinite(eta) ? `, about ${Math.ceil(eta)} s left` : ''),
      );
      // This worker first (it holds the item's prefix); a finished prefix may make groups ready for idle ones.
      feed(worker);
      for (const w of workers) if (w.idle && w !== worker) feed(w);
    });
    child.on('exit', (code, signal) => {
      if (!stopped && running.has(child.pid)) abort(new Error(`a worker exited (code ${code}, signal ${signal})`));
    });
  };
  for (let j = 0; j < Math.min(jobs, tasks.length); j++) launch();
  if (tasks.length === 0) settle.resolvePool({ left: 0 });
  else for (const w of workers) feed(w);
  return { finished, stop };
}

function machineRecord(settings, wallSeconds, earlier) {
  return {
    hostname: hostname(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    jobs: settings.jobs,
    wallSeconds: wallSeconds + (earlier?.wallSeconds ?? 0),
    calls: (earlier?.calls ?? 0) + 1,
    date: new Date().toISOString(),
  };
}

function runOptions(root) {
  const resume = option('resume', null);
  const out = option('out', resume);
  const timeLimit = option('time-limit', null);
  if (timeLimit !== null && !(Number(timeLimit) > 0)) fail('--time-limit', `expected seconds > 0, got ${timeLimit}`);
  const checkpointDir = resolve(option('checkpoint', join(root, 'models/prhs-byte-12m')));
  // 0 (the default): enough groups for two tasks per job, decided once the items are known.
  const groups = integer('branch-groups', 0, 0);
  if (process.argv.includes('--branch-groups') && groups === 0)
    fail('--branch-groups', 'expected an integer ≥ 1, got "0"');
  return { resume, out, timeLimit: timeLimit === null ? null : Number(timeLimit), checkpointDir, groups };
}

async function main() {
  const root = findRoot();
  const settings = settingsFromArguments();
  const { resume, out, timeLimit, checkpointDir, groups: groupsAsked } = runOptions(root);
  const checkpoint = checkpointRecord(root, checkpointDir);
  const earlier = resume === null ? null : readResume(resume, settings, checkpoint);
  const work = mkdtempSync(join(tmpdir(), 'prhs-quality-'));
  const started = Date.now();
  let pool = null;
  const cleanUp = () => rmSync(work, { recursive: true, force: true });
  // Also on process.exit (a refused argument, a signal).
  process.on('exit', cleanUp);
  try {
    execFileSync('tar', ['xzf', join(root, sampleInRepository), '-C', work]);
    const manifest = JSON.parse(readFileSync(join(work, 'sample.json'), 'utf8'));
    const items = itemsOf(settings, manifest);
    const branches = branchesOf(settings);
    let progress;
    try {
      progress = earlier === null ? emptyProgress(items) : progressFromDocument({ document: earlier, items, branches });
    } catch (error) {
      fail('--resume', `${resume}: ${error.message}`);
    }
    const groups = groupsAsked || Math.max(1, Math.ceil((2 * settings.jobs) / items.length));
    const tasks = tasksOf({ progress, branches, groups });
    const header = () => ({
      checkpoint,
      backend: 'cpu',
      settings,
      machine: machineRecord(settings, (Date.now() - started) / 1000, earlier?.machine),
    });
    const document = () => resultDocument({ header: header(), progress, branches });
    const save = () => {
      const text = JSON.stringify(document(), null, 1) + '\n';
      if (out !== null) writeFileAtomic(resolve(out), text);
      return text;
    };
    const onSignal = (signal) => {
      pool?.stop();
      log(`${signal}: workers stopped; ${out ?? 'no --out'} holds every finished group`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    log(
      `${items.length} items, ${branches.length} branches each, ${tasks.length} tasks left (${groups} groups an item), ${settings.jobs} jobs, context ${settings.context}, checkpoint ${checkpoint.path}`,
    );
    const message = (task) => ({
      item: items[task.itemIndex],
      settings: { ...settings, work },
      statePath: join(work, `prefix-${task.itemIndex}.bin`),
      checkpointDir,
    });
    pool = runPool({
      tasks,
      items,
      jobs: settings.jobs,
      message,
      timeLimit,
      onResult: (task, result) => {
        addTaskResult(progress[task.itemIndex], result);
        if (task.type === 'branches') save();
      },
    });
    const { left } = await pool.finished;
    const text = save();
    log(`${left === 0 ? 'complete' : `${left} tasks not started (time limit)`}${out !== null ? `; wrote ${out}` : ''}`);
    if (process.argv.includes('--json')) process.stdout.write(text);
  } finally {
    cleanUp();
  }
}

if (isWorker) serveTasks(log);
else await main();
