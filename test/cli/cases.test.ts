/** `prhs cases export` through main(): the manifest on stdout with its schema, exit 2 on a bad action or destination. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './runCli.js';

const run = runCli;

const folder = mkdtempSync(join(tmpdir(), 'prhs-cli-cases-'));

describe('prhs cases export', () => {
  it('writes the folder and prints the manifest with --json', async () => {
    const out = join(folder, 'cases');
    const { code, stdout } = await run(['cases', 'export', '--out', out, '--tokens', '32', '--json']);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout);
    expect(printed.schema).toBe('prhs-cases/1');
    expect(printed.cases).toEqual(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).cases);
    expect(existsSync(join(out, 'kN.safetensors'))).toBe(true);
  });

  it('exits 2 naming the action or the destination', async () => {
    expect((await run(['cases', 'import', '--out', folder])).stderr).toMatch(
      /ACTION: expected export, received "import"/,
    );
    expect((await run(['cases', 'export'])).stderr).toMatch(/--out: expected a folder, received nothing/);
    writeFileSync(join(folder, 'occupied'), 'x');
    const occupied = await run(['cases', 'export', '--out', folder]);
    expect(occupied.code).toBe(2);
    expect(occupied.stderr).toMatch(/--out: expected a new or empty folder \(or --force to replace it\)/);
    expect((await run(['cases', 'export', '--out', join(folder, 'x'), '--tokens', '1'])).stderr).toMatch(
      /--tokens: expected an integer ≥ 2/,
    );
  });
});
