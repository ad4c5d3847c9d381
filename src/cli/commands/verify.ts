/**
 * `prhs verify`: the main job. Runs every claim in the registry (property suites, proof
 * certificates), prints the claims table and writes a JSON report atomically. Exit code 1 when a
 * claim expected to hold fails or a claim expected to fail finds no counterexample.
 */
import { resolve } from 'node:path';
import { claims } from '../../claims/registry.js';
import { runClaim, type ClaimResult } from '../../claims/runClaim.js';
import { resolveSeed } from '../../claims/seed.js';
import { optionalShard, shardedRunOptions, shardRecord } from '../../claims/shard.js';
import { writeReport } from '../writeReport.js';
import { availableBackends } from '../../backends/registry.js';
import { storageDtypes } from '../../numeric/storage.js';
import { runKernelChecks } from '../../verify/harness.js';
import { summarise } from '../../verify/report.js';
import { integerOption, nonEmptyOption, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { checkWritableFile } from '../fileErrors.js';
import { progressBar } from '../progress.js';
import { formatDuration, formatTable } from '../table.js';

/** The version of the report's shape (schemas/verify.schema.json). */
export const VERIFY_SCHEMA = 'prhs-verify/1';

/** The JSON shape of a claim in `verify --json` and in the report. */
export function claimRecord(result: ClaimResult) {
  return {
    id: result.id,
    title: result.title,
    expected: result.expected,
    status: result.status,
    asExpected: result.asExpected,
    runs: result.runs,
    seed: result.seed,
    timeMs: Math.round(result.timeMs),
    evidence: result.evidence,
    ...(result.counterexample ? { counterexample: result.counterexample, path: result.path } : {}),
  };
}

/** Largest context the kernel section of `verify` checks; `prhs check-kernels` goes to 2²⁰. */
const VERIFY_KERNEL_TOKENS = 1 << 16;

/** The kernel cross-checks on every native backend present, one row per (backend, dtype). */
function kernelSection(seed: number, onStart: (label: string) => void) {
  return availableBackends()
    .filter((backend) => backend.name !== 'reference')
    .flatMap((backend) =>
      storageDtypes.map((dtype) => {
        onStart(`kernels ${backend.name} ${dtype}`);
        const started = performance.now();
        const results = runKernelChecks(backend, dtype, { maxTokens: VERIFY_KERNEL_TOKENS, seed });
        const report = summarise(backend.name, dtype, results, (performance.now() - started) / 1000);
        const failed = results.filter((r) => !r.pass);
        return {
          backend: backend.name,
          dtype,
          pass: report.pass,
          checks: results.length,
          failed: failed.length,
          worstRatio: report.worstRatio,
          maxTokens: VERIFY_KERNEL_TOKENS,
          timeMs: Math.round(performance.now() - started),
          evidence: report.pass
            ? `${results.length} checks within their derived bounds (largest error/bound ${report.worstRatio.toExponential(2)})`
            : `${failed.length} of ${results.length} checks fail: ${failed
                .slice(0, 3)
                .map((r) => `${r.kernel} ${r.shape}`)
                .join('; ')}`,
        };
      }),
    );
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'run every claim (properties, proof certificates) and print the claims table',
  usage:
    'prhs verify [--runs N] [--seed S] [--claim PREFIX] [--shard I/N] [--report FILE] [--no-store] [--no-kernels] [--json]',
  options: {
    runs: {
      type: 'string',
      placeholder: 'N',
      description: "runs per property claim (default: each claim's own; PRHS_RUNS also works)",
    },
    seed: {
      type: 'string',
      placeholder: 'S',
      description: 'seed for every claim (default: PRHS_SEED or a fresh one, printed)',
    },
    claim: { type: 'string', placeholder: 'PREFIX', description: 'only claims whose id starts with this prefix' },
    shard: {
      type: 'string',
      placeholder: 'I/N',
      description:
        "run shard I of N (0 ≤ I < N) of the campaign of --seed: its own seed and share of each claim's runs; kernels only in shard 0; join the reports with prhs merge",
    },
    report: {
      type: 'string',
      placeholder: 'FILE',
      description: 'where to write the JSON report (default reports/verify.json)',
    },
    'no-store': {
      type: 'boolean',
      description: 'do not store newly found counterexamples under properties/counterexamples/',
    },
    'no-kernels': { type: 'boolean', description: 'skip the kernel cross-checks on the native backends present' },
    json: { type: 'boolean', description: 'print the report as JSON on stdout instead of the table' },
  },
  positionals: [],
  run(args, io) {
    const seed = resolveSeed(stringOption(args, 'seed'));
    const runs = integerOption(args, 'runs', 1);
    const shard = optionalShard(stringOption(args, 'shard'));
    const prefix = stringOption(args, 'claim');
    const selected = claims.filter((claim) => prefix === undefined || claim.id.startsWith(prefix));
    if (selected.length === 0) {
      io.stderr(`prhs verify: no claim id starts with "${prefix}"\n`);
      return 2;
    }
    // Checked before any claim runs: a bad report path must not cost a whole verification.
    const reportPath = resolve(nonEmptyOption(args, 'report', 'a file path') ?? 'reports/verify.json');
    checkWritableFile('--report', reportPath);
    if (!args.options.json)
      io.stdout(
        `prhs verify: ${selected.length} claims, seed ${seed} (replay with --seed ${seed} or PRHS_SEED=${seed})\n\n`,
      );
    const started = performance.now();
    const withKernels =
      !args.options['no-kernels'] && prefix === undefined && (shard === undefined || shard.index === 0);
    const kernelRuns = withKernels
      ? availableBackends().filter((b) => b.name !== 'reference').length * storageDtypes.length
      : 0;
    const progress = progressBar(io, selected.length + kernelRuns, 'verify');
    const results = selected.map((claim) => {
      progress.tick(claim.id);
      return runClaim(claim, {
        ...shardedRunOptions({ claim, seed, runs, shard }),
        store: !args.options['no-store'],
      });
    });
    const kernels = withKernels ? kernelSection(seed, (label) => progress.tick(label)) : [];
    progress.done();
    const elapsedMs = performance.now() - started;
    const unexpected = results.filter((r) => !r.asExpected);
    const failingKernels = kernels.filter((k) => !k.pass);
    const report = {
      schema: VERIFY_SCHEMA,
      tool: 'prhs verify',
      createdAt: new Date().toISOString(),
      seed,
      ...(shard === undefined ? {} : { shard: shardRecord(shard, seed) }),
      elapsedMs: Math.round(elapsedMs),
      ok: unexpected.length === 0 && failingKernels.length === 0,
      claims: results.map(claimRecord),
      kernels,
    };
    writeReport('--report', reportPath, JSON.stringify(report, null, 2) + '\n');

    if (args.options.json) {
      io.stdout(JSON.stringify(report) + '\n');
    } else {
      const rows = results.map((r) => [
        r.id,
        r.expected,
        r.asExpected ? r.status : `${r.status} (!)`,
        String(r.runs),
        String(r.seed),
        formatDuration(r.timeMs),
      ]);
      io.stdout(formatTable(['claim', 'expected', 'status', 'runs', 'seed', 'time'], rows));
      const failing = results.filter((r) => r.status === 'fails');
      if (failing.length > 0) {
        io.stdout('\nCounterexamples (claims that fail, as found this run):\n');
        for (const r of failing) io.stdout(`  ${r.id}${r.asExpected ? '' : ' (UNEXPECTED)'}: ${r.evidence}\n`);
      }
      for (const r of unexpected.filter((u) => u.status !== 'fails'))
        io.stdout(`\n  ${r.id} (UNEXPECTED ${r.status}): ${r.evidence}\n`);
      if (kernels.length > 0) {
        io.stdout(
          `\nKernel cross-checks against the float64 reference (N up to ${VERIFY_KERNEL_TOKENS}; prhs check-kernels goes to 2^20):\n`,
        );
        io.stdout(
          formatTable(
            ['backend', 'dtype', 'status', 'checks', 'error/bound', 'time'],
            kernels.map((k) => [
              k.backend,
              k.dtype,
              k.pass ? 'pass' : 'FAIL',
              String(k.checks),
              k.worstRatio.toExponential(2),
              formatDuration(k.timeMs),
            ]),
          ),
        );
      } else if (withKernels) {
        io.stdout('\nKernel cross-checks: no native backend loaded (run `prhs doctor`).\n');
      }
      const kernelLine =
        kernels.length > 0
          ? `, ${kernels.length - failingKernels.length}/${kernels.length} kernel cross-checks pass`
          : '';
      io.stdout(
        `\n${results.length - unexpected.length}/${results.length} claims as expected${kernelLine} in ${formatDuration(elapsedMs)}; report written to ${reportPath}\n`,
      );
    }
    return unexpected.length === 0 && failingKernels.length === 0 ? 0 : 1;
  },
};
