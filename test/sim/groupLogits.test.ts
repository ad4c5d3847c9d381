import { describe, expect, it } from 'vitest';
import { groupLogits } from '../../src/sim/groupLogits.js';
import { logitRow } from '../../src/sim/logitRow.js';
import { numericalRecipesLcg } from '../../src/random/index.js';

function randomArray(length: number, seed: number): Float32Array {
  const uniform = numericalRecipesLcg(seed);
  return Float32Array.from({ length }, () => (uniform() - 0.5) * 8);
}

describe('groupLogits', () => {
  for (const d of [1, 3, 4, 7, 16, 33]) {
    it(`scores several queries bitwise as logitRow does, one query at a time (d = ${d})`, () => {
      const rows = 5;
      const tokens = 37;
      const offset = 2 * d; // keys start inside a larger array, as a KV head's do
      const K = randomArray((tokens + 3) * d, d);
      const Q = randomArray(rows * d, 100 + d);
      const stride = tokens + 4; // rows may be longer than the keys scored
      const out = new Float64Array(rows * stride).fill(Number.NaN);
      groupLogits(Float64Array.from(Q), rows, K, offset, tokens, d, 1 / Math.sqrt(d), new Float64Array(d), out, stride);
      const expected = new Float64Array(tokens);
      for (let r = 0; r < rows; r++) {
        logitRow(Q, r * d, K, offset, tokens, d, 1 / Math.sqrt(d), new Float64Array(d), expected);
        expect(Array.from(out.subarray(r * stride, r * stride + tokens))).toEqual(Array.from(expected));
        expect(Number.isNaN(out[r * stride + tokens]!)).toBe(true); // nothing written past the keys
      }
    });
  }
});
