/**
 * The kept-set builder (no duplicates, at most `limit` entries, a mask cleared between sets) and
 * addTopScores (the best scores, ties to the lower index, among allowed positions not yet kept),
 * the latter against a sort on deterministic inputs full of ties.
 */
import { describe, expect, it } from 'vitest';
import { addTopScores, IndexSetBuilder } from '../../src/selectors/indexSetBuilder.js';
import { createSelection } from '../../src/selectors/selector.js';
import { lcg, sortedKept } from './harness.js';

function kept(out: ReturnType<typeof createSelection>): number[] {
  return Array.from(out.indices.subarray(0, out.size));
}

describe('IndexSetBuilder', () => {
  it('adds distinct positions up to the limit and says when it is full', () => {
    const b = new IndexSetBuilder(10);
    const out = createSelection(10);
    b.start(out, 3);
    expect(b.full).toBe(false);
    expect(b.add(4)).toBe(true);
    expect(b.add(4)).toBe(false);
    expect(b.has(4)).toBe(true);
    expect(b.has(5)).toBe(false);
    expect(b.add(0)).toBe(true);
    expect(b.full).toBe(false);
    expect(b.add(9)).toBe(true);
    expect(b.full).toBe(true);
    expect(b.add(7)).toBe(false);
    expect(b.has(7)).toBe(false);
    expect(kept(out)).toEqual([4, 0, 9]);
  });
  it('caps the limit at the selection capacity', () => {
    const b = new IndexSetBuilder(10);
    const out = createSelection(2);
    b.start(out, 5);
    b.addRange(0, 10);
    expect(kept(out)).toEqual([0, 1]);
    expect(b.full).toBe(true);
  });
  it('clears the previous set when a new one starts, even after the caller reset its selection', () => {
    const b = new IndexSetBuilder(8);
    const out = createSelection(8);
    b.start(out, 4);
    b.add(1);
    b.add(2);
    out.size = 0;
    b.start(out, 4);
    expect(b.has(1)).toBe(false);
    expect(b.has(2)).toBe(false);
    expect(b.add(2)).toBe(true);
    expect(kept(out)).toEqual([2]);
    b.start(out, 4);
    expect(out.size).toBe(0);
    expect(b.has(2)).toBe(false);
  });
  it('addRange clips a negative start and stops when full', () => {
    const b = new IndexSetBuilder(10);
    const out = createSelection(10);
    b.start(out, 10);
    b.addRange(-3, 2);
    expect(kept(out)).toEqual([0, 1]);
    b.start(out, 3);
    b.addRange(5, 10);
    expect(kept(out)).toEqual([5, 6, 7]);
  });
  it('fillRecent adds the newest positions first, skipping kept ones, down to position 0', () => {
    const b = new IndexSetBuilder(10);
    const out = createSelection(10);
    b.start(out, 4);
    b.add(5);
    b.fillRecent(6);
    expect(kept(out)).toEqual([5, 4, 3, 2]);
    b.start(out, 10);
    b.fillRecent(3);
    expect(kept(out)).toEqual([2, 1, 0]);
  });
});

/** The reference: sort the candidates by (score desc, index asc) and take the first `room`. */
function topBySort(
  scores: number[],
  length: number,
  room: number,
  exclude: Set<number>,
  allowed?: (i: number) => boolean,
): number[] {
  const candidates = [...Array(length).keys()].filter((i) => !exclude.has(i) && (!allowed || allowed(i)));
  candidates.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return candidates.slice(0, Math.max(0, room)).sort((a, b) => a - b);
}

describe('addTopScores', () => {
  function run(
    scores: number[],
    options: {
      room: number;
      limit?: number;
      heapSize?: number;
      length?: number;
      first?: number[];
      allowed?: (i: number) => boolean;
    },
  ) {
    const b = new IndexSetBuilder(scores.length);
    const out = createSelection(scores.length);
    b.start(out, options.limit ?? scores.length);
    for (const p of options.first ?? []) b.add(p);
    addTopScores(
      b,
      scores,
      options.length ?? scores.length,
      options.room,
      new Int32Array(options.heapSize ?? options.room),
      options.allowed,
    );
    return out;
  }
  it('keeps the largest scores, ties to the lower index', () => {
    expect(sortedKept(run([1, 5, 3, 5, 2, 5], { room: 2 }))).toEqual([1, 3]);
    expect(sortedKept(run([0, 0, 0, 0], { room: 3 }))).toEqual([0, 1, 2]);
    expect(sortedKept(run([4, 3, 2, 1, 0], { room: 2 }))).toEqual([0, 1]);
    expect(sortedKept(run([0, 1, 2, 3, 4], { room: 2 }))).toEqual([3, 4]);
  });
  it('agrees with a sort on 300 inputs with many ties, any room, exclusions and a filter', () => {
    const next = lcg(17);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor((next() + 1) * 12);
      const levels = 1 + Math.floor((next() + 1) * 3);
      const scores = Array.from({ length: n }, () => Math.floor((next() + 1) * levels));
      const room = Math.floor((next() + 1) * (n + 1) * 0.6);
      const first = trial % 3 === 0 ? [Math.floor((next() + 1) * n * 0.5)] : [];
      const modulus = 2 + (trial % 3);
      const allowed = trial % 2 === 0 ? (i: number) => i % modulus !== 1 : undefined;
      const out = run(scores, { room, first, allowed });
      const expected = [...first, ...topBySort(scores, n, room, new Set(first), allowed)].sort((a, b) => a - b);
      expect(sortedKept(out), `scores ${scores}, room ${room}, first ${first}`).toEqual(expected);
    }
  });
  it('considers only positions below `length`', () => {
    expect(sortedKept(run([1, 2, 3, 9, 9], { room: 2, length: 3 }))).toEqual([1, 2]);
  });
  it('adds nothing when the room or the heap is empty, and at most the heap size', () => {
    expect(run([1, 2, 3], { room: 0 }).size).toBe(0);
    expect(run([1, 2, 3], { room: 2, heapSize: 0 }).size).toBe(0);
    expect(sortedKept(run([1, 2, 3, 4], { room: 3, heapSize: 1 }))).toEqual([3]);
  });
  it('stops at the builder limit', () => {
    expect(run([1, 2, 3, 4], { room: 4, limit: 2 }).size).toBe(2);
  });
});
