/**
 * The claim runner: statuses, seeds, and the store/replay cycle of minimal counterexamples.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAssert, type Claim } from '../../src/claims/claim.js';
import { findClaim } from '../../src/claims/registry.js';
import { MAX_SKIPS_PER_RUN, runClaim } from '../../src/claims/runClaim.js';

/** "Every list of naturals sums to less than 10": false, and the minimal counterexample is [10]. */
const sumBelowTen: Claim = {
  id: 'test.sum-below-ten',
  title: 'sums stay below ten',
  statement: 'Σ x < 10 for every list of naturals',
  domain: 'lists of naturals',
  source: 'ours',
  expected: 'fails',
  check: {
    kind: 'property',
    runs: 200,
    property: () =>
      fc.property(fc.array(fc.nat({ max: 100 })), (xs) => {
        const sum = xs.reduce((a, b) => a + b, 0);
        claimAssert(sum < 10, () => `sum is ${sum}`);
      }),
  },
};

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'prhs-counterexamples-'));
  process.env.PRHS_COUNTEREXAMPLE_DIR = folder;
});
afterAll(() => {
  delete process.env.PRHS_COUNTEREXAMPLE_DIR;
  rmSync(folder, { recursive: true, force: true });
});

describe('runClaim', () => {
  it('finds, shrinks and stores a minimal counterexample, with seed and path', () => {
    const result = runClaim(sumBelowTen, { seed: 42, store: true });
    expect(result.status).toBe('fails');
    expect(result.asExpected).toBe(true);
    expect(result.counterexample).toEqual([[10]]);
    expect(result.evidence).toMatch(/seed 42, path/);
    const stored = JSON.parse(readFileSync(join(folder, 'test.sum-below-ten.json'), 'utf8'));
    expect(stored[0].counterexample).toEqual([[10]]);
    expect(stored[0].explanation).toBe('sum is 10');
    expect(result.storedAt, 'the report names the file PRHS_COUNTEREXAMPLE_DIR put it in').toBe(
      join(folder, 'test.sum-below-ten.json'),
    );
  });

  it('replays the stored counterexample first, before random cases', () => {
    // Same claim id, but a generator that only ever produces [] (never a counterexample): the
    // failure can only come from the stored example being replayed.
    const onlyEmpty: Claim = {
      ...sumBelowTen,
      check: {
        kind: 'property',
        runs: 5,
        property: () =>
          fc.property(fc.constant([] as number[]), (xs) => {
            const sum = xs.reduce((a, b) => a + b, 0);
            claimAssert(sum < 10, () => `sum is ${sum}`);
          }),
      },
    };
    const replayed = runClaim(onlyEmpty, { seed: 1 });
    expect(replayed.status).toBe('fails');
    expect(replayed.counterexample).toEqual([[10]]);
    expect(runClaim(onlyEmpty, { seed: 1, replayStored: false }).status).toBe('holds');
  });

  it('replays an exact case from seed and path', () => {
    const first = runClaim(sumBelowTen, { seed: 7, replayStored: false });
    const replay = runClaim(sumBelowTen, { seed: 7, path: first.path!, replayStored: false });
    expect(replay.status).toBe('fails');
    expect(replay.counterexample).toEqual(first.counterexample);
  });

  it('reports a claim expected to hold that fails as unexpected', () => {
    const result = runClaim({ ...sumBelowTen, expected: 'holds' }, { seed: 3, replayStored: false });
    expect(result.status).toBe('fails');
    expect(result.asExpected).toBe(false);
  });

  it('reports a claim expected to fail that finds nothing as unexpected', () => {
    const vacuous: Claim = {
      ...sumBelowTen,
      check: {
        kind: 'property',
        runs: 50,
        property: () => fc.property(fc.nat({ max: 5 }), (x) => claimAssert(x < 10, () => 'never')),
      },
    };
    const result = runClaim(vacuous, { seed: 3, replayStored: false });
    expect(result.status).toBe('holds');
    expect(result.asExpected).toBe(false);
  });

  it('reports a verified proof of a claim expected to fail as unexpected', () => {
    const proved = findClaim('scalar.tanh-below-linear')!;
    expect(runClaim(proved).status).toBe('machine-checked');
    expect(runClaim(proved).asExpected).toBe(true);
    const result = runClaim({ ...proved, expected: 'fails' });
    expect(result.status).toBe('machine-checked');
    expect(result.asExpected).toBe(false);
  });

  it('counts out-of-domain cases (fc.pre) as skipped, not as passing runs, and reports them', () => {
    let inDomain = 0;
    const evenOnly: Claim = {
      ...sumBelowTen,
      expected: 'holds',
      check: {
        kind: 'property',
        runs: 40,
        property: () =>
          fc.property(fc.nat({ max: 1000 }), (x) => {
            fc.pre(x % 2 === 0);
            inDomain += 1;
            claimAssert(x % 2 === 0, () => 'odd');
          }),
      },
    };
    const result = runClaim(evenOnly, { seed: 5, replayStored: false });
    expect(result.status).toBe('holds');
    expect(result.runs).toBe(40);
    expect(inDomain).toBe(40);
    expect(result.evidence).toMatch(/no counterexample in 40 runs \((\d+) out-of-domain case\(s\) skipped\)/);
  });

  it('caps out-of-domain cases: a generator that misses the domain is an error, not a verdict', () => {
    const missesDomain: Claim = {
      ...sumBelowTen,
      expected: 'fails',
      check: {
        kind: 'property',
        runs: 20,
        property: () =>
          fc.property(fc.nat(), (x) => {
            fc.pre(x < 0);
            claimAssert(false, () => 'never reached');
          }),
      },
    };
    const result = runClaim(missesDomain, { seed: 5, replayStored: false });
    expect(result.status).toBe('error');
    expect(result.asExpected).toBe(false);
    expect(result.evidence).toMatch(new RegExp(`too many out-of-domain cases: ${20 * MAX_SKIPS_PER_RUN + 1} skipped`));
  });

  it('separates an unexpected exception (error) from a violated assertion (fails)', () => {
    const broken: Claim = {
      ...sumBelowTen,
      expected: 'holds',
      check: {
        kind: 'property',
        runs: 5,
        property: () =>
          fc.property(fc.nat(), () => {
            throw new TypeError('harness bug');
          }),
      },
    };
    const result = runClaim(broken, { seed: 3, replayStored: false });
    expect(result.status).toBe('error');
    expect(result.evidence).toMatch(/TypeError: harness bug/);
  });
});
