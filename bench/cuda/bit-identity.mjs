#!/usr/bin/env node
// The bit-identity check of a refactor of the native kernels: calls every kernel entry point of one
// addon on fixed, seeded inputs (MHA and GQA, odd lengths and head dims, fp32, fp16 and bf16) and
// prints one SHA-256 per output as JSON. Two builds agree bit for bit where every digest agrees
// (bench/cuda/bit-identity.sh runs both, one process per kernel variant, and compares).
//
//   node bench/cuda/bit-identity.mjs ADDON.node > digests.json
//   node bench/cuda/bit-identity.mjs --compare OLD.json NEW.json   (exit 1 on any difference)
//
// Plain Node ESM, no build step. The CUDA addon's variant variables (PRHS_CUDA_DECODE,
// PRHS_CUDA_SPARSE, PRHS_CUDA_MMA_CHUNKS for the kernels; PRHS_LINEAR_VARIANT,
// PRHS_ATTENTION_VARIANT, PRHS_PDL for the model engine) are read once per process, so a variant is
// a process.
// Each case runs twice: a case whose two runs differ is listed as `unstable` (a nondeterministic
// kernel would make any comparison meaningless). The CPU addon (build/native) runs the entry
// points it has; cisStep, benchmark and ModelEngine exist only in the CUDA addon.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const DTYPES = ['fp32', 'fp16', 'bf16'];
const MODEL_VARIABLES = ['PRHS_LINEAR_VARIANT', 'PRHS_ATTENTION_VARIANT', 'PRHS_PDL', 'PRHS_SELECTION_KERNELS'];
const VARIANT_VARIABLES = [
  'PRHS_CUDA_DECODE',
  'PRHS_CUDA_SPARSE',
  'PRHS_CUDA_MMA_CHUNKS',
  'PRHS_CUDA_MMA_MERGE',
  ...MODEL_VARIABLES,
];

// Dense shapes: [name, batch, queryHeads, kvHeads, tokens, headDim, valueDim]. They reach the chunk,
// group, sliced and tensor-core kernels (16-byte rows of up to 32 vectors; head dims 64/96/128 for
// the tensor cores), the chunk kernel's fallback (rows that are not 16-byte multiples), a single
// chunk, more chunks than one block's shared partials (> 16), and hundreds of chunks.
const SHAPES = [
  ['one-token', 1, 1, 1, 1, 16, 16],
  ['mha', 2, 4, 4, 1000, 64, 64],
  ['gqa4', 1, 8, 2, 777, 128, 128],
  ['gqa8-long', 1, 16, 2, 3001, 128, 128],
  ['gqa16', 1, 16, 1, 513, 64, 64],
  ['gqa8-d96', 1, 8, 1, 2050, 96, 96],
  ['odd-dims', 1, 3, 1, 129, 40, 24],
  ['unaligned', 2, 2, 1, 300, 36, 20],
  ['many-chunks', 1, 2, 1, 20000, 64, 64],
];

// ---- seeded inputs ----

/**
 * A named stream of uniform numbers in [0, 1): SHAKE-256 of the name, read 32 bits at a time (the
 * same name gives the same numbers in every process; `count` is how many the caller will draw).
 */
function generator(name, count) {
  const bytes = createHash('shake256', { outputLength: 4 * count })
    .update(name)
    .digest();
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, count);
  let i = 0;
  return () => {
    if (i >= count) throw new Error(`generator ${name}: more than ${count} numbers drawn`);
    return words[i++] / 4294967296;
  };
}

/**
 * Storage values with full significands (so every summation order rounds differently) in
 * ±[2^-4, 2): fp32 as a Float32Array, fp16 and bf16 as their bits in a Uint16Array.
 */
function storage(dtype, count, name) {
  const next = generator(name, 4 * count);
  const exponent = () => Math.floor(next() * 5); // 0..4: 2^-4 .. 2^0
  const sign = () => (next() < 0.5 ? 1 : 0);
  if (dtype === 'fp32') {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (sign() ? -1 : 1) * 2 ** (exponent() - 4) * (1 + next());
    return out;
  }
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    const s = sign() << 15;
    if (dtype === 'fp16') out[i] = s | ((11 + exponent()) << 10) | Math.floor(next() * 1024);
    else out[i] = s | ((123 + exponent()) << 7) | Math.floor(next() * 128);
  }
  return out;
}

