// Mutation testing (docs/mutation.md). `npm run test:mutation` runs scripts/mutation.mjs, which runs
// Stryker once per folder with this configuration, its own --mutate and incremental file.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  coverageAnalysis: 'perTest',
  // The machine is shared: one test process at a time.
  concurrency: 1,
  // Static mutants (module-level constants) would each need the whole suite: out of scope here.
  ignoreStatic: true,
  mutate: ['src/core/**/*.ts', '!src/core/index.ts'],
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  // Generous: on a loaded shared machine a mutant that only runs slowly must not count as killed by a timeout.
  timeoutMS: 60_000,
  dryRunTimeoutMinutes: 30,
  thresholds: { high: 90, low: 80, break: null },
};
