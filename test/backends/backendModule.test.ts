/** A user's backend module: loaded, validated member by member, and run through the suite. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkKernelBackend, loadBackendModule } from '../../src/backends/backendModule.js';
import { referenceBackend } from '../../src/backends/reference/referenceBackend.js';

const folder = mkdtempSync(join(tmpdir(), 'prhs-backend-module-'));
const referenceUrl = pathToFileURL(join(import.meta.dirname, '../../src/backends/reference/referenceBackend.ts')).href;

describe('checkKernelBackend', () => {
  it('accepts a complete backend', () => {
    expect(checkKernelBackend('--backend-module', { ...referenceBackend, name: 'mine' }).name).toBe('mine');
  });

  it.each([
    ['no object', null, /--backend-module: expected a module exporting a KernelBackend/],
    ['a missing kernel', { ...referenceBackend, topK: undefined }, /--backend-module: topK: expected a function/],
    [
      'no precision model',
      { ...referenceBackend, precision: undefined },
      /precision: expected a BackendPrecision object/,
    ],
    [
      'a negative roundoff',
      { ...referenceBackend, precision: { ...referenceBackend.precision, expError: -1 } },
      /precision\.expError: expected a relative error in \[0, 1\)/,
    ],
    [
      'a zero unit roundoff',
      { ...referenceBackend, precision: { ...referenceBackend.precision, unitRoundoff: 0 } },
      /precision\.unitRoundoff: expected a positive unit roundoff/,
    ],
    [
      'a bad summation depth',
      { ...referenceBackend, precision: { ...referenceBackend.precision, sumDepth: () => Number.NaN } },
      /precision\.sumDepth\(1\): expected a finite number ≥ 1/,
    ],
  ])('refuses %s, naming the member', (_label, value, message) => {
    expect(() => checkKernelBackend('--backend-module', value)).toThrow(message);
  });
});

describe('loadBackendModule', () => {
  it('loads `backend`, a default export, or a factory', async () => {
    const forms = {
      'named.mjs': `import { referenceBackend } from '${referenceUrl}'; export const backend = { ...referenceBackend, name: 'named' };`,
      'default.mjs': `import { referenceBackend } from '${referenceUrl}'; export default { ...referenceBackend, name: 'default' };`,
      'factory.mjs': `import { referenceBackend } from '${referenceUrl}'; export default async () => ({ ...referenceBackend, name: 'factory' });`,
    };
    for (const [file, source] of Object.entries(forms)) {
      writeFileSync(join(folder, file), source);
      expect((await loadBackendModule(join(folder, file))).name).toBe(file.replace('.mjs', ''));
    }
  });

  it('names the option for a missing file and for a module that throws', async () => {
    await expect(loadBackendModule(join(folder, 'missing.mjs'))).rejects.toThrow(/--backend-module: .*does not exist/);
    writeFileSync(join(folder, 'throws.mjs'), 'throw new Error("addon not built");');
    await expect(loadBackendModule(join(folder, 'throws.mjs'))).rejects.toThrow(
      /--backend-module: expected a JavaScript module that imports without error, .*addon not built/,
    );
  });
});
