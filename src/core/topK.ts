/**
 * Top-k selection with a deterministic tie-break: among equal scores the lower index wins.
 * Returned indices are sorted by (score descending, index ascending), so the first j entries are
 * the top-j set for every j ≤ k.
 */
import { integerInRange, finiteVector } from './validate.js';

/** Indices of the k largest scores; ties broken towards the lower index. */
export function topK(scores: ArrayLike<number>, k: number): Int32Array {
  const s = finiteVector('scores', scores, { allowEmpty: true });
  integerInRange('k', k, 0, s.length);
  return topKUnchecked(s, k);
}

/** True when entry a ranks before entry b: higher score, or equal score and lower index. */
function ranksBefore(s: ArrayLike<number>, a: number, b: number): boolean {
  const x = s[a]!;
  const y = s[b]!;
  return x > y || (x === y && a < b);
}

/** @internal k-selection by a bounded min-heap of the current best k, then a sort of the k. */
export function topKUnchecked(s: ArrayLike<number>, k: number): Int32Array {
  const n = s.length;
  if (k === 0) return new Int32Array(0);
  // heap[0] is the worst of the kept entries (the one every newcomer must beat).
  const heap = new Int32Array(k);
  let size = 0;
  const siftUp = (position: number) => {
    let i = position;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (ranksBefore(s, heap[parent]!, heap[i]!)) {
        const t = heap[parent]!;
        heap[parent] = heap[i]!;
        heap[i] = t;
        i = parent;
      } else break;
    }
  };
  const siftDown = () => {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < size && ranksBefore(s, heap[worst]!, heap[left]!)) worst = left;
      if (right < size && ranksBefore(s, heap[worst]!, heap[right]!)) worst = right;
      if (worst === i) return;
      const t = heap[worst]!;
      heap[worst] = heap[i]!;
      heap[i] = t;
      i = worst;
    }
  };
  for (let i = 0; i < n; i++) {
    if (size < k) {
      heap[size++] = i;
      siftUp(size - 1);
    } else if (ranksBefore(s, i, heap[0]!)) {
      heap[0] = i;
      siftDown();
    }
  }
  const out = Array.from(heap);
  out.sort((a, b) => (ranksBefore(s, a, b) ? -1 : 1));
  return Int32Array.from(out);
}
