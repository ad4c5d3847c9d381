/**
 * Source rules that a reviewer would otherwise check by grep: properties leave their domain with
 * fc.pre (so out-of-domain cases are counted, capped and reported, never passed), and nothing
 * cites a design document that is not in the repository.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/packageRoot.js';

const root = packageRoot();

function filesUnder(folder: string, extensions: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, extensions));
    else if (extensions.some((extension) => name.endsWith(extension))) out.push(path);
  }
  return out;
}

describe('source hygiene', () => {
  it('no property leaves its domain with an early `return true` (fc.pre counts and caps such cases)', () => {
    const offenders = filesUnder(join(root, 'properties'), ['.ts']).flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${relative(root, path)}:${i + 1}` }))
        .filter(({ line }) => /\bif\s*\(.*\)\s*return true\b/.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });

  it('nothing cites a "SPEC" document (it is not in the repository: say the thing or point to theory/ or the README)', () => {
    const pending = new Set<string>();
    const folders = ['src', 'properties', 'theory', 'docs', 'native/src', 'native/cuda', 'bench', 'scripts', 'test'];
    const offenders = folders
      .flatMap((folder) =>
        filesUnder(join(root, folder), ['.ts', '.js', '.mjs', '.md', '.cpp', '.h', '.hpp', '.cu', '.cuh', '.sh']),
      )
      .filter((path) => !pending.has(relative(root, path)) && !path.endsWith('sourceHygiene.test.ts'))
      .filter((path) => /\bSPEC\b/.test(readFileSync(path, 'utf8')))
      .map((path) => relative(root, path));
    expect(offenders).toEqual([]);
  });
});
