/** Formats kernel cross-check results: a fixed-width table for people, JSON for tools. */
import type { CheckResult } from './kernelChecks.js';

export interface KernelReport {
  readonly backend: string;
  readonly dtype: string;
  readonly results: readonly CheckResult[];
  readonly pass: boolean;
  /** Largest error/bound over the checks that have a bound. */
  readonly worstRatio: number;
  readonly seconds: number;
}

export function summarise(
  backend: string,
  dtype: string,
  results: readonly CheckResult[],
  seconds: number,
): KernelReport {
  const worstRatio = results.reduce((m, r) => (Number.isFinite(r.ratio) ? Math.max(m, r.ratio) : m), 0);
  return { backend, dtype, results, pass: results.every((r) => r.pass), worstRatio, seconds };
}

const number = (x: number) => (x === 0 ? '0' : Number.isFinite(x) ? x.toExponential(2) : String(x));

export function formatTable(report: KernelReport): string {
  const header = ['kernel', 'shape', 'max error', 'bound', 'error/bound', 'verdicts'];
  const rows = report.results.map((r) => [
    r.kernel,
    r.shape,
    number(r.maxError),
    number(r.bound),
    number(r.ratio),
    (r.pass ? 'pass' : 'FAIL') +
      ' ' +
      Object.entries(r.verdicts)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k}=${v ? 'y' : 'n'}`)
        .join(' '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const failed = report.results.filter((r) => !r.pass).length;
  return (
    [
      `backend ${report.backend}, dtype ${report.dtype}`,
      line(header),
      ...rows.map(line),
      `${report.results.length - failed} passed, ${failed} failed; largest error/bound ${number(report.worstRatio)}; ${report.seconds.toFixed(1)} s`,
    ].join('\n') + '\n'
  );
}
