/**
 * Builds a kept set without duplicates into a Selection, with a membership mask that is cleared
 * in O(|S|) (no per-step allocation).
 */
import type { Selection } from './selector.js';

export class IndexSetBuilder {
  private readonly mask: Uint8Array;
  /** Positions marked in the mask (the caller may reset its Selection before we clear). */
  private readonly marked: Int32Array;
  private markedCount = 0;
  private out: Selection | undefined;
  private limit = 0;

  constructor(capacity: number) {
    this.mask = new Uint8Array(capacity);
    this.marked = new Int32Array(capacity);
  }

  /** Starts a set of at most `limit` entries in `out` (clearing the mask of the previous one). */
  start(out: Selection, limit: number): void {
    this.clear();
    out.size = 0;
    this.out = out;
    this.limit = Math.min(limit, out.indices.length);
  }

  get full(): boolean {
    return this.out!.size >= this.limit;
  }

  has(position: number): boolean {
    return this.mask[position] === 1;
  }

  /** Adds a position if there is room and it is new; returns whether it was added. */
  add(position: number): boolean {
    const out = this.out!;
    if (out.size >= this.limit || this.mask[position]) return false;
    this.mask[position] = 1;
    this.marked[this.markedCount++] = position;
    out.indices[out.size++] = position;
    return true;
  }

  /** Adds positions [from, to) in order while there is room. */
  addRange(from: number, to: number): void {
    for (let i = Math.max(0, from); i < to && !this.full; i++) this.add(i);
  }

  /** Adds the most recent positions below `length`, newest first, until full. */
  fillRecent(length: number): void {
    for (let i = length - 1; i >= 0 && !this.full; i--) this.add(i);
  }

  private clear(): void {
    for (let j = 0; j < this.markedCount; j++) this.mask[this.marked[j]!] = 0;
    this.markedCount = 0;
  }
}

/**
 * Adds the best-scoring positions (score desc, lower index first on ties) among [0, length) that
 * are not yet in the set and pass `allowed`, until the builder is full. O(length·log B).
 */
export function addTopScores(
  builder: IndexSetBuilder,
  scores: ArrayLike<number>,
  length: number,
  room: number,
  heap: Int32Array,
  allowed?: (i: number) => boolean,
): void {
  // A bounded min-heap of the `room` best candidates; heap[0] is the worst kept.
  let size = 0;
  const before = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && a < b);
  const cap = Math.min(room, heap.length);
  if (cap <= 0) return;
  for (let i = 0; i < length; i++) {
    if (builder.has(i) || (allowed && !allowed(i))) continue;
    if (size < cap) {
      let k = size++;
      heap[k] = i;
      while (k > 0) {
        const parent = (k - 1) >> 1;
        if (before(heap[parent]!, heap[k]!)) {
          const t = heap[parent]!;
          heap[parent] = heap[k]!;
          heap[k] = t;
          k = parent;
        } else break;
      }
    } else if (before(i, heap[0]!)) {
      heap[0] = i;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let w = k;
        if (l < size && before(heap[w]!, heap[l]!)) w = l;
        if (r < size && before(heap[w]!, heap[r]!)) w = r;
        if (w === k) break;
        const t = heap[w]!;
        heap[w] = heap[k]!;
        heap[k] = t;
        k = w;
      }
    }
  }
  for (let j = 0; j < size; j++) builder.add(heap[j]!);
}
