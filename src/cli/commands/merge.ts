/**
 * `prhs merge REPORTS...`: joins the reports of a sharded campaign (`prhs verify --shard i/n`, or
 * `prhs props --shard i/n --json` output) into one report (src/claims/mergeReports.ts), prints the
 * claims table and writes the merged report atomically. Exit 1 when a claim is not as expected or a
 * kernel cross-check failed, 2 for bad input (an unreadable file, or not a complete campaign).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { mergeReports, requireShardReport } from '../../claims/mergeReports.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { writeFileAtomic } from '../../io/atomicWrite.js';
import { stringOption } from '../args.js';
import type { Command } from '../command.js';
import { formatDuration, formatTable } from '../table.js';

function readReport(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(
      file,
      'a readable report file',
      (error as NodeJS.ErrnoException).code ?? (error as Error).message,
      'type',
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(file, 'a JSON report', `malformed JSON (${(error as Error).message})`, 'type');
  }
}

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'join the reports of a sharded campaign (verify/props --shard i/n) into one',
  usage: 'prhs merge REPORT... [--report FILE] [--json]',
  options: {
    report: {
      type: 'string',
      placeholder: 'FILE',
      description: 'where to write the merged report (default reports/merged.json)',
    },
    json: { type: 'boolean', description: 'print the merged report as JSON on stdout instead of the table' },
  },
  run(args, io) {
    const files = args.positionals;
    if (files.length === 0)
      throw new InvalidArgumentError('REPORT', 'the report files of every shard of a campaign', 'none', 'length');
    const merged = {
      schema: 'prhs-merge/1',
      ...mergeReports(
        files.map((file) => requireShardReport(readReport(file), file)),
        files,
      ),
    };
    const reportPath = resolve(stringOption(args, 'report') ?? 'reports/merged.json');
    try {
      writeFileAtomic(reportPath, JSON.stringify(merged, null, 2) + '\n');
    } catch (error) {
      throw new InvalidArgumentError(
        '--report',
        'a writable file path',
        `${reportPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        'type',
      );
    }
    if (args.options.json) {
      io.stdout(JSON.stringify(merged) + '\n');
    } else {
      io.stdout(`prhs merge: ${merged.shards} shards of the campaign of seed ${merged.seed}\n\n`);
      const rows = merged.claims.map((c) => [
        c.id,
        c.expected,
        c.asExpected ? c.status : `${c.status} (!)`,
        String(c.runs),
        formatDuration(c.timeMs),
      ]);
      io.stdout(formatTable(['claim', 'expected', 'status', 'runs', 'time'], rows));
      for (const c of merged.claims.filter((x) => x.status === 'fails' || !x.asExpected))
        io.stdout(`\n  ${c.id}${c.asExpected ? '' : ' (UNEXPECTED)'}: ${c.evidence}\n`);
      const failedKernels = merged.kernels.filter((k) => !(k as { pass: boolean }).pass).length;
      const kernelLine =
        merged.kernels.length > 0
          ? `, ${merged.kernels.length - failedKernels}/${merged.kernels.length} kernel cross-checks pass`
          : '';
      const expected = merged.claims.filter((c) => c.asExpected).length;
      io.stdout(
        `\n${expected}/${merged.claims.length} claims as expected${kernelLine}; merged report written to ${reportPath}\n`,
      );
    }
    return merged.ok ? 0 : 1;
  },
};