function floats(count, name, low = -1, high = 1) {
  const next = generator(name, count);
  return Float32Array.from({ length: count }, () => low + (high - low) * next());
}

/**
 * Index lists [rows, selected] of positions in [0, tokens): distinct, sorted, with `padding`
 * entries per row set to -1 (each row keeps at least one real index); the last row is reversed
 * when `unsortedRow` (the binding's slow validation path and a list order that is not ascending).
 */
function indexLists(rows, selected, tokens, name, { padding = 0, unsortedRow = false } = {}) {
  const next = generator(name, rows * (selected + 2 * padding));
  const out = new Int32Array(rows * selected);
  for (let r = 0; r < rows; r++) {
    // Stratified: the j-th index in stratum j of tokens/selected positions.
    const row = [];
    for (let j = 0; j < selected; j++) {
      const lo = Math.floor((j * tokens) / selected);
      const hi = Math.floor(((j + 1) * tokens) / selected);
      row.push(lo + Math.floor(next() * (hi - lo)));
    }
    for (let p = 0; p < Math.min(padding, selected - 1); p++) row[Math.floor(next() * selected)] = -1;
    if (unsortedRow && r === rows - 1) row.reverse();
    out.set(row, r * selected);
  }
  return out;
}

// ---- digests ----

function digest(value) {
  const hash = createHash('sha256');
  const add = (v) => {
    if (ArrayBuffer.isView(v)) hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    else if (typeof v === 'number') hash.update(Buffer.from(new Float64Array([v]).buffer));
    else if (Array.isArray(v)) v.forEach(add);
    else if (v && typeof v === 'object') {
      for (const key of Object.keys(v).sort()) {
        hash.update(key);
        add(v[key]);
      }
    } else hash.update(String(v));
  };
  add(value);
  return hash.digest('hex');
}

