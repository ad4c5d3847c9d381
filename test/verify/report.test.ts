/**
 * The kernel cross-check report (`prhs check-kernels`, `prhs verify`): the summary (pass only when
 * every check passes, the worst finite error/bound) and the table people read (one aligned column
 * per field, the verdicts that apply, FAIL marked, a closing count).
 */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/verify/kernelChecks.js';
import { formatTable, summarise } from '../../src/verify/report.js';

function result(fields: Partial<CheckResult> & Pick<CheckResult, 'kernel'>): CheckResult {
  return {
    dtype: 'fp32',
    shape: 'B1 Hq1 Hkv1 N1 d1 dv1',
    maxError: 0,
    bound: 0,
    ratio: 0,
    pass: true,
    verdicts: {},
    seconds: 0,
    ...fields,
  };
}

const decode = result({
  kernel: 'decodeAttention',
  shape: 'B2 Hq8 Hkv2 N1000 d64 dv64',
  maxError: 1.5e-7,
  bound: 3e-6,
  ratio: 0.05,
  verdicts: { withinBound: true, withinTolerance: true, withinNaive: null },
});
const topK = result({
  kernel: 'topK',
  maxError: 0,
  bound: Infinity,
  ratio: Infinity,
  pass: false,
  verdicts: { exact: false },
});
const scores = result({ kernel: 'scores', ratio: 0.25, verdicts: { withinBound: true } });

describe('summarise', () => {
  it('passes only when every check passes', () => {
    expect(summarise('reference', 'fp32', [decode, scores], 1).pass).toBe(true);
    expect(summarise('reference', 'fp32', [decode, topK, scores], 1).pass).toBe(false);
    expect(summarise('reference', 'fp32', [topK], 1).pass).toBe(false);
    expect(summarise('reference', 'fp32', [], 1).pass).toBe(true);
  });
  it('reports the largest finite error/bound (an infinite ratio is a failure, not a size)', () => {
    expect(summarise('reference', 'fp32', [decode, topK, scores], 1).worstRatio).toBe(0.25);
    expect(summarise('reference', 'fp32', [scores, decode], 1).worstRatio).toBe(0.25);
    expect(summarise('reference', 'fp32', [topK], 1).worstRatio).toBe(0);
    expect(summarise('reference', 'fp32', [result({ kernel: 'x', ratio: Number.NaN })], 1).worstRatio).toBe(0);
  });
  it('keeps the backend, dtype, results and seconds', () => {
    const r = summarise('cpu', 'fp16', [decode], 2.5);
    expect(r).toMatchObject({ backend: 'cpu', dtype: 'fp16', seconds: 2.5 });
    expect(r.results).toEqual([decode]);
  });
});

describe('formatTable', () => {
  // Formatted inside each test (not at collection) so that every test exercises formatTable itself.
  const format = () => formatTable(summarise('cpu', 'fp32', [decode, topK, scores], 12.345));

  it('a title, a header, one row per check and a closing count, ending in a newline', () => {
    const text = format();
    const lines = text.split('\n');
    expect(text.endsWith('\n')).toBe(true);
    expect(lines).toHaveLength(1 + 1 + 3 + 1 + 1);
    expect(lines[0]).toBe('backend cpu, dtype fp32');
    expect(lines[5]).toBe('2 passed, 1 failed; largest error/bound 2.50e-1; 12.3 s');
    expect(lines[6]).toBe('');
  });
  it('aligns every column on the widest cell, two spaces apart, the last column unpadded', () => {
    const lines = format().split('\n');
    const widths = [
      'decodeAttention'.length,
      'B2 Hq8 Hkv2 N1000 d64 dv64'.length,
      'max error'.length,
      'Infinity'.length,
      'error/bound'.length,
    ];
    const starts = widths.reduce<number[]>((s, w) => [...s, s.at(-1)! + w + 2], [0]);
    const cells = (line: string) => starts.map((s, i) => line.slice(s, i < widths.length ? s + widths[i]! : undefined));
    expect(cells(lines[1]!)).toEqual([
      'kernel         ',
      'shape                     ',
      'max error',
      'bound   ',
      'error/bound',
      'verdicts',
    ]);
    expect(cells(lines[2]!).map((c) => c.trimEnd())).toEqual([
      'decodeAttention',
      'B2 Hq8 Hkv2 N1000 d64 dv64',
      '1.50e-7',
      '3.00e-6',
      '5.00e-2',
      'pass withinBound=y withinTolerance=y',
    ]);
    expect(cells(lines[3]!).map((c) => c.trimEnd())).toEqual([
      'topK',
      'B1 Hq1 Hkv1 N1 d1 dv1',
      '0',
      'Infinity',
      'Infinity',
      'FAIL exact=n',
    ]);
    expect(lines[4]!.endsWith('pass withinBound=y')).toBe(true);
    for (const line of lines.slice(1, 5)) for (const s of starts.slice(1)) expect(line.slice(s - 2, s)).toBe('  ');
  });
  it('a check without verdicts shows only pass or FAIL', () => {
    const t = formatTable(summarise('cpu', 'fp16', [result({ kernel: 'k' })], 0)).split('\n');
    expect(t[2]!.trimEnd().endsWith('pass')).toBe(true);
    expect(t[3]).toBe('1 passed, 0 failed; largest error/bound 0; 0.0 s');
  });
});
