/**
 * Marsaglia's xorshift32 (shifts 13, 17, 5): one 32-bit word of state, cheap enough to expand one
 * generated integer into a long vector inside a property.
 */

/**
 * Uniform in [0, 1), 32 bits per draw. Zero is xorshift's fixed point, so a zero seed is replaced by
 * `zeroSeed` (each caller keeps the replacement its stored streams were generated with).
 */
export function xorshift32(seed: number, zeroSeed: number): () => number {
  let state = seed | 0 || zeroSeed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}
