#!/usr/bin/env node
// Speed of seeded random checkpoints (a benchmark, not a timed test):
//   npm run build && node bench/model/random-checkpoint.mjs [--dtype bf16|fp16|fp32] [--out DIR]
// A LLaMA-shaped model of about 100M values is generated twice: the generator alone (every
// tensor's chunks made and dropped), then a full writeRandomCheckpoint to a folder (generator,
// safetensors writes, fsync, rename). Prints values per second and GB/s of each and the load
// average, which skews both on a shared machine.
import { rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  quantileTable,
  randomChunks,
  tensorSeed,
  writeRandomCheckpoint,
} from '../../dist/src/model/randomCheckpoint.js';
import { elementCount, expectedTensors, isNormWeight } from '../../dist/src/model/tensorNames.js';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const dtype = option('dtype', 'bf16');
const out = option('out', join(tmpdir(), `prhs-random-checkpoint-bench-${process.pid}`));
const config = {
  architecture: 'LlamaForCausalLM',
  vocabSize: 16000,
  hiddenSize: 768,
  intermediateSize: 2048,
  layers: 10,
  queryHeads: 12,
  kvHeads: 12,
  headDim: 64,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  ropeScaling: { type: 'none' },
  maxPositionEmbeddings: 2048,
  tieWordEmbeddings: false,
  qkvBias: false,
  outputBias: false,
  dtype,
  bosTokenId: 1,
  eosTokenId: 2,
};
const shapes = expectedTensors(config);
let values = 0;
for (const shape of shapes.values()) values += elementCount(shape);
const bytes = values * (dtype === 'fp32' ? 4 : 2);

// Wall time and this process's CPU time (user + system): on a loaded machine the second says what one core does.
function report(label, started, cpuStarted) {
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `${label.padEnd(16)} wall ${seconds.toFixed(2).padStart(6)} s  ${(values / seconds / 1e6).toFixed(0).padStart(5)} M values/s  ${(bytes / seconds / 1e9).toFixed(2)} GB/s | cpu ${cpuSeconds.toFixed(2)} s  ${(values / cpuSeconds / 1e6).toFixed(0)} M values per cpu-second`,
  );
}

console.log(
  `random checkpoint: ${(values / 1e6).toFixed(1)}M values, ${dtype}, ${(bytes / 1e6).toFixed(0)} MB, to ${out}`,
);
console.log(
  `load average before: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);

let start = performance.now();
let cpuStart = process.cpuUsage();
const table = quantileTable(dtype, 0.02);
let checksum = 0;
for (const [name, shape] of shapes) {
  if (isNormWeight(name)) continue;
  for (const chunk of randomChunks(table, elementCount(shape), tensorSeed(1, name))) checksum ^= chunk[0];
}
report('generator only', start, cpuStart);

start = performance.now();
cpuStart = process.cpuUsage();
try {
  writeRandomCheckpoint({ directory: out, config, seed: 1 });
  report('written to disk', start, cpuStart);
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.log(
  `load average after: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} (checksum ${checksum})`,
);
