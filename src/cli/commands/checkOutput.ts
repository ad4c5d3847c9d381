/** `prhs check-output FILE`: verifies a foreign kernel's stored outputs (src/verify/outputCheck.ts). */
import { InvalidArgumentError } from '../../core/errors.js';
import { readOutputCase } from '../../verify/outputCase.js';
import { checkOutput, type HeadResult, type TensorResult } from '../../verify/outputCheck.js';
import { outputReport, reportJson, type CheckOutputReport } from '../../verify/outputReport.js';
import { integerOption } from '../args.js';
import type { Command } from '../command.js';
import { formatTable } from '../table.js';

const number = (x: number | null | undefined) =>
  x === null || x === undefined ? '-' : x === 0 ? '0' : Number.isFinite(x) ? x.toExponential(2) : String(x);
const verdictText = (verdicts: Readonly<Record<string, boolean | null>>) =>
  Object.entries(verdicts)
    .map(([k, v]) => `${k}=${v === null ? 'n/a' : v ? 'y' : 'n'}`)
    .join(' ');

/** Heads listed in the table: all of them up to this many, else only the failing ones. */
const headsListedInFull = 64;

function headRows(heads: readonly HeadResult[]): string[][] {
  return heads.map((h) => [
    `${h.batch}`,
    `${h.head}`,
    number(h.maxError),
    number(h.bound),
    number(h.ratio),
    number(h.naiveError),
    number(h.droppedMass),
    h.denseGap === undefined ? '-' : `${number(h.denseGap)} / ${number(h.deltaAllowance)}`,
    `${h.pass ? 'pass' : 'FAIL'} ${verdictText(h.verdicts)}`,
  ]);
}

function tensorRows(tensors: readonly TensorResult[]): string[][] {
  return tensors.map((t) => [
    t.tensor,
    number(t.maxError),
    number(t.bound),
    number(t.ratio),
    number(t.naiveError),
    `${t.pass ? 'pass' : 'FAIL'} ${verdictText(t.verdicts)}`,
  ]);
}

export function formatOutputReport(r: CheckOutputReport): string {
  const s = r.shape;
  const lines = [
    `${r.file}: ${r.kind} attention, B${s.batch} Hq${s.queryHeads} Hkv${s.kvHeads} N${s.tokens} d${s.headDim} dv${s.valueDim}${s.selected ? ` k${s.selected}` : ''}, storage ${r.dtype}, scale ${r.scale} (${r.scaleSource})`,
    r.precision
      ? `precision model: ${r.precision.accumulation} accumulation, sum block ${r.precision.sumBlock ?? 'undeclared (any order)'}, exp error ${r.precision.expError.toExponential(3)}, P rounded to ${r.precision.probability ?? '(not rounded)'}`
      : 'precision model: none declared (metadata "accumulation"): the derived-bound verdicts are not applicable',
    '',
  ];
  const listed = r.heads.length <= headsListedInFull ? r.heads : r.heads.filter((h) => !h.pass);
  if (r.heads.length > 0) {
    lines.push(
      formatTable(
        ['b', 'h', 'max error', 'bound', 'error/bound', 'naive error', 'δ', 'gap / δ-allowance', 'verdicts'],
        headRows(listed),
      ),
    );
    if (listed.length < r.heads.length)
      lines.push(`(${r.heads.length - listed.length} passing heads not listed; --json lists every head)`, '');
  }
  lines.push(
    formatTable(['tensor', 'max error', 'bound', 'error/bound', 'naive error', 'verdicts'], tensorRows(r.tensors)),
  );
  if (r.precision) lines.push('The bound assumes:', ...r.precision.assumptions.map((a) => `  - ${a}`), '');
  const failedHeads = r.heads.filter((h) => !h.pass).length;
  lines.push(
    `${r.pass ? 'PASS' : 'FAIL'}: ${r.heads.length - failedHeads} of ${r.heads.length} heads pass; ${r.tensors.filter((t) => t.pass).length} of ${r.tensors.length} tensor checks pass; ${r.seconds.toFixed(1)} s`,
  );
  return lines.join('\n') + '\n';
}

export const checkOutputCommand: Command = {
  name: 'check-output',
  summary: "verify a kernel's stored outputs (safetensors or .npz) against the float64 reference and derived bounds",
  usage: 'prhs check-output FILE [--json] [--workers N] [--typescript]',
  options: {
    json: { type: 'boolean', description: 'print the report (schema prhs-check-output/1) as JSON' },
    workers: {
      type: 'string',
      placeholder: 'N',
      description: 'worker threads (default: the CPUs available for cases over 2^22 key elements, else 1)',
    },
    typescript: {
      type: 'boolean',
      description: 'compute everything in TypeScript, not in the native addon (same report, slower)',
    },
  },
  async run(args, io) {
    if (args.positionals.length !== 1)
      throw new InvalidArgumentError(
        'FILE',
        'exactly one file',
        args.positionals.length === 0 ? 'none' : args.positionals.map((p) => JSON.stringify(p)).join(' '),
        'length',
      );
    const file = args.positionals[0]!;
    const started = performance.now();
    const workers = integerOption(args, 'workers', 1);
    const c = readOutputCase(file);
    try {
      const check = await checkOutput(c, {
        path: file,
        native: args.options.typescript !== true,
        ...(workers === undefined ? {} : { workers }),
      });
      const report = outputReport(file, c, check, (performance.now() - started) / 1000);
      io.stdout(args.options.json === true ? reportJson(report) + '\n' : formatOutputReport(report));
      return report.pass ? 0 : 1;
    } finally {
      c.close();
    }
  },
};
