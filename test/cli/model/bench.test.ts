/** `prhs model bench` bad input: every argument is refused (exit 2, the argument named) before the GPU is touched. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../runCli.js';

const folder = mkdtempSync(join(tmpdir(), 'prhs-model-bench-'));
let savedAddon: string | undefined;

beforeEach(() => {
  savedAddon = process.env.PRHS_CUDA_ADDON;
  process.env.PRHS_CUDA_ADDON = join(folder, 'no-such-addon.node');
});
afterEach(() => {
  if (savedAddon === undefined) delete process.env.PRHS_CUDA_ADDON;
  else process.env.PRHS_CUDA_ADDON = savedAddon;
});

async function refused(argv: string[], message: RegExp): Promise<void> {
  const run = await runCli(['model', 'bench', ...argv]);
  expect(run.code, run.stdout).toBe(2);
  expect(run.stderr).toMatch(message);
}

describe('prhs model bench', () => {
  it('refuses a missing or doubled model, an unknown shape and a bad dtype', async () => {
    await refused([], /--shape: expected exactly one of --shape NAME and --checkpoint DIR, received neither/);
    await refused(['--shape', 'llama2-7b', '--checkpoint', folder], /received both/);
    await refused(['--shape', 'llama9'], /--shape/);
    await refused(['--shape', 'llama2-7b', '--dtype', 'fp8'], /--dtype: expected fp16 or bf16/);
  });

  it('refuses a batch outside [1, 64], a bad context or step count', async () => {
    await refused(['--shape', 'llama2-7b', '--batch', '65'], /--batch: expected an integer in \[1, 64\]/);
    await refused(['--shape', 'llama2-7b', '--batch', '0'], /--batch/);
    await refused(['--shape', 'llama2-7b', '--context', '-3'], /--context/);
    await refused(['--shape', 'llama2-7b', '--steps', '0'], /--steps/);
  });

  it('refuses a selector it cannot run, a budget without a selector and a budget past the context', async () => {
    await refused(
      ['--shape', 'llama2-7b', '--selector', 'h2o', '--budget', '64'],
      /--selector: expected one of dense, cis, oracle, streaming/,
    );
    await refused(['--shape', 'llama2-7b', '--budget', '64'], /--budget/);
    await refused(
      ['--shape', 'llama2-7b', '--selector', 'cis', '--budget', '9000', '--context', '4096'],
      /--budget: expected at most the context/,
    );
  });

  it("refuses a context past a checkpoint's max_position_embeddings, naming the most it takes", async () => {
    const checkpoint = join(folder, 'tiny');
    const init = await runCli(['model', 'init', '--shape', 'tiny', '--out', checkpoint]);
    expect(init.code, init.stderr).toBe(0);
    await refused(
      ['--checkpoint', checkpoint, '--context', '500'],
      /--context: expected at most 436 \(max_position_embeddings 512 less 10 warmup, 50 steps and 16 spare\)/,
    );
  });

  it('refuses an unknown PRHS_LINEAR_VARIANT', async () => {
    const saved = process.env.PRHS_LINEAR_VARIANT;
    process.env.PRHS_LINEAR_VARIANT = 'fastest';
    try {
      await refused(
        ['--shape', 'llama2-7b'],
        /PRHS_LINEAR_VARIANT: expected auto, warp, deep, mma, received "fastest"/,
      );
    } finally {
      if (saved === undefined) delete process.env.PRHS_LINEAR_VARIANT;
      else process.env.PRHS_LINEAR_VARIANT = saved;
    }
  });

  it('without the CUDA addon: one clear error, exit 2', async () => {
    await refused(
      ['--shape', 'llama2-7b', '--batch', '16'],
      /model bench needs the CUDA addon .*PRHS_CUDA_ADDON points to .*no-such-addon\.node/,
    );
  });
});
