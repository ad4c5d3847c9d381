/**
 * Fixes one seed for the whole test run and prints it, so any failure replays with
 * PRHS_SEED=<seed> npm test. Workers inherit the environment set here.
 */
import { resolveSeed } from '../../src/claims/seed.js';

export default function setup(): void {
  const seed = resolveSeed();
  process.env.PRHS_SEED = String(seed);
  const runs = process.env.PRHS_RUNS ? `, PRHS_RUNS=${process.env.PRHS_RUNS}` : '';
  console.log(`prhs: property seed ${seed} (replay with PRHS_SEED=${seed}${runs})`);
}
