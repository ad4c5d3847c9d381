/**
 * The Python helper (python/src/prhs_check) end to end: its tests (python/tests) run under python3
 * with numpy against the built CLI, without pytest or a pip install. Skipped, saying why, only when
 * python3 or numpy is missing, or dist/ is not built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/packageRoot.js';

const root = packageRoot();
const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const built = existsSync(join(root, 'dist/src/cli/main.js'));
const missing = numpy.error ? 'python3 is not installed' : numpy.status !== 0 ? 'numpy is not installed for python3' : !built ? 'dist/ is not built (npm run build)' : null;

describe('Python helper prhs_check', () => {
  it.skipIf(missing !== null)(`passes correct kernels and raises on planted bugs${missing ? ` (skipped: ${missing})` : ''}`, () => {
    const child = spawnSync('python3', [join(root, 'python/tests/run_without_pytest.py')], {
      encoding: 'utf8',
      env: { ...process.env, PRHS_CLI: `${JSON.stringify(process.execPath)} ${JSON.stringify(join(root, 'bin/prhs.js'))}` },
      timeout: 300_000,
    });
    const summary = /^(\d+) passed, (\d+) failed$/m.exec(child.stdout);
    expect(summary, child.stdout + child.stderr).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThanOrEqual(8);
    expect(child.stdout).toMatch(/^0 passed|, 0 failed$/m);
    expect(child.status, child.stdout + child.stderr).toBe(0);
  }, 300_000);
});
