#!/usr/bin/env node
// Mutation testing (docs/mutation.md): runs Stryker (stryker.config.mjs) once per target, one after
// the other, each with its own incremental file under reports/mutation/<target>/ so a rerun only
// re-tests mutants in changed code or changed tests, and prints the score of each target.
//
//   npm run test:mutation                         # src/core, src/info, src/selectors, src/proofs, src/verify
//   npm run test:mutation -- src/proofs/checker.ts src/core
//   npm run test:mutation -- --full src/core      # ignore the incremental file (a fresh measurement)
//   npm run test:mutation -- --tests=test/verify/topKComparison.test.ts src/verify/topKComparison.ts
//                                                 # only these tests (comma-separated globs) instead of the folder's
//
// The property seed is fixed (PRHS_SEED, default 20261206) so the score is reproducible.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stryker } from '@stryker-mutator/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const defaultTargets = ['src/core', 'src/info', 'src/selectors', 'src/proofs', 'src/verify'];

/**
 * The tests run against the mutants of each folder (vitest.mutation.config.ts): the folder's own
 * unit, model and deterministic tests, which must kill what matters without the random campaign.
 */
const testsFor = {
  'src/core': ['test/core/**/*.test.ts'],
  // claimsDetectBugs runs whole seeded claim campaigns (minutes per mutant): the property campaign, left out.
  'src/info': ['test/info/**/*.test.ts', '!test/info/claimsDetectBugs.test.ts'],
  'src/selectors': ['test/selectors/**/*.test.ts'],
  'src/proofs': ['test/proofs/**/*.test.ts'],
  'src/verify': ['test/verify/**/*.test.ts'],
};

function testsForTarget(target) {
  const folder = Object.keys(testsFor).find((f) => target === f || target.startsWith(`${f}/`));
  if (!folder) {
    console.error(
      `prhs test:mutation: no tests are mapped for ${target}; targets lie under ${Object.keys(testsFor).join(', ')}`,
    );
    process.exit(2);
  }
  return testsFor[folder].join(',');
}

const args = process.argv.slice(2);
const full = args.includes('--full');
// A narrower test selection for a file whose folder tests are too slow to run per mutant (the
// score is then a lower bound: a mutant only a left-out test kills counts as surviving).
const testsOption = args.find((a) => a.startsWith('--tests='));
const testsOverride = testsOption === undefined ? undefined : testsOption.slice('--tests='.length);
if (testsOverride !== undefined && !/^test\/[A-Za-z0-9/._*!,-]+$/.test(testsOverride)) {
  console.error(
    `prhs test:mutation: --tests must be comma-separated globs under test/, received ${JSON.stringify(testsOverride)}`,
  );
  process.exit(2);
}
const unknown = args.filter((a) => a.startsWith('--') && a !== '--full' && a !== testsOption);
if (unknown.length > 0) {
  console.error(`prhs test:mutation: unknown option ${unknown[0]} (options: --full, --tests=<globs>)`);
  process.exit(2);
}
const targets = args.filter((a) => !a.startsWith('--'));
for (const target of targets) {
  if (!/^src\/[A-Za-z0-9/._-]+$/.test(target)) {
    console.error(
      `prhs test:mutation: a target must be a folder or file under src/, received ${JSON.stringify(target)}`,
    );
    process.exit(2);
  }
}
process.env.PRHS_SEED ??= '20261206';

/** Stryker's mutate patterns for a folder (every .ts but the re-exporting index.ts) or one file. */
function mutatePatterns(target) {
  return target.endsWith('.ts') ? [target] : [`${target}/**/*.ts`, `!${target}/**/index.ts`];
}

/** killed + timeout over every mutant with a verdict (no coverage counts as survived), in percent. */
function score(results) {
  const count = (status) => results.filter((r) => r.status === status).length;
  const killed = count('Killed') + count('Timeout');
  const survived = count('Survived') + count('NoCoverage');
  return {
    killed,
    survived,
    total: killed + survived,
    percent: killed + survived === 0 ? 100 : (100 * killed) / (killed + survived),
  };
}

const rows = [];
for (const target of targets.length > 0 ? targets : defaultTargets) {
  // A run with its own test selection keeps its own incremental file.
  const suffix = testsOverride === undefined ? '' : '-selected-tests';
  const folder = join('reports', 'mutation', target.replace(/^src\//, '').replace(/[/.]/g, '-') + suffix);
  mkdirSync(join(root, folder), { recursive: true });
  process.env.PRHS_MUTATION_TESTS = testsOverride ?? testsForTarget(target);
  console.log(
    `\nprhs test:mutation: ${target} against ${process.env.PRHS_MUTATION_TESTS} (PRHS_SEED=${process.env.PRHS_SEED}; reports in ${folder}/)`,
  );
  const results = await new Stryker({
    mutate: mutatePatterns(target),
    incremental: !full,
    incrementalFile: join(folder, 'stryker-incremental.json'),
    jsonReporter: { fileName: join(folder, 'mutation.json') },
    htmlReporter: { fileName: join(folder, 'mutation.html') },
  }).runMutationTest();
  const s = score(results);
  rows.push({ target, ...s });
  for (const r of results.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')) {
    console.log(
      `  ${r.status.padEnd(10)} ${r.fileName}:${r.location.start.line} ${r.mutatorName}: ${JSON.stringify(r.replacement ?? '')}`,
    );
  }
}

console.log('\ntarget                     killed  survived  score');
for (const r of rows)
  console.log(
    `${r.target.padEnd(26)} ${String(r.killed).padStart(6)}  ${String(r.survived).padStart(8)}  ${r.percent.toFixed(1)}%`,
  );
