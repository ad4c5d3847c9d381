/**
 * Float64 logits of several queries against the same keys in one pass: out[r·stride + i] =
 * scale·q_r·k_i for keys i in [0, tokens) of one KV head. Each key row is widened once and then
 * meets every query while it sits in L1, so a GQA group's query heads over a block of decode
 * steps read the keys once instead of once per query (at d = 128 and 4K positions a KV head's
 * keys are 2 MB: re-reading them per query made the simulator memory-bound).
 *
 * The arithmetic is logitRow's, operation for operation (float32 entries widened exactly, four
 * partial sums over channels c ≡ 0, 1, 2, 3 mod 4, the tail added to the first, then
 * scale·(a + b + (e + f))), so every logit is bitwise the one logitRow computes.
 */

/**
 * @param queries  rows × d widened queries (row r at r·d)
 * @param key      scratch of d entries
 * @param out      rows × stride; row r receives keys [0, tokens) at r·stride
 */
export function groupLogits(
  queries: Float64Array,
  rows: number,
  K: Float32Array,
  keyOffset: number,
  tokens: number,
  d: number,
  scale: number,
  key: Float64Array,
  out: Float64Array,
  stride: number,
): void {
  const d4 = d - (d % 4);
  for (let i = 0; i < tokens; i++) {
    const row = keyOffset + i * d;
    for (let c = 0; c < d; c++) key[c] = K[row + c]!;
    for (let r = 0; r < rows; r++) {
      const q = r * d;
      let a = 0;
      let b = 0;
      let e = 0;
      let f = 0;
      let c = 0;
      for (; c < d4; c += 4) {
        a += queries[q + c]! * key[c]!;
        b += queries[q + c + 1]! * key[c + 1]!;
        e += queries[q + c + 2]! * key[c + 2]!;
        f += queries[q + c + 3]! * key[c + 3]!;
      }
      for (; c < d; c++) a += queries[q + c]! * key[c]!;
      out[r * stride + i] = scale * (a + b + (e + f));
    }
  }
}
