/** The addon loader's refusal names the npm script that builds the addon it looked for. */
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../src/backends/nativeAddon.js';

describe('loadNativeAddon', () => {
  it('names build:cuda for a missing CUDA addon and build:native for a missing CPU addon', () => {
    const cuda = loadNativeAddon('cuda', 'prhs_missing_test.node', 'PRHS_TEST_UNSET_ADDON');
    const cpu = loadNativeAddon('native', 'prhs_missing_test.node', 'PRHS_TEST_UNSET_ADDON');
    expect(cuda.ok).toBe(false);
    expect(cpu.ok).toBe(false);
    if (cuda.ok || cpu.ok) return;
    expect(cuda.reason).toMatch(/prhs_missing_test\.node does not exist \(not built; run `npm run build:cuda`\)/);
    expect(cpu.reason).toMatch(/prhs_missing_test\.node does not exist \(not built; run `npm run build:native`\)/);
  });

  it('names the environment variable when it points to a missing file', () => {
    process.env.PRHS_TEST_POINTED_ADDON = '/nonexistent/prhs_test.node';
    try {
      const load = loadNativeAddon('cuda', 'prhs_cuda.node', 'PRHS_TEST_POINTED_ADDON');
      expect(load.ok).toBe(false);
      if (!load.ok)
        expect(load.reason).toBe('PRHS_TEST_POINTED_ADDON points to /nonexistent/prhs_test.node, which does not exist');
    } finally {
      delete process.env.PRHS_TEST_POINTED_ADDON;
    }
  });
});
