/** Greedy decoding helpers: the argmax of a logits row (ties to the lower id) and its top-1 margin. */

/** Argmax of logits[offset … offset + vocab), ties to the lower id. */
export function argmax(logits: ArrayLike<number>, offset: number, vocab: number): number {
  let best = 0;
  for (let i = 1; i < vocab; i++) if (logits[offset + i]! > logits[offset + best]!) best = i;
  return best;
}

/** Top-1 minus top-2 logit of one row (0 for a tie; Infinity for a one-word vocabulary). */
export function topMargin(logits: ArrayLike<number>, offset: number, vocab: number): number {
  let first = -Infinity;
  let second = -Infinity;
  for (let i = 0; i < vocab; i++) {
    const z = logits[offset + i]!;
    if (z > first) {
      second = first;
      first = z;
    } else if (z > second) second = z;
  }
  return first - second;
}

/** max |a_i − b_i| over a row. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>, offset: number, length: number): number {
  let worst = 0;
  for (let i = 0; i < length; i++) {
    const d = Math.abs(a[offset + i]! - b[offset + i]!);
    if (!(d <= worst)) worst = d; // NaN propagates as the worst error
  }
  return worst;
}
