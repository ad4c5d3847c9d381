/** `prhs check-output` end to end through main(): exit codes, the table, --json with its schema, errors naming the file. */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeInputs } from '../../src/backends/reference/float64Kernels.js';
import { packageRoot } from '../../src/io/packageRoot.js';
import { naiveDecode } from '../../src/verify/naiveKernels.js';
import { randomAttentionInputs } from '../../src/verify/randomInputs.js';
import { scratchPath, writeCase } from '../verify/caseFiles.js';
import { runCli as run } from './runCli.js';

const shape = { batch: 1, queryHeads: 4, kvHeads: 2, tokens: 100, headDim: 8, valueDim: 4 };
const inputs = randomAttentionInputs('fp16', shape, 21);
const out = naiveDecode(decodeInputs(inputs));

function caseFile(values: ArrayLike<number>, metadata: Record<string, string> = { accumulation: 'fp32' }): string {
  return writeCase(
    {
      q: { shape: [1, 4, 8], data: inputs.query, dtype: 'F16' },
      k: { shape: [1, 2, 100, 8], data: inputs.keys, dtype: 'F16' },
      v: { shape: [1, 2, 100, 4], data: inputs.values, dtype: 'F16' },
      out: { shape: [1, 4, 4], data: Float32Array.from(values) },
    },
    metadata,
  );
}

describe('prhs check-output', () => {
  it('prints the per-head table and exits 0 on a correct output', async () => {
    const { code, stdout } = await run(['check-output', caseFile(out)]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/dense attention, B1 Hq4 Hkv2 N100 d8 dv4, storage fp16/);
    expect(stdout).toMatch(/precision model: fp32 accumulation, sum block undeclared/);
    expect(stdout).toMatch(/^0\s+3\s+\S+\s+\S+\s+\S+\s+\S+\s+-\s+-\s+pass withinBound=y/m);
    expect(stdout).toMatch(/The bound assumes:/);
    expect(stdout).toMatch(/^PASS: 4 of 4 heads pass; 1 of 1 tensor checks pass/m);
  });

  it('--json carries the schema and every head; a planted 1e-3 error exits 1', async () => {
    const { code, stdout } = await run(['check-output', caseFile(out.map((v) => v * (1 + 1e-3))), '--json']);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      schema: 'prhs-check-output/1',
      kind: 'dense',
      dtype: 'fp16',
      scaleSource: 'default 1/sqrt(headDim)',
      pass: false,
    });
    expect(report.heads).toHaveLength(4);
    expect(report.precision.assumptions.length).toBeGreaterThan(3);
    expect(report.tensors[0].verdicts.withinBound).toBe(false);
  });

  it('says the bound verdict is not applicable without a precision model', async () => {
    const { code, stdout } = await run(['check-output', caseFile(out, {})]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/precision model: none declared .*not applicable/);
    expect(stdout).toMatch(/withinBound=n\/a/);
  });

  it('exits 2 with an error naming the file, the tensor or the option', async () => {
    const missing = await run(['check-output', scratchPath('no-such-file.safetensors')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^prhs check-output: FILE: expected an existing safetensors or \.npz file/);
    const garbage = scratchPath('garbage.safetensors');
    writeFileSync(garbage, 'not a tensor file at all');
    expect((await run(['check-output', garbage])).stderr).toMatch(/tensor "header": declares \d+ header bytes/);
    expect((await run(['check-output'])).stderr).toMatch(/FILE: expected exactly one file, received none/);
    expect((await run(['check-output', caseFile(out), '--workers', '0'])).stderr).toMatch(
      /--workers: expected an integer ≥ 1/,
    );
    expect((await run(['check-output', caseFile(out), '--bogus'])).code).toBe(2);
  });

  // Worker threads exist only in the built package: run bin/prhs.js (skipped when dist/ is not built).
  const built = existsSync(join(packageRoot(), 'dist/src/cli/main.js'));
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [join(packageRoot(), 'bin/prhs.js'), 'check-output', ...args], { encoding: 'utf8' });

  it.skipIf(!built)('worker threads give the same report as one thread, and refuse bad values with exit 2', () => {
    const withoutSeconds = (text: string) => ({ ...JSON.parse(text), seconds: 0 });
    const file = caseFile(out);
    const one = cli([file, '--json', '--workers', '1']);
    const two = cli([file, '--json', '--workers', '2']);
    expect(one.status).toBe(0);
    expect(two.status).toBe(0);
    expect(withoutSeconds(two.stdout)).toEqual(withoutSeconds(one.stdout));
    const bad = writeCase(
      {
        q: { shape: [1, 4, 8], data: new Float32Array(32).fill(0.5) },
        k: { shape: [1, 2, 100, 8], data: new Float32Array(1600).fill(0.1) },
        v: { shape: [1, 2, 100, 4], data: new Float32Array(800) },
        out: { shape: [1, 4, 4], data: new Float32Array(16) },
      },
      { dtype: 'fp16' },
    );
    const refused = cli([bad, '--workers', '2']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /^prhs check-output: k\[flat \d+\]: expected a value representable in the storage dtype fp16/,
    );
  });
});
