// A stand-in for the CUDA addon where there is no GPU, for bitIdentity.test.ts: the CPU addon's
// kernels (PRHS_STAND_IN_CPU_ADDON) plus cisStep, ModelEngine and benchmark, which check their
// arguments as native/cuda/binding.cpp and model/engineBinding.hpp do (types, lengths, ranges) and
// return outputs that depend on every input, so bench/cuda/bit-identity.mjs's CUDA-only cases run here.
/* global require, module, process */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded with require(), as a native addon is */
'use strict';
const { createHash } = require('node:crypto');

const cpu = require(process.env.PRHS_STAND_IN_CPU_ADDON);

function fail(argument, expected) {
  const error = new RangeError(`${argument}: expected ${expected}`);
  error.code = 'ERR_PRHS_INVALID_ARGUMENT';
  throw error;
}

function integer(options, name, lo, hi) {
  const x = options[name];
  if (!Number.isInteger(x) || x < lo || x > hi) fail(name, `an integer in [${lo}, ${hi}]`);
  return x;
}

function array(options, name, type, length) {
  const a = options[name];
  if (!(a instanceof type) || a.length !== length) fail(name, `a ${type.name} of length ${length}`);
  return a;
}

/** Bytes that depend on every input: SHA-256 of the inputs, repeated to fill `into`. */
function fillFrom(into, ...inputs) {
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(typeof input === 'string' ? input : JSON.stringify(input));
  const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
  const digest = hash.digest();
  for (let i = 0; i < bytes.length; i++) bytes[i] = digest[i % digest.length];
}

function cisStep(o) {
  const rows = integer(o, 'rows', 1, 65535);
  const headDim = integer(o, 'headDim', 1, 1 << 20);
  const length = integer(o, 'length', 1, 2147483647);
  const budget = integer(o, 'budget', 1, 1 << 16);
  for (const name of ['sinks', 'window']) integer(o, name, 0, 1 << 16);
  integer(o, 'dilated', 0, budget);
  integer(o, 'radius', 0, 64);
  if (!(o.gate >= -1 && o.gate <= 1)) fail('gate', 'a cosine in [-1, 1]');
  array(o, 'query', Float32Array, rows * headDim);
  array(o, 'scores', Float32Array, rows * length);
  const ranking = array(o, 'ranking', Int32Array, rows * budget);
  const rankingSize = array(o, 'rankingSize', Int32Array, rows);
  for (let r = 0; r < rows; r++) {
    if (rankingSize[r] < 0 || rankingSize[r] > budget) fail('rankingSize', 'sizes in [0, budget]');
    for (let j = 0; j < rankingSize[r]; j++) {
      const x = ranking[r * budget + j];
      if (x < 0 || x >= length) fail('ranking', 'positions in [0, length)');
    }
  }
  const state = [
    array(o, 'anchorQuery', Float32Array, rows * headDim),
    array(o, 'anchorNorm', Float64Array, rows),
    array(o, 'anchored', Uint8Array, rows),
  ];
  const outputs = [array(o, 'reanchor', Uint8Array, rows), array(o, 'indices', Int32Array, rows * budget)];
  const sizes = array(o, 'sizes', Int32Array, rows);
  const seen = [o.query, o.scores, o.gate, ...state];
  for (const a of [...state, ...outputs]) fillFrom(a, 'cis', ...seen);
  for (let r = 0; r < rows; r++) {
    o.anchored[r] = 1;
    rankingSize[r] = Math.min(budget, length);
    sizes[r] = rankingSize[r];
    for (let j = 0; j < budget; j++) ranking[r * budget + j] = (r + j * 7) % length;
  }
  o.anchorNorm.fill(1);
}

const specFields = ['layers', 'hiddenSize', 'intermediateSize', 'queryHeads', 'kvHeads', 'headDim', 'vocabSize'];

