/**
 * `pip install ./python` exactly as the README says, offline: the in-tree build backend
 * (python/build_backend/prhs_build.py) needs nothing from PyPI, so the install must succeed with
 * the index switched off (PIP_NO_INDEX) into a fresh virtual environment that sees the system's
 * numpy. Skipped, saying why, only when python3, its venv module or numpy is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/packageRoot.js';

const root = packageRoot();
const probe = spawnSync('python3', ['-c', 'import venv, numpy'], { encoding: 'utf8' });
const missing = probe.error
  ? 'python3 is not installed'
  : probe.status !== 0
    ? 'python3 lacks venv or numpy'
    : null;
const work = mkdtempSync(join(tmpdir(), 'prhs-pip-'));
const built = existsSync(join(root, 'dist/src/cli/main.js'));
/** The README's Python example (the one ```python block), run as written. */
const readmeExample = /```python\n([\s\S]*?)```/.exec(readFileSync(join(root, 'README.md'), 'utf8'))?.[1];
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = root) {
  const child = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { status: child.status, output: `${child.stdout}${child.stderr}` };
}

describe('pip install ./python', () => {
  it.skipIf(missing !== null)(`installs offline into a fresh environment${missing ? ` (skipped: ${missing})` : ''}`, () => {
    const venv = join(work, 'venv');
    const created = run('python3', ['-m', 'venv', '--system-site-packages', venv]);
    expect(created.status, created.output).toBe(0);
    const python = join(venv, 'bin/python');
    const installed = run(python, ['-m', 'pip', 'install', './python'], {
      PIP_NO_INDEX: '1',
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
    });
    expect(installed.status, installed.output).toBe(0);
    const imported = run(python, ['-c', 'import prhs_check; print(prhs_check.__file__)']);
    expect(imported.status, imported.output).toBe(0);
    expect(imported.output.trim().startsWith(venv), imported.output).toBe(true);
    const sitePackages = join(venv, 'lib', readdirSync(join(venv, 'lib'))[0]!, 'site-packages');
    const info = readdirSync(sitePackages).find((name) => /^prhs_check-.*\.dist-info$/.test(name));
    expect(info).toBeDefined();
    const metadata = readFileSync(join(sitePackages, info!, 'METADATA'), 'utf8');
    expect(metadata).toMatch(/^Name: prhs-check$/m);
    expect(metadata).toMatch(/^Requires-Dist: numpy$/m);
    expect(metadata).toMatch(/^Requires-Dist: torch; extra == "torch"$/m);
  }, 240_000);

  it.skipIf(missing !== null || !built)(
    `runs the README's Python example with the installed package${!built ? ' (skipped: dist/ is not built)' : ''}`,
    () => {
      expect(readmeExample, 'README.md has a ```python block').toBeDefined();
      const python = join(work, 'venv/bin/python');
      expect(existsSync(python), 'the install test made the environment').toBe(true);
      const folder = mkdtempSync(join(work, 'example-'));
      const result = run(
        python,
        ['-c', readmeExample!],
        { PRHS_CLI: `${JSON.stringify(process.execPath)} ${JSON.stringify(join(root, 'bin/prhs.js'))}` },
        folder,
      );
      expect(result.status, result.output).toBe(0);
      expect(result.output).toMatch(/^True \S+/m);
      expect(existsSync(join(folder, 'case.safetensors'))).toBe(true);
    },
    240_000,
  );

  it.skipIf(missing !== null)('reads pyproject.toml the same without tomllib', () => {
    const script = [
      'import sys, json',
      "sys.path.insert(0, 'python/build_backend')",
      'import prhs_build',
      "text = open('python/pyproject.toml', encoding='utf-8').read()",
      'fallback = prhs_build._parse_project_table(text)',
      'try:',
      '    import tomllib',
      "    print(json.dumps({'same': tomllib.loads(text)['project'] == fallback}))",
      'except ModuleNotFoundError:',
      "    print(json.dumps({'same': fallback.get('name') == 'prhs-check' and fallback.get('dependencies') == ['numpy']}))",
    ].join('\n');
    const result = run('python3', ['-c', script]);
    expect(result.status, result.output).toBe(0);
    expect(JSON.parse(result.output)).toEqual({ same: true });
  });
});
