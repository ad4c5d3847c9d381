/**
 * Every pseudo-random generator in prhs. Each stream's outputs are fixed for a given seed
 * (test/random/streams.test.ts pins them): stored counterexamples, figures and cross-check inputs
 * are regenerated from seeds, so a generator here must never change its output.
 */
export { seededRandom, type RandomSource } from './randomSource.js';
export { xoshiro128StarStar } from './xoshiro128.js';
export { uniformSource, gaussianSource } from './mulberry32.js';
export { xorshift32 } from './xorshift32.js';
export { ansiCLcg, numericalRecipesLcg } from './lcg.js';
