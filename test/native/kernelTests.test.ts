/**
 * The C++ kernel test driver (native/test/kernelTests.cpp: every kernel over odd shapes against a
 * float64 computation, the ISA builds bit for bit, the fp16/bf16 conversions exhaustively), built
 * beside the addon by `npm install` / `npm run build:native`. Where the build produced no driver
 * (no compiler: prhs then runs on the float64 reference) the test is skipped with the reason, and
 * fails instead under CI or PRHS_REQUIRE_BACKEND=cpu, so a broken native build cannot pass there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requiredBackends } from '../../src/backends/registry.js';
import { packageRoot } from '../../src/io/packageRoot.js';

/** PRHS_KERNEL_TESTS, or where cmake-js leaves the driver (beside the addon, or in the build folder). */
function driverPath(): string | undefined {
  const candidates = process.env.PRHS_KERNEL_TESTS
    ? [process.env.PRHS_KERNEL_TESTS]
    : ['Release', ''].map((folder) => join(packageRoot(), 'build', 'native', folder, 'prhs_kernel_tests'));
  return candidates.find((path) => existsSync(path));
}

const driver = driverPath();
const required = Boolean(process.env.CI) || requiredBackends().includes('cpu');

describe('native kernel test driver (native/test/kernelTests.cpp)', () => {
  if (driver === undefined) {
    const reason = 'no build/native/prhs_kernel_tests: run `npm run build:native` (or set PRHS_KERNEL_TESTS)';
    if (required) it('was built', () => expect.fail(`${reason}; required under CI or PRHS_REQUIRE_BACKEND=cpu`));
    else it.skip(`skipped: ${reason}`, () => {});
    return;
  }
  it('passes every check', () => {
    const run = spawnSync(driver, [], { encoding: 'utf8', timeout: 300_000 });
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
    expect(run.error, output).toBeUndefined();
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/all passed/);
  });
});
