/**
 * z_i = scale·q·k_i for the first `length` keys of one KV head, from float32 trace storage into a
 * float64 row, returning max z. The query is widened once into `query`; the dot product uses the
 * reference's four partial sums (core/attention.ts logitsUnchecked) in the same order, kept as its
 * own loop because it reads float32 trace storage directly.
 */
export function logitRow(
  Q: Float32Array,
  queryOffset: number,
  K: Float32Array,
  keyOffset: number,
  length: number,
  d: number,
  scale: number,
  query: Float64Array,
  out: Float64Array,
): number {
  for (let c = 0; c < d; c++) query[c] = Q[queryOffset + c]!;
  const d4 = d - (d % 4);
  let max = -Infinity;
  for (let i = 0; i < length; i++) {
    const row = keyOffset + i * d;
    let a = 0;
    let b = 0;
    let e = 0;
    let f = 0;
    let c = 0;
    for (; c < d4; c += 4) {
      a += query[c]! * K[row + c]!;
      b += query[c + 1]! * K[row + c + 1]!;
      e += query[c + 2]! * K[row + c + 2]!;
      f += query[c + 3]! * K[row + c + 3]!;
    }
    for (; c < d; c++) a += query[c]! * K[row + c]!;
    const z = scale * (a + b + (e + f));
    out[i] = z;
    if (z > max) max = z;
  }
  return max;
}
