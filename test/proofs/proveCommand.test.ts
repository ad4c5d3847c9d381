import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificatePath } from '../../src/claims/certificates.js';
import { main } from '../../src/cli/main.js';
import { packageRoot } from '../../src/io/packageRoot.js';

function capture(): {
  io: { stdout: (t: string) => void; stderr: (t: string) => void; interactive: boolean };
  out: () => string;
} {
  let text = '';
  return { io: { stdout: (t) => (text += t), stderr: (t) => (text += t), interactive: false }, out: () => text };
}

describe('prhs prove --check', () => {
  it('verifies the committed certificates', async () => {
    const { io, out } = capture();
    expect(await main(['prove', '--check', join(packageRoot(), 'proofs'), '--json'], io)).toBe(0);
    const rows = JSON.parse(out()).claims as Array<{ id: string; ok: boolean }>;
    expect(rows.length).toBeGreaterThanOrEqual(10);
    expect(rows.every((r) => r.ok)).toBe(true);
  });

  it('rejects a corrupted certificate, naming the box, with exit code 1', async () => {
    const original = readFileSync(join(packageRoot(), certificatePath('scalar.tanh-below-linear')), 'utf8');
    const folder = mkdtempSync(join(tmpdir(), 'prhs-prove-'));
    const file = join(folder, 'tampered.cert.json');
    writeFileSync(file, original.replace('"slope":[0,0.5000000004656614]', '"slope":[0.6,0.7]'));
    const { io, out } = capture();
    expect(await main(['prove', '--check', file], io)).toBe(1);
    expect(out()).toContain('REJECTED');
    expect(out()).toContain('box #0 (r ∈ [0, ∞])');
  });

  it('rejects an unknown claim as bad input', async () => {
    const { io, out } = capture();
    expect(await main(['prove', '--claim', 'scalar.nope'], io)).toBe(2);
    expect(out()).toContain('--claim');
  });
});
