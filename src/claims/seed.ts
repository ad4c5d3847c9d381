/**
 * Seeds and run counts. Every run prints its seed; PRHS_SEED replays it and PRHS_RUNS deepens it.
 */
import { InvalidArgumentError } from '../core/errors.js';

/** A fresh 31-bit seed (fast-check accepts any 32-bit integer). */
export function freshSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}

function parseInteger(name: string, text: string, min: number): number {
  // Blank text is refused: Number('') is 0, so `--seed ''` would silently run with seed 0.
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new InvalidArgumentError(name, `an integer ≥ ${min}`, JSON.stringify(text), 'integer');
  return value;
}

/** The seed to use: an explicit one, else PRHS_SEED, else a fresh one. */
export function resolveSeed(explicit?: number | string, environment: NodeJS.ProcessEnv = process.env): number {
  if (explicit !== undefined)
    return typeof explicit === 'number' ? explicit : parseInteger('--seed', explicit, -0x80000000);
  const fromEnvironment = environment.PRHS_SEED;
  if (fromEnvironment !== undefined && fromEnvironment !== '')
    return parseInteger('PRHS_SEED', fromEnvironment, -0x80000000);
  return freshSeed();
}

/** The run count: an explicit one, else PRHS_RUNS, else the claim's default. */
export function resolveRuns(
  defaultRuns: number,
  explicit?: number | string,
  environment: NodeJS.ProcessEnv = process.env,
): number {
  if (explicit !== undefined) return typeof explicit === 'number' ? explicit : parseInteger('--runs', explicit, 1);
  const fromEnvironment = environment.PRHS_RUNS;
  if (fromEnvironment !== undefined && fromEnvironment !== '') return parseInteger('PRHS_RUNS', fromEnvironment, 1);
  return defaultRuns;
}
