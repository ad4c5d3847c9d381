#!/usr/bin/env node
// Benchmarks of the float64 reference and the main job (not timed tests): run `npm run bench`.
//  1. one reference attention step (one head) at N = 65536, d = 128: target < 50 ms;
//  2. `prhs verify` at default runs, end to end in a child process: target < 60 s.
// Prints a table and writes bench/results/reference-<hostname>.json atomically.
import { spawnSync } from 'node:child_process';
import { cpus, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { singleHeadAttention } from '../dist/src/core/index.js';
import { writeFileAtomic } from '../dist/src/io/atomicWrite.js';
import { xorshift32 } from '../dist/src/random/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function seeded(seed) {
  const uniform = xorshift32(seed, 1);
  return () => uniform() - 0.5;
}

function attentionStep(n, d) {
  const random = seeded(12345);
  const K = { data: Float64Array.from({ length: n * d }, random), rows: n, columns: d };
  const V = { data: Float64Array.from({ length: n * d }, random), rows: n, columns: d };
  const q = Float64Array.from({ length: d }, random);
  for (let i = 0; i < 3; i++) singleHeadAttention(q, K, V); // warm-up (JIT)
  const times = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    singleHeadAttention(q, K, V);
    times.push(performance.now() - t0);
  }
  return { n, d, medianMs: median(times), minMs: Math.min(...times), repeats: times.length };
}

function verifyRun() {
  const t0 = performance.now();
  const child = spawnSync(
    process.execPath,
    [join(root, 'bin/prhs.js'), 'verify', '--json', '--no-store', '--report', join(root, 'reports/bench-verify.json')],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const wallMs = performance.now() - t0;
  let claims = null;
  try {
    claims = JSON.parse(child.stdout).claims.length;
  } catch {
    claims = null;
  }
  return { wallMs, exitCode: child.status, claims };
}

const step = attentionStep(65536, 128);
const verify = verifyRun();
const result = {
  machine: { hostname: hostname(), cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
  createdAt: new Date().toISOString(),
  referenceAttentionStep: { ...step, targetMs: 50, pass: step.medianMs < 50 },
  verify: { ...verify, targetMs: 60000, pass: verify.wallMs < 60000 },
};
writeFileAtomic(join(root, 'bench/results', `reference-${hostname()}.json`), JSON.stringify(result, null, 2) + '\n');
console.log('benchmark                                   measured      target   ok');
console.log(
  `reference attention step N=65536 d=128      ${step.medianMs.toFixed(1).padStart(8)} ms   < 50 ms  ${result.referenceAttentionStep.pass ? 'yes' : 'NO'}`,
);
console.log(
  `prhs verify (default runs, ${verify.claims ?? '?'} claims)      ${(verify.wallMs / 1000).toFixed(1).padStart(8)} s    < 60 s   ${result.verify.pass ? 'yes' : 'NO'} (exit ${verify.exitCode})`,
);
console.log(`machine: ${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}`);
