/**
 * mulberry32 (Tommy Ettinger): a small, fast, seedable generator with one 32-bit word of state.
 * The kernel cross-checks draw their inputs from it, so every backend sees the same inputs.
 */

/** Uniform in [0, 1), 32 bits per draw. */
export function uniformSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box–Muller on mulberry32 (the cosine output only: two uniforms per normal). */
export function gaussianSource(seed: number): () => number {
  const uniform = uniformSource(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
