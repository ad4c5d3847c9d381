/**
 * A test of the cross-check harness: run by native/mutants/run-mutants.sh (CPU) or
 * run-cuda-mutants.sh (GPU) against an addon built with one hand-made kernel mutant
 * (native/src/mutants.hpp), it requires that the harness fails on the kernel the mutant breaks.
 * Skipped unless PRHS_KERNEL_MUTANT names the mutant built into the addon that PRHS_NATIVE_ADDON
 * (or PRHS_CUDA_ADDON, with PRHS_KERNEL_MUTANT_BACKEND=cuda) points to.
 */
import { describe, expect, it } from 'vitest';
import { loadBackend } from '../../src/backends/registry.js';
import { runKernelChecks } from '../../src/verify/harness.js';

/** Mutant name → a kernel whose cross-check must fail. */
const mustFail: Readonly<Record<string, string>> = {
  'no-max-subtraction': 'decodeAttention',
  'wrong-tie-order': 'topK',
  'skip-last-element': 'droppedMass',
  'page-off-by-one': 'sparseAttention',
  race: 'decodeAttention',
};

const mutant = process.env.PRHS_KERNEL_MUTANT;
const backendName = process.env.PRHS_KERNEL_MUTANT_BACKEND === 'cuda' ? 'cuda' : 'cpu';

describe.skipIf(mutant === undefined)(`the cross-check catches the kernel mutant ${mutant}`, () => {
  it('fails the kernel the mutant breaks', () => {
    expect(Object.keys(mustFail), `unknown mutant ${mutant}`).toContain(mutant);
    const load = loadBackend(backendName);
    expect(load.loaded, load.loaded ? '' : load.reason).toBe(true);
    if (!load.loaded) return;
    const failed = runKernelChecks(load.backend, 'fp32', { maxTokens: 4096 }).filter((r) => !r.pass);
    expect(failed.map((r) => r.kernel)).toContain(mustFail[mutant!]);
  });
});
