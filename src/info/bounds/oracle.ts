/**
 * Oracle bound (theory/oracle.md): the k largest of N attention weights hold at least k/N of the mass, so
 * the oracle dropped mass satisfies δ*(k) ≤ 1 − k/N.
 */
import { integerInDomain } from './arguments.js';

/** 1 − k/N for integers 0 ≤ k ≤ N, N ≥ 1. */
export function oracleUniformBound(k: number, n: number): number {
  integerInDomain('n', n, 1, Number.MAX_SAFE_INTEGER, 'integers N ≥ 1');
  integerInDomain('k', k, 0, n, `integers 0 ≤ k ≤ N = ${n}`);
  return (n - k) / n;
}
