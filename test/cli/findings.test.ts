/**
 * The CLI findings of the outside audit (issue 17): file-system and size errors, option values
 * that were silently misread, and inputs that ran instead of being refused. Each is bad input:
 * exit code 2 and one line on stderr naming the argument, never exit 3 "internal error".
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './runCli.js';

const folder = mkdtempSync(join(tmpdir(), 'prhs-findings-'));
const aFile = join(folder, 'a-file.txt');
writeFileSync(aFile, 'not a folder');
/** A place no one can create files in, root included: sysfs refuses new files (Linux). */
const readOnlyPlace = existsSync('/sys/kernel') ? '/sys/prhs-cannot-write-here' : undefined;

function expectBadInput(run: { code: number; stdout: string; stderr: string }, argument: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(argument);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
}

describe('verify --report', () => {
  /** `prhs verify` of the claims under `claim`, one run each, nothing stored, the report to `report`. */
  const verifyTo = (claim: string, report: string) =>
    runCli(['verify', '--claim', claim, '--runs', '1', '--no-store', '--report', report]);

  it('refuses a folder before running any claim', async () => {
    const run = await verifyTo('reference.', folder);
    expectBadInput(run, /--report: expected a path where a file can be written, received .*is a folder/);
    expect(run.stdout).toBe('');
  });

  it('refuses a path under a file', async () => {
    expectBadInput(await verifyTo('reference.', join(aFile, 'verify.json')), /--report: .*(ENOTDIR|EEXIST)/);
  });

  it.runIf(readOnlyPlace !== undefined)('refuses a place where nothing can be written', async () => {
    expectBadInput(
      await verifyTo('reference.', join(readOnlyPlace!, 'verify.json')),
      /--report: .*(EPERM|EACCES|EROFS)/,
    );
  });

  it.runIf(existsSync('/proc/self'))('refuses a folder that cannot be created under /proc, and ends', async () => {
    expectBadInput(await verifyTo('reference.', '/proc/prhs-no-such-folder/verify.json'), /--report: .*ENOENT/);
  });

  it('creates missing folders of a writable place', async () => {
    const run = await verifyTo('reference.topk', join(folder, 'new', 'deeper', 'verify.json'));
    expect(run.code).toBe(0);
    expect(existsSync(join(folder, 'new', 'deeper', 'verify.json'))).toBe(true);
  });

  it('does not take the next option as its value', async () => {
    expectBadInput(
      await runCli(['verify', '--claim', 'reference.topk', '--report', '--json']),
      /--report: expected a value \(--report FILE\), received another option/,
    );
    expectBadInput(
      await runCli(['verify', '--claim', 'reference.topk', '--report']),
      /--report: expected a value \(--report FILE\), received nothing/,
    );
  });
});

describe('figures', () => {
  it('refuses --out onto a file', async () => {
    expectBadInput(
      await runCli(['figures', '--only', 'mi-loss', '--out', aFile]),
      /--out: expected a folder that can be created or written, received .*(EEXIST|ENOTDIR)/,
    );
  });

  it.runIf(readOnlyPlace !== undefined)('refuses --out in a read-only place', async () => {
    expectBadInput(
      await runCli(['figures', '--only', 'mi-loss', '--out', join(readOnlyPlace!, 'figures')]),
      /--out: .*(EPERM|EACCES|EROFS)/,
    );
  });

  it.each([
    ['--only ,', ['--only', ','], /--only: expected at least one figure name/],
    ['--only ""', ['--only', ''], /--only: expected figure names .*received an empty string/],
    ['--out ""', ['--out', ''], /--out: expected a folder path, received an empty string/],
    [
      '--bench on a missing folder',
      ['--bench', join(folder, 'missing')],
      /--bench: expected an existing folder, received .*does not exist/,
    ],
    ['--bench on a file', ['--bench', aFile], /--bench: expected an existing folder, received .*is a file/],
  ])('refuses %s instead of succeeding silently', async (_label, options, message) => {
    expectBadInput(await runCli(['figures', '--out', join(folder, 'figs'), ...options]), message);
  });
});

describe('trace files', () => {
  it('refuses a folder given as a .safetensors trace', async () => {
    const trace = join(folder, 'trace.safetensors');
    mkdirSync(trace, { recursive: true });
    expectBadInput(
      await runCli(['simulate', '--trace', trace, '--selector', 'oracle']),
      /tensor "file": .* is a folder, not a file/,
    );
  });

  it("refuses a folder given as one of a trace's files", async () => {
    const trace = join(folder, 'npy-trace');
    mkdirSync(join(trace, 'queries.npy'), { recursive: true });
    expectBadInput(
      await runCli(['simulate', '--trace', trace, '--selector', 'oracle']),
      /tensor "queries": .* is a folder, not a file/,
    );
  });
});

describe('sizes and values', () => {
  it('refuses a --context too large to allocate, naming it', async () => {
    expectBadInput(
      await runCli(['simulate', '--synthetic', 'drifting-query', '--selector', 'oracle', '--context', '1e9']),
      /--context: expected a synthetic trace of at most 2\^28 entries/,
    );
    expectBadInput(
      await runCli(['compare', '--synthetic', 'drifting-query', '--selectors', 'oracle', '--context', '1e9']),
      /--context: expected a synthetic trace/,
    );
  });

  it.each([
    ['verify', '--claim', 'reference.topk'],
    ['props', '--claim', 'reference.topk-order'],
    ['simulate', '--synthetic', 'drifting-query', '--selector', 'oracle'],
    ['figures', '--only', 'mi-loss'],
  ])("refuses --seed '' (it ran with seed 0): %s", async (...argv) => {
    expectBadInput(await runCli([...argv, '--seed', '']), /--seed: expected an integer/);
  });

  it('refuses --runs with blank text', async () => {
    expectBadInput(
      await runCli(['props', '--claim', 'reference.topk-order', '--runs', ' ']),
      /--runs: expected an integer ≥ 1/,
    );
  });
});

describe('props --path', () => {
  it('refuses a path that is not run and shrink indices', async () => {
    expectBadInput(
      await runCli(['props', '--claim', 'reference.topk-order', '--seed', '1', '--path', 'abc']),
      /--path: expected a replay path/,
    );
  });

  it('refuses a path that leads to no case instead of running random cases', async () => {
    for (const path of ['0:100000', '0:100000:100000']) {
      expectBadInput(
        await runCli(['props', '--claim', 'reference.topk-order', '--seed', '1', '--path', path]),
        /--path: expected a path that exists .*which leads to no case/,
      );
    }
  });

  it('replays one case for a run path', async () => {
    const run = await runCli(['props', '--claim', 'reference.topk-order', '--seed', '1', '--path', '7', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).claims[0].runs).toBe(1);
  });
});

describe('prove --check on a malformed file', () => {
  it.each([
    ['an empty file', '', /an empty file/],
    ['a truncated file', '{"claim": "scalar.tanh-below-linear", "obl', /invalid JSON/],
    ['null', 'null', /: null/],
  ])('is bad input (exit 2, stderr), not a rejected certificate: %s', async (_label, contents, message) => {
    const path = join(folder, `bad-${_label.replace(/\W/g, '')}.cert.json`);
    writeFileSync(path, contents);
    const run = await runCli(['prove', '--check', path]);
    expectBadInput(run, /--check: expected a certificate file \(a JSON object\)/);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });
});
