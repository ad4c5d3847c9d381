// Every fast-check run inside a test file (including @fast-check/vitest's test.prop) uses the run's seed.
import fc from 'fast-check';
import { resolveSeed } from '../../src/claims/seed.js';

fc.configureGlobal({
  seed: resolveSeed(),
  ...(process.env.PRHS_RUNS ? { numRuns: Number(process.env.PRHS_RUNS) } : {}),
});
