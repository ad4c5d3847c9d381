/**
 * Dilation (PrHS CIS): widen each of a set of anchor positions p to p − r … p + r, clipped to
 * [0, length). The shared set follows attention that drifts by up to r positions between the
 * anchor step and a reusing step (theory/dilation.md).
 */

/** The dilated positions of `anchors` (distinct, ascending). */
export function dilate(anchors: ArrayLike<number>, radius: number, length: number): number[] {
  const out = new Set<number>();
  for (let j = 0; j < anchors.length; j++) {
    const p = anchors[j]!;
    for (let i = Math.max(0, p - radius); i <= Math.min(length - 1, p + radius); i++) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}
