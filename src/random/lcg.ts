/**
 * Linear congruential generators modulo 2³², for deterministic hand-seeded test data where the
 * statistical quality of a better generator is not needed.
 */

/** x ← 1103515245·x + 12345 (the C standard's example rand); uniform in [0, 1) from the top 24 bits. */
export function ansiCLcg(seed: number): () => number {
  let state = seed | 1;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) | 0;
    return (state >>> 8) / (1 << 24);
  };
}

/** x ← 1664525·x + 1013904223 (Numerical Recipes); uniform in [0, 1) from all 32 bits. */
export function numericalRecipesLcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
