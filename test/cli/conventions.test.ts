/** CLI conventions: strict parsing, --version, help columns, tables aligned by display width. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionSignature, parseArgs } from '../../src/cli/args.js';
import { commands } from '../../src/cli/commands/index.js';
import { displayWidth } from '../../src/cli/displayWidth.js';
import { formatTable } from '../../src/cli/table.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { packageRoot } from '../../src/io/packageRoot.js';
import { runCli } from './runCli.js';

const spec = {
  runs: { type: 'string', placeholder: 'N', description: 'runs' },
  json: { type: 'boolean', description: 'json' },
} as const;

describe('parseArgs (node:util, strict)', () => {
  it('reads --name value, --name=value, flags and positionals', () => {
    expect(parseArgs(['--runs', '5', 'a', '--json'], spec)).toEqual({
      options: { runs: '5', json: true },
      positionals: ['a'],
    });
    expect(parseArgs(['--runs=-3'], spec).options.runs).toBe('-3');
    expect(parseArgs(['-'], spec).positionals).toEqual(['-']);
  });

  it.each([
    [['--bogus'], '--bogus', /one of --runs N, --json/],
    [['--runs'], '--runs', /a value \(--runs N\), received nothing/],
    [['--runs', '--json'], '--runs', /received another option/],
    [['--json=1'], '--json', /a flag without a value/],
    [['-x'], '-x', /unknown option/],
  ])('refuses %j naming the option', (argv, option, message) => {
    let error: unknown;
    try {
      parseArgs(argv, spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(option);
    expect((error as Error).message).toMatch(message);
  });

  it('names a value after the option when no placeholder is given', () => {
    expect(optionSignature('kv-heads', { type: 'string', description: '' })).toBe('--kv-heads KV_HEADS');
    expect(optionSignature('report', { type: 'string', placeholder: 'FILE', description: '' })).toBe('--report FILE');
  });

  it('refuses positionals when the command takes none', () => {
    expect(() => parseArgs(['stray'], spec, false)).toThrow(/takes no positional arguments.*"stray"/);
  });

  it('every command exits 2 on an unknown option and names it', async () => {
    for (const command of commands) {
      const run = await runCli([command.name, '--no-such-option']);
      expect(run.code, command.name).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^prhs ${command.name}: --no-such-option: expected one of`));
    }
  });

  it('commands that take no positionals refuse one', async () => {
    const run = await runCli(['doctor', 'extra']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/"extra"/);
  });
});

describe('prhs --version and help', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`prhs ${version}\n`);
  });

  it('aligns the option column and names every placeholder', async () => {
    for (const command of commands) {
      const run = await runCli([command.name, '--help']);
      expect(run.code).toBe(0);
      const lines = run.stdout
        .split('\n')
        .slice(run.stdout.split('\n').indexOf('Options:') + 1)
        .filter((l) => l.startsWith('  --'));
      expect(lines.length).toBe(Object.keys(command.options).length + 1);
      // The description starts in the same column on every line.
      const starts = new Set(lines.map((l) => /^ {2}\S.*?\S {2,}(?=\S)/.exec(l)?.[0].length));
      expect(starts.size, `${command.name}:\n${lines.join('\n')}`).toBe(1);
      for (const [name, option] of Object.entries(command.options)) {
        const signature = optionSignature(name, option);
        if (option.type === 'string') expect(signature, `${command.name} --${name}`).toMatch(/^--\S+ (?!VALUE$)\S+$/);
        expect(run.stdout).toContain(`  ${signature}  `);
        // The options list names the placeholder the usage line names (and may spell it out further).
        const inUsage = new RegExp(`--${name} ([A-Z][A-Z0-9_/|]*)`).exec(command.usage)?.[1];
        if (option.type === 'string' && inUsage)
          expect(
            signature.startsWith(`--${name} ${inUsage}`),
            `${command.name}: usage says --${name} ${inUsage}, help ${signature}`,
          ).toBe(true);
      }
    }
  });
});

describe('tables by display width', () => {
  it('counts a combining mark as no column', () => {
    expect('δ̂'.length).toBe(2);
    expect(displayWidth('δ̂')).toBe(1);
    expect(displayWidth('mean δ̂')).toBe(6);
    expect(displayWidth('表')).toBe(2);
  });

  it('aligns a column headed δ̂ with its cells', () => {
    const table = formatTable(
      ['mean δ̂', 'x'],
      [
        ['0.1234', 'a'],
        ['—', 'b'],
      ],
    );
    const lines = table.trimEnd().split('\n');
    const columnOfX = lines.map((line) => displayWidth(line.slice(0, line.search(/[xab-]$/))));
    expect(new Set(columnOfX).size).toBe(1);
  });
});
