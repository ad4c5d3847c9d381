/** `prhs props`: run property claims alone, deeper or with a given seed/path (replay a failure). */
import { claims, findClaim } from '../../claims/registry.js';
import { runClaim } from '../../claims/runClaim.js';
import { resolveSeed } from '../../claims/seed.js';
import { optionalShard, shardedRunOptions, shardRecord } from '../../claims/shard.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { integerOption, stringOption } from '../args.js';
import type { Command } from '../command.js';
import { formatDuration, formatTable } from '../table.js';
import { claimRecord } from './verify.js';

/** The version of `props --json`'s shape. */
export const PROPS_SCHEMA = 'prhs-props/1';

export const propsCommand: Command = {
  name: 'props',
  summary: 'run property suites (all, or one claim) with a chosen depth and seed',
  usage: 'prhs props [--claim ID] [--runs N] [--seed S] [--shard I/N] [--path P] [--json]',
  options: {
    claim: { type: 'string', placeholder: 'ID', description: 'the claim id to run (default: every property claim)' },
    runs: {
      type: 'string',
      placeholder: 'N',
      description: "number of random runs (default: the claim's own, or PRHS_RUNS)",
    },
    seed: { type: 'string', placeholder: 'S', description: 'seed (default: PRHS_SEED or a fresh one, printed)' },
    shard: {
      type: 'string',
      placeholder: 'I/N',
      description:
        'run shard I of N (0 ≤ I < N) of the campaign of --seed (its own seed and share of the runs); join the --json outputs with prhs merge',
    },
    path: {
      type: 'string',
      placeholder: 'P',
      description: 'replay exactly one case: the path printed with a counterexample (with --claim and its --seed)',
    },
    store: { type: 'boolean', description: 'store a newly found counterexample under properties/counterexamples/' },
    json: { type: 'boolean', description: 'print results as JSON' },
  },
  positionals: [],
  run(args, io) {
    const id = stringOption(args, 'claim');
    const path = stringOption(args, 'path');
    if (path !== undefined && !/^\d+(:\d+)*$/.test(path)) {
      throw new InvalidArgumentError(
        '--path',
        'a replay path of run and shrink indices such as 12:0:3 (printed with a counterexample)',
        JSON.stringify(path),
        'domain',
      );
    }
    let selected = claims.filter((claim) => claim.check.kind === 'property');
    if (id !== undefined) {
      const claim = findClaim(id);
      if (!claim)
        throw new InvalidArgumentError(
          '--claim',
          `a claim id (see \`prhs verify\`), e.g. ${claims[0]?.id}`,
          JSON.stringify(id),
          'domain',
        );
      if (claim.check.kind !== 'property')
        throw new InvalidArgumentError(
          '--claim',
          'a claim checked by a property suite',
          `${id}, which is checked by a proof certificate (use prhs prove)`,
          'domain',
        );
      selected = [claim];
    } else if (path !== undefined) {
      throw new InvalidArgumentError('--path', 'to be used together with --claim', 'no --claim', 'domain');
    }
    const seed = resolveSeed(stringOption(args, 'seed'));
    // A run path replays that one case (a shrink path walks on through its shrink stream) unless --runs asks for more.
    const runs = integerOption(args, 'runs', 1) ?? (path === undefined ? undefined : 1);
    const shard = optionalShard(stringOption(args, 'shard'));
    if (shard !== undefined && path !== undefined)
      throw new InvalidArgumentError(
        '--shard',
        'no --path (a path replays one case of one seed)',
        `--shard ${shard.index}/${shard.count} with --path`,
        'domain',
      );
    // fast-check walks the path through the run and shrink streams; a path past their end leaves nothing to run.
    const impossiblePath = () =>
      new InvalidArgumentError(
        '--path',
        `a path that exists for ${selected[0]!.id} with seed ${seed} (the one printed with its counterexample)`,
        `${JSON.stringify(path)}, which leads to no case`,
        'domain',
      );
    const results = selected.map((claim) => {
      try {
        return runClaim(claim, {
          ...shardedRunOptions({ claim, seed, runs, shard }),
          ...(path === undefined ? {} : { path }),
          store: Boolean(args.options.store),
        });
      } catch (error) {
        if (path !== undefined && error instanceof Error && error.message.startsWith('Unable to replay'))
          throw impossiblePath();
        throw error;
      }
    });
    if (path !== undefined && results[0]!.runs === 0) throw impossiblePath();
    if (args.options.json) {
      io.stdout(
        JSON.stringify({
          schema: PROPS_SCHEMA,
          seed,
          ...(shard === undefined ? {} : { shard: shardRecord(shard, seed) }),
          claims: results.map(claimRecord),
        }) + '\n',
      );
    } else {
      io.stdout(`seed ${seed}\n`);
      io.stdout(
        formatTable(
          ['claim', 'expected', 'status', 'runs', 'time'],
          results.map((r) => [
            r.id,
            r.expected,
            r.asExpected ? r.status : `${r.status} (!)`,
            String(r.runs),
            formatDuration(r.timeMs),
          ]),
        ),
      );
      for (const r of results.filter((x) => x.status !== 'holds')) io.stdout(`\n${r.id}: ${r.evidence}\n`);
      const replay = results.find((r) => !r.asExpected && r.path);
      if (replay) io.stdout(`\nreplay: prhs props --claim ${replay.id} --seed ${seed} --path ${replay.path}\n`);
    }
    return results.every((r) => r.asExpected) ? 0 : 1;
  },
};
