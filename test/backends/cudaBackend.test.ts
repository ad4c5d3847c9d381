import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cudaPrecision, loadCudaBackend } from '../../src/backends/cudaBackend.js';
import { packageRoot } from '../../src/io/packageRoot.js';

describe('cudaPrecision', () => {
  it('charges two expf calls and the merge subtraction, and the chunked sum depth', () => {
    const p = cudaPrecision(64);
    expect(p.unitRoundoff).toBe(2 ** -24);
    expect(p.expError).toBeCloseTo(2 * 2 ** -22 + 87.34 * 2 ** -24, 15);
    expect(p.probabilityRoundoff).toBe(0);
    // min(n, 64) + ceil(n / 64): the chunk's sums, then one merge term per chunk.
    expect(p.sumDepth(1)).toBe(2);
    expect(p.sumDepth(64)).toBe(65);
    expect(p.sumDepth(2 ** 20)).toBe(64 + 2 ** 14);
  });
});

const addonPath = join(packageRoot(), 'build', 'cuda', 'Release', 'prhs_cuda.node');

interface ReportedKernels {
  decodeSummation?: string;
  decodeSummationError?: string;
  mmaMerge?: string;
  mmaMergeError?: string;
}

/** info() of the built addon in a fresh process (the PRHS_CUDA_* switches are read once per process). */
function infoWithEnv(variables: Record<string, string>): ReportedKernels {
  const script = `process.stdout.write(JSON.stringify(require(${JSON.stringify(addonPath)}).info()))`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...variables }, encoding: 'utf8' }),
  ) as ReportedKernels;
}

function infoWith(decode: string): ReportedKernels {
  return infoWithEnv({ PRHS_CUDA_DECODE: decode });
}

describe('the dense decode kernel the addon reports (PRHS_CUDA_DECODE)', () => {
  it.runIf(existsSync(addonPath))(
    'tensor-core by default (mma for GQA) and for mma and mma-pipelined, ordered for chunk or group, an error naming the variable otherwise',
    () => {
      expect(infoWith('').decodeSummation).toBe('tensor-core');
      expect(infoWith('chunk').decodeSummation).toBe('ordered');
      expect(infoWith('group').decodeSummation).toBe('ordered');
      expect(infoWith('mma').decodeSummation).toBe('tensor-core');
      expect(infoWith('mma-pipelined').decodeSummation).toBe('tensor-core');
      const bad = infoWith('fast');
      expect(bad.decodeSummation).toBeUndefined();
      expect(bad.decodeSummationError).toMatch(/PRHS_CUDA_DECODE \(must be chunk, group, mma or mma-pipelined\)/);
    },
  );
});

describe("who merges the tensor-core decode's partials (PRHS_CUDA_MMA_MERGE)", () => {
  it.runIf(existsSync(addonPath))(
    'separate by default and for separate, fused for fused, an error naming the variable otherwise',
    () => {
      expect(infoWithEnv({ PRHS_CUDA_MMA_MERGE: '' }).mmaMerge).toBe('separate');
      expect(infoWithEnv({ PRHS_CUDA_MMA_MERGE: 'fused' }).mmaMerge).toBe('fused');
      expect(infoWithEnv({ PRHS_CUDA_MMA_MERGE: 'separate' }).mmaMerge).toBe('separate');
      const bad = infoWithEnv({ PRHS_CUDA_MMA_MERGE: 'both' });
      expect(bad.mmaMerge).toBeUndefined();
      expect(bad.mmaMergeError).toMatch(/PRHS_CUDA_MMA_MERGE \(must be fused or separate\)/);
    },
  );
});

describe('loadCudaBackend', () => {
  it('never throws, and says why when it is not available', () => {
    const load = loadCudaBackend();
    if (!load.loaded) expect(load.reason.length).toBeGreaterThan(0);
    else expect(load.backend.name).toBe('cuda');
  });

  it.runIf(existsSync(join(packageRoot(), 'build', 'cuda', 'Release', 'prhs_cuda.node')))(
    'the built addon loads without a GPU and names the CUDA error',
    async () => {
      const { createRequire } = await import('node:module');
      const addon = createRequire(import.meta.url)(
        join(packageRoot(), 'build', 'cuda', 'Release', 'prhs_cuda.node'),
      ) as {
        info(): { device: string; deviceError?: string; abiVersion: number };
        topK(options: object): Int32Array;
      };
      const info = addon.info();
      expect(info.abiVersion).toBe(1);
      // Argument errors come first, from the CPU binding's validation code.
      expect(() => addon.topK({ scores: new Float32Array(3), rows: 1, columns: 4, k: 1 })).toThrow(
        /^scores: expected a Float32Array of length 4/,
      );
      if (info.device === '') {
        expect(info.deviceError).toMatch(/^cuda[A-Za-z]+: /);
        let error: unknown;
        try {
          addon.topK({ scores: new Float32Array(4), rows: 1, columns: 4, k: 1 });
        } catch (e) {
          error = e;
        }
        expect(error).toMatchObject({ code: 'ERR_PRHS_CUDA', cudaError: expect.stringMatching(/^cuda[A-Za-z]+$/) });
      }
    },
  );
});
