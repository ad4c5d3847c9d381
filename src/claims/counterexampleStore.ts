/**
 * Stored minimal counterexamples, one JSON file per claim under properties/counterexamples/.
 * They are replayed before the random runs of every later check: as regression examples for
 * claims expected to hold, and as standing evidence for claims expected to fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { packageRoot } from '../io/packageRoot.js';

export interface StoredCounterexample {
  readonly claimId: string;
  /** The property's inputs (a JSON array, one entry per generator). */
  readonly counterexample: unknown[];
  /** Why the claim fails on it (the assertion message). */
  readonly explanation: string;
  /** Seed and path that found it, for an exact replay with `prhs props`. */
  readonly seed: number;
  readonly path: string;
  readonly foundAt: string;
}

/** properties/counterexamples/ in the package, or PRHS_COUNTEREXAMPLE_DIR (used by tests). */
export function counterexampleFolder(): string {
  return process.env.PRHS_COUNTEREXAMPLE_DIR || join(packageRoot(), 'properties', 'counterexamples');
}

export function counterexamplePath(claimId: string): string {
  return join(counterexampleFolder(), `${claimId}.json`);
}

/** counterexamplePath for a report: relative to the package root when the file lies inside it. */
export function counterexampleDisplayPath(claimId: string): string {
  const path = counterexamplePath(claimId);
  const fromRoot = relative(packageRoot(), path);
  return fromRoot.startsWith('..') || isAbsolute(fromRoot) ? path : fromRoot.split('\\').join('/');
}

/** The stored counterexamples of a claim (an empty list when none is stored). */
export function loadCounterexamples(claimId: string): StoredCounterexample[] {
  const path = counterexamplePath(claimId);
  if (!existsSync(path)) return [];
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.filter(
    (entry): entry is StoredCounterexample =>
      typeof entry === 'object' && entry !== null && Array.isArray((entry as StoredCounterexample).counterexample),
  );
}

/** Adds a counterexample to the claim's file unless an identical one is already stored. */
export function storeCounterexample(entry: StoredCounterexample): boolean {
  const existing = loadCounterexamples(entry.claimId);
  const key = JSON.stringify(entry.counterexample);
  if (existing.some((e) => JSON.stringify(e.counterexample) === key)) return false;
  writeFileAtomic(counterexamplePath(entry.claimId), JSON.stringify([...existing, entry], null, 2) + '\n');
  return true;
}
