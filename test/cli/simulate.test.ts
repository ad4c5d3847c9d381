import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), interactive: false },
    out,
    err,
  };
}

const small = '--layers 1 --heads 2 --kv-heads 1 --steps 8 --context 200 --head-dim 16 --budget 24'.split(' ');

describe('prhs simulate / compare', () => {
  it('simulate --json prints the summary', async () => {
    const { io, out } = capture();
    expect(await main(['simulate', '--synthetic', 'drifting-query', '--selector', 'cis', ...small, '--json'], io)).toBe(
      0,
    );
    const record = JSON.parse(out.join(''));
    expect(record.selector).toBe('cis');
    expect(record.budget).toBe(24);
    expect(record.certifiedViolations).toBe(0);
    expect(record.meanDelta).toBeGreaterThanOrEqual(record.meanDeltaStar);
  });

  it('compare --json prints one row per trace and selector with the documented keys', async () => {
    const { io, out } = capture();
    expect(
      await main(['compare', '--synthetic', 'late-needle', '--selectors', 'oracle,cis,h2o', ...small, '--json'], io),
    ).toBe(0);
    const { rows } = JSON.parse(out.join(''));
    expect(rows.map((r: { selector: string }) => r.selector)).toEqual(['oracle', 'cis', 'h2o']);
    for (const key of ['selector', 'budget', 'meanDelta', 'maxDelta', 'meanGap', 'retrievalRate', 'bytesRatio'])
      expect(rows[0]).toHaveProperty(key);
    expect(rows[0].meanGap).toBeCloseTo(0, 12);
  });

  it('bad input is a one-line error and exit code 2', async () => {
    const { io, err } = capture();
    expect(await main(['simulate', '--synthetic', 'nope', '--selector', 'cis'], io)).toBe(2);
    expect(err.join('')).toMatch(/--synthetic: expected one of drifting-query/);
    const second = capture();
    expect(await main(['simulate', '--selector', 'cis'], second.io)).toBe(2);
    expect(second.err.join('')).toMatch(/exactly one of --trace FILE or --synthetic NAME/);
    const third = capture();
    expect(await main(['simulate', '--trace', '/nonexistent.safetensors', '--selector', 'cis'], third.io)).toBe(2);
    expect(third.err.join('')).toMatch(/does not exist/);
  });
});
