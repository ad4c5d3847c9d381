// Times `prhs check-output` on one large dense decode case (default B = 16, 32 query heads over 8 KV
// heads, N = 32768, d = dv = 128, fp16 storage: 2 GiB of keys and values). Generates the file once
// (keys and values from a fixed table of rounded normals, out = the float64 reference rounded to
// fp32, so the check passes), then runs the CLI in a child process and reports wall seconds.
// npm run build first. Options: --batch --heads --kv-heads --tokens --dim --dtype fp16|bf16|fp32
// --file PATH (kept, and reused when it exists; default a temporary file, removed) --runs R
// (default 1) --accumulation fp32 --engines native,typescript (default native: the native addon's
// passes; typescript: `check-output --typescript`, every check in TypeScript) --cli PATH (the CLI
// script the child runs, default bin/prhs.js; e.g. the bundled .device/prhs.mjs on a machine without
// node_modules).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { option } from './cpuBenchOptions.js';
import { referenceDecode } from '../dist/src/backends/reference/float64Kernels.js';
import { decodeStorage, encodeStorage } from '../dist/src/numeric/storage.js';
import { gaussianSource, uniformSource } from '../dist/src/verify/randomInputs.js';

const integer = (name, fallback) => {
  const n = Number(option(name) ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${option(name)}`);
  return n;
};
const batch = integer('batch', 16);
const heads = integer('heads', 32);
const kvHeads = integer('kv-heads', 8);
const tokens = integer('tokens', 32768);
const dim = integer('dim', 128);
const runs = integer('runs', 1);
const dtype = option('dtype') ?? 'fp16';
const accumulation = option('accumulation') ?? 'fp32';
const engines = (option('engines') ?? 'native').split(',');
for (const e of engines)
  if (!['native', 'typescript'].includes(e)) throw new Error(`--engines must list native or typescript, got ${e}`);
if (!['fp32', 'fp16', 'bf16'].includes(dtype)) throw new Error(`--dtype must be fp32, fp16 or bf16, got ${dtype}`);
if (heads % kvHeads !== 0) throw new Error('--heads must be a multiple of --kv-heads');

const typeName = { fp32: 'F32', fp16: 'F16', bf16: 'BF16' }[dtype];
const width = dtype === 'fp32' ? 4 : 2;
const group = heads / kvHeads;

/** A pool of rounded normals, drawn from with a fast PRNG: cheap to generate gigabytes from. */
const normal = gaussianSource(7);
const pool = encodeStorage(
  dtype,
  Array.from({ length: 1 << 16 }, () => normal()),
);
const poolValues = decodeStorage(dtype, pool);
const uniform = uniformSource(11);
function fill(count) {
  const out = new (dtype === 'fp32' ? Float32Array : Uint16Array)(count);
  for (let i = 0; i < count; i++) out[i] = pool[(uniform() * 65536) | 0];
  return out;
}
const bytes = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const cacheElements = tokens * dim;
const sizes = {
  q: batch * heads * dim * width,
  k: batch * kvHeads * cacheElements * width,
  v: batch * kvHeads * cacheElements * width,
  out: batch * heads * dim * 4,
};
let offset = 0;
const header = { __metadata__: { accumulation, sum_block: '256', scale: String(1 / Math.sqrt(dim)) } };
for (const [name, shape] of [
  ['q', [batch, heads, dim]],
  ['k', [batch, kvHeads, tokens, dim]],
  ['v', [batch, kvHeads, tokens, dim]],
  ['out', [batch, heads, dim]],
]) {
  header[name] = { dtype: name === 'out' ? 'F32' : typeName, shape, data_offsets: [offset, offset + sizes[name]] };
  offset += sizes[name];
}
let json = JSON.stringify(header);
json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);

const folder = option('file') ? null : mkdtempSync(join(tmpdir(), 'prhs-bench-check-output-'));
const file = option('file') ?? join(folder, 'case.safetensors');
const started = performance.now();
const reuse = existsSync(file);
if (!reuse) writeCase();

function writeCase() {
  const fd = openSync(file, 'w');
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(json.length), true);
  writeSync(fd, length);
  writeSync(fd, Buffer.from(json, 'utf8'));
  const q = fill(batch * heads * dim);
  writeSync(fd, bytes(q));
  const qValues = decodeStorage(dtype, q);
  const out = new Float32Array(batch * heads * dim);
  const vChunks = [];
  // Keys first (one KV head at a time), values after; each cache's output needs its keys and values,
  // so values are generated with the keys and written in a second pass from the same seeds.
  const valueSeed = (cache) => cache * 7919 + 3;
  for (let cache = 0; cache < batch * kvHeads; cache++) {
    const k = fill(cacheElements);
    writeSync(fd, bytes(k));
    const vUniform = uniformSource(valueSeed(cache));
    const v = new Float64Array(cacheElements);
    for (let i = 0; i < cacheElements; i++) v[i] = poolValues[(vUniform() * 65536) | 0];
    const b = Math.floor(cache / kvHeads);
    const firstRow = b * heads + (cache % kvHeads) * group;
    const x = {
      shape: { batch: 1, queryHeads: group, kvHeads: 1, tokens, headDim: dim, valueDim: dim },
      query: qValues.subarray(firstRow * dim, (firstRow + group) * dim),
      keys: decodeStorage(dtype, k),
      values: v,
      scale: 1 / Math.sqrt(dim),
    };
    out.set(referenceDecode(x), firstRow * dim);
    vChunks.push(cache);
  }
  for (const cache of vChunks) {
    const vUniform = uniformSource(valueSeed(cache));
    const v = new (dtype === 'fp32' ? Float32Array : Uint16Array)(cacheElements);
    for (let i = 0; i < cacheElements; i++) v[i] = pool[(vUniform() * 65536) | 0];
    writeSync(fd, bytes(v));
  }
  writeSync(fd, bytes(out));
  closeSync(fd);
}
const generated = (performance.now() - started) / 1000;

const cli = option('cli') ?? 'bin/prhs.js';
if (!existsSync(cli)) throw new Error(`--cli: ${cli} does not exist`);
const timings = {};
let last;
for (const engine of engines) {
  const seconds = [];
  for (let r = 0; r < runs; r++) {
    const load = loadavg()[0];
    const t = performance.now();
    last = spawnSync(
      process.execPath,
      [cli, 'check-output', file, '--json', ...(engine === 'typescript' ? ['--typescript'] : [])],
      { encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    seconds.push({ wall: Number(((performance.now() - t) / 1000).toFixed(2)), loadBefore: Number(load.toFixed(1)) });
    if (last.status !== 0) {
      console.error(`check-output exited ${last.status}: ${last.stderr || last.stdout.slice(0, 2000)}`);
      break;
    }
  }
  const report = last.status === 0 || last.status === 1 ? JSON.parse(last.stdout) : null;
  timings[engine] = { runs: seconds, reportedSeconds: report?.seconds, pass: report?.pass };
}
if (folder) rmSync(folder, { recursive: true, force: true });
console.log(
  JSON.stringify({
    shape: { batch, heads, kvHeads, tokens, dim, dtype },
    machine: { cpu: cpus()[0]?.model, cores: cpus().length, loadAfter: Number(loadavg()[0].toFixed(1)) },
    fileBytes: 8 + json.length + offset,
    generateSeconds: reuse ? null : Number(generated.toFixed(1)),
    timings,
  }),
);
