// A user's own kernel backend, written as a user would against the published package: dense and
// sparse decode attention in plain JavaScript with every operation rounded to fp32 (Math.fround),
// the other kernels taken from prhs's float64 reference. Check it with
//   npx prhs check-kernels --backend-module examples/my-backend.mjs --dtype fp16 --max-n 4096
// A real backend would call WebAssembly or an N-API addon here instead (see the README, "Check your
// own kernel"). Its precision model says how it rounds, and every bound it is held to follows.
import { decodeStorage, referenceBackend } from 'prhs/backends';

const f = Math.fround;

/** Attention of one query head over `tokens` (every position when null), accumulated in fp32. */
function attendHead(x, b, h, tokens, out) {
  const { queryHeads, kvHeads, tokens: n, headDim: d, valueDim: dv } = x.shape;
  const row = b * queryHeads + h;
  const cache = b * kvHeads + Math.floor(h / (queryHeads / kvHeads));
  const count = tokens === null ? n : tokens.length;
  const logits = new Float32Array(count);
  let max = -Infinity;
  for (let j = 0; j < count; j++) {
    const i = tokens === null ? j : tokens[j];
    let dot = 0;
    for (let c = 0; c < d; c++) dot = f(dot + f(x.query[row * d + c] * x.keys[(cache * n + i) * d + c]));
    logits[j] = f(dot * x.scale);
    max = Math.max(max, logits[j]);
  }
  let sum = 0;
  const numerator = new Float32Array(dv);
  for (let j = 0; j < count; j++) {
    const i = tokens === null ? j : tokens[j];
    const e = f(Math.exp(f(logits[j] - max)));
    sum = f(sum + e);
    for (let c = 0; c < dv; c++) numerator[c] = f(numerator[c] + f(e * x.values[(cache * n + i) * dv + c]));
  }
  for (let c = 0; c < dv; c++) out[row * dv + c] = f(numerator[c] / sum);
}

function decoded(inputs) {
  return {
    shape: inputs.shape,
    scale: inputs.scale,
    query: decodeStorage(inputs.dtype, inputs.query),
    keys: decodeStorage(inputs.dtype, inputs.keys),
    values: decodeStorage(inputs.dtype, inputs.values),
  };
}

function attend(inputs, lists) {
  const x = decoded(inputs);
  const { batch, queryHeads, valueDim } = inputs.shape;
  const out = new Float32Array(batch * queryHeads * valueDim);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < queryHeads; h++) {
      const row = b * queryHeads + h;
      const tokens =
        lists === null
          ? null
          : lists.indices.subarray(row * lists.selected, (row + 1) * lists.selected).filter((i) => i !== -1);
      attendHead(x, b, h, tokens, out);
    }
  }
  return out;
}

export const backend = {
  ...referenceBackend,
  name: 'js-fp32',
  description: 'decode attention in JavaScript, fp32 arithmetic, sequential sums',
  precision: {
    unitRoundoff: 2 ** -24, // every operation is rounded to fp32
    expError: 2 ** -23, // Math.exp in float64, then one rounding to fp32: within 2u
    probabilityRoundoff: 0, // the weights stay fp32, the arithmetic precision
    outputRoundoff: 0, // results are fp32 already
    sumDepth: (n) => n, // sums run left to right
  },
  decodeAttention: (inputs) => attend(inputs, null),
  sparseAttention: (inputs, lists) => attend(inputs, lists),
};
