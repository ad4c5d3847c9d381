import { describe, expect, it } from 'vitest';
import { backendStatuses, parseBackendName, requiredBackends, requireBackend } from '../../src/backends/registry.js';
import { loadNativeAddon } from '../../src/backends/nativeAddon.js';
import { InvalidArgumentError } from '../../src/core/errors.js';

describe('backend registry', () => {
  it('reports every backend, loaded or with a reason', () => {
    const statuses = backendStatuses();
    expect(statuses.map((s) => (s.loaded ? s.backend.name : s.name))).toEqual(['reference', 'cpu', 'cuda']);
    for (const s of statuses) if (!s.loaded) expect(s.reason.length).toBeGreaterThan(10);
  });

  it('the CUDA slot says why it is absent instead of throwing', () => {
    const cuda = backendStatuses()[2]!;
    if (!cuda.loaded) expect(cuda.reason).toMatch(/CUDA/);
  });

  it('a missing addon file is a reason, not an exception', () => {
    const previous = process.env.PRHS_TEST_ADDON;
    process.env.PRHS_TEST_ADDON = '/nonexistent/prhs_native.node';
    try {
      const load = loadNativeAddon('nowhere', 'none.node', 'PRHS_TEST_ADDON');
      expect(load.ok).toBe(false);
      if (!load.ok) expect(load.reason).toMatch(/PRHS_TEST_ADDON points to \/nonexistent/);
    } finally {
      if (previous === undefined) delete process.env.PRHS_TEST_ADDON;
      else process.env.PRHS_TEST_ADDON = previous;
    }
  });

  it('a file that is not an addon is a reason too', () => {
    const load = loadNativeAddon('x', 'y', 'PRHS_TEST_NOT_ADDON');
    expect(load.ok).toBe(false);
    process.env.PRHS_TEST_NOT_ADDON = new URL('../../package.json', import.meta.url).pathname;
    try {
      const bad = loadNativeAddon('x', 'y', 'PRHS_TEST_NOT_ADDON');
      expect(bad.ok).toBe(false);
    } finally {
      delete process.env.PRHS_TEST_NOT_ADDON;
    }
  });

  it('parses PRHS_REQUIRE_BACKEND and rejects unknown names', () => {
    expect(requiredBackends({ PRHS_REQUIRE_BACKEND: 'cpu, cuda' })).toEqual(['cpu', 'cuda']);
    expect(requiredBackends({})).toEqual([]);
    expect(() => requiredBackends({ PRHS_REQUIRE_BACKEND: 'gpu' })).toThrow(InvalidArgumentError);
    expect(() => parseBackendName('--backend', 'tpu')).toThrow(/--backend/);
  });

  it('requireBackend returns the reference and explains a missing backend', () => {
    expect(requireBackend('reference').name).toBe('reference');
    const cuda = backendStatuses()[2]!;
    if (!cuda.loaded) expect(() => requireBackend('cuda')).toThrow(/backend cuda is not available/);
  });
});
