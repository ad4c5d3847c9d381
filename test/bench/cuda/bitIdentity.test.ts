/**
 * The bit-identity check of the native kernels (bench/cuda/bit-identity.mjs and .sh), run here on
 * the CPU addon behind a stand-in for the CUDA-only entry points (gpuAddonStandIn.cjs: cisStep,
 * ModelEngine and benchmark, checking their arguments as the CUDA binding does): its digests cover
 * every kernel entry point, no case throws, two processes give the same digests, and the comparison
 * fails, naming the output, on a differing, missing, failed or nondeterministic digest.
 * The CUDA addon's run (every variant of PRHS_CUDA_DECODE / PRHS_CUDA_SPARSE) needs a GPU: the
 * header of bench/cuda/bit-identity.sh says how to build the two addons and run it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelMethods } from '../../../src/backends/kernelBackend.js';
import { packageRoot } from '../../../src/io/packageRoot.js';

const root = packageRoot();
const script = join(root, 'bench', 'cuda', 'bit-identity.mjs');
const shell = join(root, 'bench', 'cuda', 'bit-identity.sh');
const addon = process.env.PRHS_NATIVE_ADDON || join(root, 'build', 'native', 'Release', 'prhs_native.node');

interface Digests {
  info?: { decodeSummation: string };
  digests: Record<string, string>;
  unstable: string[];
  selfChecks: Record<string, number>;
}

const standIn = join(root, 'test', 'bench', 'cuda', 'gpuAddonStandIn.cjs');

function run(command: string, args: string[]) {
  const env = { ...process.env, PRHS_STAND_IN_CPU_ADDON: addon };
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 240_000, env });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function compare(old: Digests, updated: Digests) {
  const folder = mkdtempSync(join(tmpdir(), 'prhs-bit-identity-'));
  writeFileSync(join(folder, 'old.json'), JSON.stringify(old));
  writeFileSync(join(folder, 'new.json'), JSON.stringify(updated));
  return run('node', [script, '--compare', join(folder, 'old.json'), join(folder, 'new.json')]);
}

describe('bit-identity check (bench/cuda/bit-identity.*)', () => {
  it('rejects bad arguments with exit 2', () => {
    expect(run('node', [script]).status).toBe(2);
    expect(run('bash', [shell, 'only-one.node']).status).toBe(2);
    expect(run('bash', [shell, '--variants']).status).toBe(2);
    const missing = run('bash', [shell, join(tmpdir(), 'no-such-addon.node'), join(tmpdir(), 'no-such-addon.node')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no-such-addon\.node is not a file/);
  });

  const sample: Digests = {
    digests: { 'decodeAttention/mha/fp32': 'a'.repeat(64), 'topK/5x1000/k10': 'b'.repeat(64) },
    unstable: [],
    selfChecks: { 'benchmark/fp32/bitsDiffer:sparse': 0 },
  };

  it('passes identical digests and names every difference', () => {
    const same = compare(sample, sample);
    expect(same.status, same.stdout).toBe(0);
    expect(same.stdout).toMatch(/same bits: 2 outputs/);
    const changed = compare(sample, { ...sample, digests: { ...sample.digests, 'topK/5x1000/k10': 'c'.repeat(64) } });
    expect(changed.status).toBe(1);
    expect(changed.stdout).toMatch(/topK\/5x1000\/k10: differs/);
    const dropped = compare(sample, { ...sample, digests: { 'topK/5x1000/k10': 'b'.repeat(64) } });
    expect(dropped.status).toBe(1);
    expect(dropped.stdout).toMatch(/decodeAttention\/mha\/fp32: only in the old run/);
    const unstable = compare(sample, { ...sample, unstable: ['topK/5x1000/k10'] });
    expect(unstable.status).toBe(1);
    expect(unstable.stdout).toMatch(/topK\/5x1000\/k10: two runs of the new addon differ/);
    const failed = { ...sample, digests: { ...sample.digests, 'topK/5x1000/k10': 'error: k out of range' } };
    const thrown = compare(failed, failed);
    expect(thrown.status).toBe(1);
    expect(thrown.stdout).toMatch(/topK\/5x1000\/k10: the old addon threw \(k out of range\)/);
    const disagreeing = compare({ ...sample, selfChecks: { 'benchmark/fp32/bitsDiffer:sparse': 3 } }, sample);
    expect(disagreeing.status).toBe(1);
    expect(disagreeing.stdout).toMatch(/3 words differ from the chunk kernel in the old addon/);
  });

  it('lets the tensor-core dense step of a GQA shape differ from the chunk kernel, by the same words in both builds', () => {
    const gqa = 'benchmark/fp16/8q2kv/bitsDiffer:dense';
    const withCount = (summation: string, name: string, count: number): Digests => ({
      ...sample,
      info: { decodeSummation: summation },
      selfChecks: { ...sample.selfChecks, [name]: count },
    });
    const same = compare(withCount('tensor-core', gqa, 1024), withCount('tensor-core', gqa, 1024));
    expect(same.status, same.stdout).toBe(0);
    const moved = compare(withCount('tensor-core', gqa, 1024), withCount('tensor-core', gqa, 1000));
    expect(moved.status).toBe(1);
    expect(moved.stdout).toMatch(
      /8q2kv\/bitsDiffer:dense: 1024 words differ from the chunk kernel in the old addon, 1000 in the new/,
    );
    // The ordered kernels, multi-head shapes and fp32 keep the chunk kernel's order: any word is a problem.
    for (const [summation, name] of [
      ['ordered', gqa],
      ['tensor-core', 'benchmark/fp16/4q4kv/bitsDiffer:dense'],
      ['tensor-core', 'benchmark/fp32/8q2kv/bitsDiffer:dense'],
      ['tensor-core', 'benchmark/fp16/8q2kv/bitsDiffer:denseGroupL2'],
    ]) {
      const result = compare(withCount(summation, name, 5), withCount(summation, name, 5));
      expect(result.status, `${summation} ${name}`).toBe(1);
      expect(result.stdout).toMatch(/5 words differ from the chunk kernel in the old addon/);
    }
  });

  if (!existsSync(addon)) {
    it.skip(`skipped: ${addon} does not exist (run \`npm run build:native\`)`, () => {});
    return;
  }

  it('lists the variants it runs for an addon (--variants): the CUDA ones only where there is cisStep', () => {
    const cpu = run('bash', [shell, '--variants', addon]);
    expect(cpu.status, cpu.stderr).toBe(0);
    expect(cpu.stdout.trim().split('\n')).toEqual(['default']);
    const cuda = run('bash', [shell, '--variants', standIn]);
    expect(cuda.status, cuda.stderr).toBe(0);
    const lines = cuda.stdout.trim().split('\n');
    expect(lines[0]).toBe('default');
    expect(lines).toContain('PRHS_CUDA_DECODE=mma-pipelined PRHS_CUDA_MMA_CHUNKS=3');
    // Both merges of the tensor-core kernel, one chunk per block and several.
    expect(lines).toContain('PRHS_CUDA_DECODE=mma PRHS_CUDA_MMA_MERGE=fused');
    expect(lines).toContain('PRHS_CUDA_DECODE=mma PRHS_CUDA_MMA_MERGE=separate');
    expect(lines).toContain('PRHS_CUDA_DECODE=mma-pipelined PRHS_CUDA_MMA_CHUNKS=3 PRHS_CUDA_MMA_MERGE=separate');
    expect(lines).toContain('PRHS_SELECTION_KERNELS=old');
    expect(lines.length).toBe(22);
  });

  it('digests every kernel entry point, the same bits from two processes', () => {
    const folder = mkdtempSync(join(tmpdir(), 'prhs-bit-identity-'));
    const both = run('bash', [shell, standIn, standIn, folder, '^default$']);
    expect(both.status, both.stdout + both.stderr).toBe(0);
    expect(both.stdout).toMatch(/the same bits in every variant/);
    const native = JSON.parse(readFileSync(join(folder, 'default.old.json'), 'utf8')) as Digests;
    const names = Object.keys(native.digests);
    for (const entry of [...kernelMethods, 'cisStep', 'model']) {
      expect(names.filter((name) => name.startsWith(`${entry}/`)).length, entry).toBeGreaterThan(2);
    }
    expect(Object.keys(native.selfChecks).length).toBeGreaterThan(0);
    for (const dtype of ['fp32', 'fp16', 'bf16']) expect(names.some((name) => name.includes(`/${dtype}`))).toBe(true);
    expect(Object.values(native.digests).every((d) => /^[0-9a-f]{64}$/.test(d))).toBe(true);
    expect(native.unstable).toEqual([]);
    // Distinct inputs give distinct outputs: a digest that ignored the output would repeat.
    expect(new Set(Object.values(native.digests)).size).toBeGreaterThan(names.length * 0.9);
    const again = JSON.parse(readFileSync(join(folder, 'default.new.json'), 'utf8')) as Digests;
    expect(again.digests).toEqual(native.digests);
  }, 300_000);
});
