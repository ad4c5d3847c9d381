import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { counterexampleDisplayPath, counterexamplePath } from '../../src/claims/counterexampleStore.js';
import { packageRoot } from '../../src/io/packageRoot.js';

describe('counterexample paths', () => {
  const saved = process.env.PRHS_COUNTEREXAMPLE_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.PRHS_COUNTEREXAMPLE_DIR;
    else process.env.PRHS_COUNTEREXAMPLE_DIR = saved;
  });

  it('default to properties/counterexamples/ in the package, reported relative to its root', () => {
    delete process.env.PRHS_COUNTEREXAMPLE_DIR;
    expect(counterexamplePath('cis.x')).toBe(join(packageRoot(), 'properties', 'counterexamples', 'cis.x.json'));
    expect(counterexampleDisplayPath('cis.x')).toBe('properties/counterexamples/cis.x.json');
  });

  it('follow PRHS_COUNTEREXAMPLE_DIR, reported absolute when outside the package', () => {
    process.env.PRHS_COUNTEREXAMPLE_DIR = '/elsewhere/store';
    expect(counterexamplePath('cis.x')).toBe('/elsewhere/store/cis.x.json');
    expect(counterexampleDisplayPath('cis.x')).toBe('/elsewhere/store/cis.x.json');
  });
});
