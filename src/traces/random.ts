/** The trace generator lives with every other generator in src/random/; re-exported for the traces' callers. */
export { seededRandom, type RandomSource } from '../random/index.js';