class ModelEngine {
  constructor(spec) {
    for (const name of specFields) integer(spec, name, 1, 1 << 24);
    if (![16, 32, 64, 96, 128, 256].includes(spec.headDim)) fail('headDim', 'one of 16, 32, 64, 96, 128, 256');
    if (spec.queryHeads % spec.kvHeads !== 0) fail('kvHeads', 'a divisor of queryHeads');
    if (spec.hiddenSize % 8 !== 0 || spec.intermediateSize % 8 !== 0) fail('hiddenSize', 'a multiple of 8');
    array(spec, 'ropeInverseFrequencies', Float64Array, spec.headDim / 2);
    for (const name of ['qkvBias', 'outputBias', 'tiedEmbeddings'])
      if (typeof spec[name] !== 'boolean') fail(name, 'a boolean');
    if (!['fp16', 'bf16'].includes(spec.dtype)) fail('dtype', 'fp16 or bf16');
    integer(spec, 'batch', 1, 64);
    integer(spec, 'capacity', 1, 1 << 24);
    if (spec.pageSize !== 16) fail('pageSize', '16');
    this.spec = spec;
    this.history = [JSON.stringify(spec, (key, value) => (ArrayBuffer.isView(value) ? Array.from(value) : value))];
    this.length = 0;
  }
  randomizeWeights(o) {
    this.history.push(`seed ${integer(o, 'seed', 0, 4294967295)}`);
  }
  setSelection(o) {
    if (!['dense', 'streaming', 'oracle', 'cis'].includes(o.kind)) fail('kind', 'dense, streaming, oracle or cis');
    const capacity = this.spec.capacity;
    if (o.kind !== 'dense') integer(o, 'budget', 1, capacity);
    if (o.kind === 'streaming' || o.kind === 'cis') integer(o, 'sinks', 0, capacity);
    if (o.kind === 'cis') {
      integer(o, 'window', 0, capacity);
      integer(o, 'dilated', 0, o.budget);
      integer(o, 'radius', 0, capacity);
      if (!(o.gate >= -1 && o.gate <= 1)) fail('gate', 'a cosine in [-1, 1]');
    }
    this.history.push(JSON.stringify(o));
  }
  setCheck(o) {
    this.every = integer(o, 'everySteps', 0, 1 << 30);
  }
  append(tokens, count) {
    if (!Number.isInteger(count) || count < 1 || this.length + count > this.spec.capacity) fail('count', 'room left');
    if (!(tokens instanceof Int32Array) || tokens.length !== this.spec.batch * count)
      fail('tokens', 'an Int32Array of length batch × count');
    if (tokens.some((t) => t < 0 || t >= this.spec.vocabSize)) fail('tokens', 'token ids in [0, vocabSize)');
    this.length += count;
    this.history.push(Array.from(tokens).join(','));
    const logits = new Float32Array(this.spec.batch * this.spec.vocabSize);
    fillFrom(logits, ...this.history);
    return logits;
  }
  selectionCounts() {
    return Array.from({ length: this.spec.layers }, () => ({ kept: this.length, retrieved: 0, headSteps: 1 }));
  }
  checks() {
    const records = new Float64Array(4);
    fillFrom(records, ...this.history, `every ${this.every}`);
    return [{ position: this.length, logitsMaxAbsChange: 0, records, fields: 4 }];
  }
  dispose() {}
}

function benchmark(o) {
  integer(o, 'tokens', 1, 2147483647);
  integer(o, 'selected', 1, o.tokens);
  integer(o, 'repeats', 1, 10000);
  if (typeof o.flushL2 !== 'boolean') fail('flushL2', 'a boolean');
  return [
    { name: 'dense', medianMs: 1, minMs: 1, bytes: 1 },
    { name: 'bitsDiffer:dense', medianMs: 0, minMs: 0, bytes: 0 },
  ];
}

module.exports = {
  ...cpu,
  info: () => ({ ...cpu.info(), device: 'stand-in', decodeSummation: 'ordered', sparseDecode: 'group' }),
  cisStep,
  ModelEngine,
  benchmark,
};