/** Runs `call` twice and records its digest (or "error: " and its message), and whether the two runs differ. */
function record(result, name, call) {
  const once = () => {
    try {
      return digest(call());
    } catch (error) {
      return `error: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  const first = once();
  const second = once();
  result.digests[name] = first;
  if (first !== second) result.unstable.push(name);
}

// ---- the entry points ----

function attentionInputs(dtype, [shape, batch, queryHeads, kvHeads, tokens, headDim, valueDim]) {
  const tag = `${shape}/${dtype}`;
  return {
    dtype,
    batch,
    queryHeads,
    kvHeads,
    tokens,
    headDim,
    valueDim,
    scale: 1 / Math.sqrt(headDim),
    query: storage(dtype, batch * queryHeads * headDim, `${tag}/query`),
    keys: storage(dtype, batch * kvHeads * tokens * headDim, `${tag}/keys`),
    values: storage(dtype, batch * kvHeads * tokens * valueDim, `${tag}/values`),
  };
}

/** The list lengths of a shape: one list position, an odd count, and (long enough) > 16 chunks. */
function listLengths(tokens) {
  return [...new Set([1, Math.min(tokens, 300), Math.min(tokens, 2100), tokens])];
}

function attentionCases(addon, result) {
  for (const dtype of DTYPES) {
    for (const shape of SHAPES) {
      const base = attentionInputs(dtype, shape);
      const tag = `${shape[0]}/${dtype}`;
      const rows = base.batch * base.queryHeads;
      record(result, `decodeAttention/${tag}`, () => addon.decodeAttention(base));
      // Logits large enough that whole chunks underflow against the row's maximum in the merge.
      record(result, `decodeAttention/${tag}/scale-40`, () => addon.decodeAttention({ ...base, scale: 40 }));
      record(result, `scores/${tag}`, () => addon.scores(base));
      for (const selected of listLengths(base.tokens)) {
        const indices = indexLists(rows, selected, base.tokens, `${tag}/list-${selected}`, {
          padding: Math.floor(selected / 7),
          unsortedRow: true,
        });
        const sparse = { ...base, indices, selected };
        record(result, `sparseAttention/${tag}/k${selected}`, () => addon.sparseAttention(sparse));
        if (selected === base.tokens)
          record(result, `sparseAttention/${tag}/k${selected}/scale-40`, () =>
            addon.sparseAttention({ ...sparse, scale: 40 }),
          );
        record(result, `droppedMass/${tag}/k${selected}`, () => addon.droppedMass(sparse));
      }
      certifiedCases(addon, result, base, tag);
    }
  }
}

function certifiedCases(addon, result, base, tag) {
  for (const pageSize of new Set([Math.min(16, base.tokens), Math.min(7, base.tokens)])) {
    const summaries = addon.pageSummaries({ ...base, pageSize });
    record(result, `pageSummaries/${tag}/page${pageSize}`, () => addon.pageSummaries({ ...base, pageSize }));
    const rows = base.batch * base.queryHeads;
    const selected = Math.min(base.tokens, 64);
    const indices = indexLists(rows, selected, base.tokens, `${tag}/certified-${selected}`, {
      padding: Math.floor(selected / 5),
    });
    for (const kind of ['minmax', 'ball', 'min']) {
      record(result, `certifiedDroppedMass/${tag}/page${pageSize}/${kind}`, () =>
        addon.certifiedDroppedMass({ ...base, ...summaries, pageSize, indices, selected, kind }),
      );
    }
  }
}

/** Scores with ties, NaN, ±0 and ±∞ (top-k's order: score desc, index asc, NaN lowest, -0 == +0). */
function topKScores(rows, columns, name) {
  const next = generator(name, 3 * rows * columns);
  const special = [Number.NaN, -0, 0, Infinity, -Infinity];
  return Float32Array.from({ length: rows * columns }, () => {
    const u = next();
    if (u < 0.02) return special[Math.floor(next() * special.length)];
    if (u < 0.3) return Math.floor(next() * 8) / 4; // ties
    return next() * 4 - 2;
  });
}

function topKCases(addon, result) {
  for (const [rows, columns] of [
    [1, 1],
    [5, 1000],
    [3, 40000],
    [64, 4097],
  ]) {
    const scores = topKScores(rows, columns, `topK/${rows}x${columns}`);
    for (const k of [...new Set([0, 1, Math.min(columns, 10), Math.min(columns, 2048), columns - 1, columns])]) {
      if (k < 0) continue;
      record(result, `topK/${rows}x${columns}/k${k}`, () => addon.topK({ scores, rows, columns, k }));
    }
  }
}

/** Two CIS steps (every row anchors, then most reuse) per case; the tiled build at budget 16384. */
function cisCases(addon, result) {
  const cases = [
    { name: 'small', rows: 6, headDim: 64, length: 1000, budget: 96, sinks: 4, window: 12, dilated: 26, radius: 1 },
    { name: 'odd', rows: 3, headDim: 40, length: 333, budget: 33, sinks: 0, window: 5, dilated: 9, radius: 2 },
    {
      name: 'tiled',
      rows: 2,
      headDim: 16,
      length: 40000,
      budget: 16384,
      sinks: 4,
      window: 2048,
      dilated: 4777,
      radius: 1,
    },
  ];
  for (const c of cases) {
    record(result, `cisStep/${c.name}`, () => {
      const state = {
        anchorQuery: new Float32Array(c.rows * c.headDim),
        anchorNorm: new Float64Array(c.rows),
        anchored: new Uint8Array(c.rows),
        ranking: new Int32Array(c.rows * c.budget),
        rankingSize: new Int32Array(c.rows),
      };
      const outputs = [];
      for (const [step, gate] of [
        [0, 0.5],
        [1, 0.9],
      ]) {
        const reanchor = new Uint8Array(c.rows);
        const indices = new Int32Array(c.rows * c.budget);
        const sizes = new Int32Array(c.rows);
        addon.cisStep({
          ...c,
          gate,
          query: floats(c.rows * c.headDim, `cis/${c.name}/query/${step}`),
          scores: floats(c.rows * c.length, `cis/${c.name}/scores/${step}`, -8, 8),
          ...state,
          reanchor,
          indices,
          sizes,
        });
        outputs.push(reanchor, indices, sizes, Float32Array.from(state.anchorQuery), Int32Array.from(state.ranking));
        outputs.push(Float64Array.from(state.anchorNorm), Uint8Array.from(state.anchored));
      }
      return outputs;
    });
  }
}

/** The CUDA model engine on random weights: prefill, then decode steps, per selection; check mode too. */
function modelCases(addon, result) {
  const selections = [
    { kind: 'dense' },
    { kind: 'streaming', budget: 24, sinks: 4 },
    { kind: 'oracle', budget: 24 },
    { kind: 'cis', budget: 40, sinks: 4, window: 8, gate: 0.7, dilated: 9, radius: 1 },
  ];
  for (const dtype of ['fp16', 'bf16']) {
    for (const [name, queryHeads, kvHeads, headDim] of [
      ['gqa', 8, 2, 64],
      ['mha', 4, 4, 32],
    ]) {
      const spec = {
        layers: 2,
        hiddenSize: 128,
        intermediateSize: 256,
        queryHeads,
        kvHeads,
        headDim,
        vocabSize: 320,
        rmsNormEps: 1e-6,
        ropeInverseFrequencies: Float64Array.from({ length: headDim / 2 }, (_, i) => 10000 ** ((-2 * i) / headDim)),
        qkvBias: true,
        outputBias: false,
        tiedEmbeddings: false,
        dtype,
        batch: 2,
        capacity: 160,
        pageSize: 16,
      };
      for (const selection of selections) {
        for (const check of selection.kind === 'dense' ? [0] : [0, 1]) {
          record(result, `model/${name}/${dtype}/${selection.kind}${check ? '/checked' : ''}`, () => {
            const engine = new addon.ModelEngine(spec);
            try {
              engine.randomizeWeights({ seed: 7 });
              engine.setSelection(selection);
              engine.setCheck({ everySteps: check });
              const tokens = (count, step) =>
                Int32Array.from({ length: spec.batch * count }, (_, i) => (i * 37 + step * 11) % spec.vocabSize);
              const outputs = [engine.append(tokens(67, 0), 67)];
              for (let step = 1; step <= 12; step++) outputs.push(engine.append(tokens(1, step), 1));
              outputs.push(engine.selectionCounts());
              if (check) outputs.push(engine.checks());
              return outputs;
            } finally {
              engine.dispose();
            }
          });
        }
      }
    }
  }
}

/** The benchmark's own bit comparisons (each kernel variant against the chunk kernel): counts of differing words. */
function benchmarkSelfChecks(addon, result) {
  for (const dtype of DTYPES) {
    for (const [batch, queryHeads, kvHeads] of [
      [1, 8, 2],
      [2, 4, 4],
    ]) {
      const config = { dtype, batch, queryHeads, kvHeads, tokens: 4099, headDim: 128, selected: 2100 };
      const tag = `benchmark/${dtype}/${queryHeads}q${kvHeads}kv`;
      try {
        const timings = addon.benchmark({ ...config, repeats: 1, copyBytes: 1 << 20, flushL2: false, seed: 3 });
        for (const t of timings) if (/bitsDiffer/i.test(t.name)) result.selfChecks[`${tag}/${t.name}`] = t.medianMs;
      } catch (error) {
        result.digests[tag] = `error: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
  }
}

function run(addonPath) {
  const addon = createRequire(import.meta.url)(resolve(addonPath));
  const info = addon.info();
  const result = {
    addon: resolve(addonPath),
    variant: Object.fromEntries(Object.entries(process.env).filter(([key]) => VARIANT_VARIABLES.includes(key))),
    info: {
      device: info.device,
      decodeSummation: info.decodeSummation,
      sparseDecode: info.sparseDecode,
      mmaMerge: info.mmaMerge,
    },
    digests: {},
    unstable: [],
    selfChecks: {},
  };
  attentionCases(addon, result);
  topKCases(addon, result);
  if (typeof addon.cisStep === 'function') cisCases(addon, result);
  // The model engine reads only its own variables; the benchmark runs in the default process only.
  const variables = Object.keys(result.variant);
  if (typeof addon.ModelEngine === 'function' && variables.every((key) => MODEL_VARIABLES.includes(key)))
    modelCases(addon, result);
  if (typeof addon.benchmark === 'function' && variables.length === 0) benchmarkSelfChecks(addon, result);
  return result;
}

/** The differences between two digest files (and either one's unstable cases and failed self-checks). */
function compareDigests(old, updated) {
  const problems = [];
  for (const name of new Set([...Object.keys(old.digests), ...Object.keys(updated.digests)])) {
    const a = old.digests[name];
    const b = updated.digests[name];
    if (a === undefined) problems.push(`${name}: only in the new run`);
    else if (b === undefined) problems.push(`${name}: only in the old run`);
    else if (a !== b) problems.push(`${name}: differs (old ${a.slice(0, 16)}, new ${b.slice(0, 16)})`);
    // Every case is a valid call: one that throws in both addons would otherwise compare equal.
    for (const [label, digest] of [
      ['old', a],
      ['new', b],
    ]) {
      if (digest?.startsWith('error: ')) problems.push(`${name}: the ${label} addon threw (${digest.slice(7)})`);
    }
  }
  for (const [label, run] of [
    ['old', old],
    ['new', updated],
  ]) {
    for (const name of run.unstable) problems.push(`${name}: two runs of the ${label} addon differ (nondeterministic)`);
    for (const [name, count] of Object.entries(run.selfChecks)) {
      if (count === 0 || sumsOtherwise(run, name)) continue;
      problems.push(`${name}: ${count} words differ from the chunk kernel in the ${label} addon`);
    }
  }
  // A step that sums in another order (below) may differ from the chunk kernel, by the same words in both builds.
  for (const name of Object.keys(old.selfChecks)) {
    if (!sumsOtherwise(old, name)) continue;
    const a = old.selfChecks[name];
    const b = updated.selfChecks[name];
    if (a !== b) problems.push(`${name}: ${a} words differ from the chunk kernel in the old addon, ${b} in the new`);
  }
  return problems;
}

/**
 * Whether a benchmark self-check compares a step that does not keep the chunk kernel's summation
 * order: the default dense step ("bitsDiffer:dense") of a grouped-query shape in fp16 or bf16 when
 * the addon's dense decode is the tensor-core kernel (theory/kernel-error.md, "Tensor-core dense
 * decode"), which rounds P and sums in mma tiles. Its count is compared between the builds instead.
 */
function sumsOtherwise(run, name) {
  const match = /^benchmark\/(fp32|fp16|bf16)\/(\d+)q(\d+)kv\/bitsDiffer:dense$/.exec(name);
  if (!match || run.info?.decodeSummation !== 'tensor-core') return false;
  return match[1] !== 'fp32' && Number(match[2]) > Number(match[3]);
}

function main(argv) {
  if (argv[0] === '--compare' && argv.length === 3) {
    const [old, updated] = argv.slice(1).map((path) => JSON.parse(readFileSync(path, 'utf8')));
    const problems = compareDigests(old, updated);
    for (const p of problems) console.log(p);
    const cases = Object.keys(updated.digests).length;
    console.log(problems.length === 0 ? `same bits: ${cases} outputs` : `${problems.length} differences`);
    return problems.length === 0 ? 0 : 1;
  }
  if (argv.length !== 1 || argv[0].startsWith('-')) {
    console.error('usage: node bench/cuda/bit-identity.mjs ADDON.node > digests.json');
    console.error('       node bench/cuda/bit-identity.mjs --compare OLD.json NEW.json');
    return 2;
  }
  process.stdout.write(`${JSON.stringify(run(argv[0]), null, 1)}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
