// Times two builds of the CUDA addon on the same card in one call, to show that a change which
// should not move a kernel's speed (a refactor, a new file layout) did not: each round runs the
// addon's `benchmark` on every config in a child process per build (an addon is loaded once per
// process), the old build first, then the new; after ROUNDS rounds it reports, per config and
// timing, each build's median over the rounds (of the benchmark's own medians), the spread of the
// rounds, and new / old. Nothing is asserted: the table is the result.
//
//   node bench/cuda/build-speed.mjs CONFIGS_JSON OLD.node NEW.node OUT_JSON [--rounds N] [--timings REGEX]
//
// CONFIGS_JSON is bench.mjs's format ({ repeats, copyBytes, configs: [...] }); --timings keeps the
// timings whose name matches (default: all). Exit 2 on bad arguments or a child that fails.
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { timeCell } from './timeCell.mjs';
import { summariseBuildSpeed, formatBuildSpeed } from './buildSpeedSummary.mjs';

const self = fileURLToPath(import.meta.url);

function fail(message) {
  console.error(`buildSpeed: ${message}`);
  process.exit(2);
}

/** Child: one build's timings on every config, as JSON on stdout. */
function child(addonPath, configPath) {
  const setup = JSON.parse(readFileSync(configPath, 'utf8'));
  const addon = createRequire(import.meta.url)(resolve(addonPath));
  // A config the addon rejects is kept as its error, so one bad cell does not lose the others.
  const runs = setup.configs.map((config) => {
    try {
      const timings = timeCell(addon, setup, config);
      return {
        label: config.label,
        timings: timings
          .filter((t) => !t.name.startsWith('bitsDiffer:'))
          .map((t) => ({ name: t.name, medianMs: t.medianMs })),
      };
    } catch (error) {
      return { label: config.label, error: error instanceof Error ? error.message : String(error), timings: [] };
    }
  });
  process.stdout.write(JSON.stringify({ device: addon.info().device ?? null, runs }));
}

function readConfigs(path) {
  let setup;
  try {
    setup = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail(`CONFIGS_JSON ${path}: ${error instanceof Error ? error.message : error}`);
  }
  if (!Array.isArray(setup?.configs) || setup.configs.length === 0) fail(`CONFIGS_JSON ${path}: no "configs" array`);
  return setup;
}

function runBuild(addonPath, configPath) {
  const result = spawnSync(process.execPath, [self, '--child', addonPath, configPath], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0) fail(`${addonPath}: the benchmark failed (exit ${result.status}): ${result.stderr.trim()}`);
  return JSON.parse(result.stdout);
}

function main() {
  if (process.argv[2] === '--child') return child(process.argv[3], process.argv[4]);
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { rounds: { type: 'string', default: '5' }, timings: { type: 'string', default: '' } },
    });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const [configPath, oldPath, newPath, outPath] = parsed.positionals;
  if (parsed.positionals.length !== 4)
    fail(
      'usage: node bench/cuda/build-speed.mjs CONFIGS_JSON OLD.node NEW.node OUT_JSON [--rounds N] [--timings REGEX]',
    );
  const rounds = Number(parsed.values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) fail('--rounds: expected an integer in [1, 100]');
  let keep;
  try {
    keep = new RegExp(parsed.values.timings);
  } catch (error) {
    fail(`--timings: ${error instanceof Error ? error.message : error}`);
  }
  readConfigs(configPath);
  const oldRounds = [];
  const newRounds = [];
  for (let r = 0; r < rounds; r++) {
    oldRounds.push(runBuild(oldPath, configPath));
    newRounds.push(runBuild(newPath, configPath));
    console.error(`buildSpeed: round ${r + 1}/${rounds} done`);
  }
  const summary = summariseBuildSpeed({ oldRounds, newRounds, keep });
  const errors = [...oldRounds, ...newRounds].flatMap((round) =>
    round.runs.filter((run) => run.error).map((run) => `${run.label}: ${run.error}`),
  );
  const report = {
    device: oldRounds[0].device,
    rounds,
    old: oldPath,
    new: newPath,
    rows: summary,
    errors: [...new Set(errors)],
  };
  writeFileSync(`${outPath}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${outPath}.tmp`, outPath);
  console.log(formatBuildSpeed(report));
  for (const error of report.errors) console.log(`ERROR ${error}`);
}

main();
