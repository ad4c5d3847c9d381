/**
 * scripts/compare-cubins.mjs on cubins that nvcc compiles here from two tiny kernels: a renamed
 * variable and a moved helper give the same machine code, a changed constant does not, a missing
 * kernel is named, a file that is not a cubin is bad input. Skipped where nvcc is not installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/packageRoot.js';

const script = join(packageRoot(), 'scripts', 'compare-cubins.mjs');
const hasNvcc = spawnSync('nvcc', ['--version'], { encoding: 'utf8' }).status === 0;
const folder = mkdtempSync(join(tmpdir(), 'prhs-cubins-'));

function cubin(name: string, source: string): string {
  const cu = join(folder, `${name}.cu`);
  writeFileSync(cu, source);
  const out = join(folder, `${name}.cubin`);
  const result = spawnSync('nvcc', ['-cubin', '-O3', '-arch=sm_90', cu, '-o', out], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`nvcc failed on ${name}: ${result.stderr}`);
  return out;
}

function compare(...files: string[]) {
  const result = spawnSync('node', [script, ...files], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const kernel = (body: string) => `namespace { ${body} }
__global__ void scaleRow(float* x, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) x[i] = step(x[i]); }
__global__ void clearRow(float* x, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) x[i] = 0.f; }`;

describe.skipIf(!hasNvcc)('compare-cubins (scripts/compare-cubins.mjs)', () => {
  it('finds a pure refactor identical and a changed constant different, naming the kernel', () => {
    const base = cubin(
      'base',
      kernel('__device__ float step(float v) { float scaled = v * 3.f; return scaled + 1.f; }'),
    );
    const renamed = cubin(
      'renamed',
      kernel('__device__ float step(float value) { float y = value * 3.f; return y + 1.f; }'),
    );
    const changed = cubin('changed', kernel('__device__ float step(float v) { return v * 3.f + 2.f; }'));
    const same = compare(base, renamed);
    expect(same.status, same.stdout).toBe(0);
    expect(same.stdout).toMatch(/the same machine code in all 2 kernels/);
    const different = compare(base, changed);
    expect(different.status).toBe(1);
    expect(different.stdout).toMatch(/DIFFERENT .*scaleRow/);
    expect(different.stdout).toMatch(/same \d+ bytes: .*clearRow/);
    const fewer = cubin(
      'fewer',
      '__global__ void clearRow(float* x, int n) { if (threadIdx.x < n) x[threadIdx.x] = 0.f; }',
    );
    const missing = compare(base, fewer);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toMatch(/only in old: .*scaleRow/);
  }, 120_000);

  it('refuses bad arguments and files that are not cubins with exit 2', () => {
    expect(compare().status).toBe(2);
    const text = join(folder, 'notes.txt');
    writeFileSync(text, 'not an ELF file');
    const refused = compare(text, text);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/notes\.txt is not an ELF64 file/);
    expect(compare(join(folder, 'absent.cubin'), text).stderr).toMatch(/cannot read .*absent\.cubin/);
  });
});
