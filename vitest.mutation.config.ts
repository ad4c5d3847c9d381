/**
 * The tests Stryker runs against each mutant (`npm run test:mutation`, docs/mutation.md). The
 * whole suite under Stryker's instrumentation does not fit its initial-run timeout on this machine,
 * so scripts/mutation.mjs names, per mutated folder, the fast deterministic tests that exercise it
 * (PRHS_MUTATION_TESTS, comma-separated globs); the random property campaign
 * (properties/suites.test.ts), the CLI, figures and the simulator are left out. The property seed
 * is fixed so that the score is reproducible.
 */
import { defineConfig } from 'vitest/config';

process.env.PRHS_SEED ??= '20261206';
const include = (process.env.PRHS_MUTATION_TESTS ?? 'test/core/**/*.test.ts').split(',');

export default defineConfig({
  test: {
    include,
    globalSetup: ['test/setup/globalSeed.ts'],
    setupFiles: ['test/setup/seed.ts'],
    testTimeout: 300_000,
    reporters: ['default'],
  },
});
