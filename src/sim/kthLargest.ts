/** The k-th largest of values[0..n) (1 ≤ k ≤ n) by in-place quickselect; reorders `values`. O(n) expected. */
export function kthLargestInPlace(values: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  const target = k - 1; // position in descending order
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot.
    const a = values[lo]!;
    const b = values[mid]!;
    const c = values[hi]!;
    const pivot = a > b ? (b > c ? b : a > c ? c : a) : a > c ? a : b > c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (values[j]! < pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target]!;
  }
  return values[target]!;
}

const SAMPLE = 128;

/**
 * The k-th largest of values[at … at + n) (1 ≤ k ≤ n) without reordering them, using `work`
 * (at least n entries). A strided sample gives a lower bound b on the answer with about 1.25k
 * values ≥ b; only those are selected among. When the sample misleads (fewer than k values ≥ b)
 * every value is. Either way the result is kthLargestInPlace's on a copy: the k-th largest value
 * is one number, however it is found. O(n) with a far smaller constant than a full quickselect.
 */
export function kthLargestOf(values: Float64Array, at: number, n: number, k: number, work: Float64Array): number {
  if (n > 4 * SAMPLE && 2 * k <= n) {
    for (let j = 0; j < SAMPLE; j++) work[j] = values[at + Math.floor((j * n) / SAMPLE)]!;
    const bound = kthLargestInPlace(work, SAMPLE, Math.min(SAMPLE, Math.ceil((1.25 * SAMPLE * k) / n) + 4));
    let count = 0;
    for (let i = 0; i < n; i++) {
      const x = values[at + i]!;
      work[count] = x; // stored always, kept only when ≥ b: no branch to mispredict
      count += x >= bound ? 1 : 0;
    }
    if (count >= k) return kthLargestInPlace(work, count, k);
  }
  for (let i = 0; i < n; i++) work[i] = values[at + i]!;
  return kthLargestInPlace(work, n, k);
}
