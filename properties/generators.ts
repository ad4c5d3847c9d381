/**
 * Generators shared by the property suites (their inputs are listed in the README): logit vectors from targeted families
 * (exact ties, near-ties, one-hot, uniform, huge logits to ±80, heavy tails), lengths N from 1 to
 * 4096, budgets k from 0 to N with the edge cases {0, 1, N−1, N} over-represented, and small
 * attention heads. Every generator yields plain JSON values (number arrays), so counterexamples
 * can be stored and replayed. Compound inputs use map/tuple, never chain (chain shrinks poorly).
 */
import fc from 'fast-check';
import { xorshift32 } from '../src/random/index.js';

/** Largest |logit| the generic families produce (logits to ±80, as the README's property suites promise). */
export const LOGIT_LIMIT = 80;

/** A finite double in [min, max] with no NaN and no infinities. */
export function finiteDouble(min: number, max: number): fc.Arbitrary<number> {
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
}

/** Lengths: mostly small (where bugs are easy to read), sometimes large, edge sizes 1 and 2 often. */
export function lengthArbitrary(maxLength = 4096): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: Math.min(16, maxLength) }) },
    { weight: 2, arbitrary: fc.constantFrom(...[1, 2, 3].filter((n) => n <= maxLength)) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: Math.min(256, maxLength) }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: maxLength }) },
  );
}

/** A seeded xorshift stream, used to expand one generated integer into many values cheaply. */
function stream(seed: number): () => number {
  return xorshift32(seed, 0x9e3779b9);
}

/** The logit families. Long vectors are expanded from a seed so large N stays cheap to generate. */
export type LogitFamily = 'general' | 'ties' | 'near-ties' | 'one-hot' | 'uniform' | 'heavy-tail' | 'huge';

export function expandLogits(family: LogitFamily, n: number, seed: number, level: number): number[] {
  const random = stream(seed);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const u = random();
    switch (family) {
      case 'general':
        out[i] = (2 * u - 1) * LOGIT_LIMIT;
        break;
      case 'ties':
        out[i] = Math.floor(u * 3) * level; // at most three distinct values
        break;
      case 'near-ties':
        out[i] = level + (u - 0.5) * 1e-12 * Math.max(1, Math.abs(level));
        break;
      case 'one-hot':
        out[i] = -LOGIT_LIMIT;
        break;
      case 'uniform':
        out[i] = level;
        break;
      case 'heavy-tail':
        // Pareto-like magnitudes: a few large logits, many small.
        out[i] = Math.min(LOGIT_LIMIT, 0.5 / Math.max(1e-3, u) ** 0.7);
        break;
      case 'huge':
        out[i] = random() < 0.5 ? LOGIT_LIMIT * (1 - 1e-3 * u) : -LOGIT_LIMIT * u;
        break;
    }
  }
  if (family === 'one-hot') out[Math.floor(random() * n)] = LOGIT_LIMIT;
  return out;
}

/** Logit vectors from every family, N in [minLength, maxLength]. */
export function logitsArbitrary(options: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<number[]> {
  const minLength = options.minLength ?? 1;
  const maxLength = options.maxLength ?? 4096;
  const direct = fc.array(finiteDouble(-LOGIT_LIMIT, LOGIT_LIMIT), { minLength, maxLength: Math.min(maxLength, 24) });
  const directTies = fc.array(fc.constantFrom(-LOGIT_LIMIT, -1, 0, 0.5, 1, LOGIT_LIMIT), {
    minLength,
    maxLength: Math.min(maxLength, 24),
  });
  const family = fc.constantFrom<LogitFamily>(
    'general',
    'ties',
    'near-ties',
    'one-hot',
    'uniform',
    'heavy-tail',
    'huge',
  );
  const expanded = fc
    .tuple(family, lengthArbitrary(maxLength), fc.integer(), finiteDouble(-LOGIT_LIMIT, LOGIT_LIMIT))
    .map(([f, n, seed, level]) => expandLogits(f, Math.max(minLength, n), seed, level));
  return fc.oneof(
    { weight: 3, arbitrary: direct },
    { weight: 1, arbitrary: directTies },
    { weight: 3, arbitrary: expanded },
  );
}

/** A budget k for a length n from a fraction in [0, 1], with the edge cases over-represented. */
export function budgetFor(n: number, choice: number, fraction: number): number {
  const edges = [0, 1, n - 1, n];
  if (choice < edges.length) return Math.min(n, Math.max(0, edges[choice]!));
  return Math.min(n, Math.max(0, Math.round(fraction * n)));
}

/** [choice, fraction] pairs that budgetFor turns into k ∈ [0, N]. */
export const budgetChoice = fc.tuple(fc.integer({ min: 0, max: 7 }), finiteDouble(0, 1));

/** A kept index set drawn from raw naturals (reduced mod N and de-duplicated). */
export function keepFor(n: number, raw: readonly number[]): number[] {
  const seen = new Set<number>();
  for (const r of raw) seen.add(r % n);
  return [...seen];
}

/** Raw material for keepFor: a few naturals (shrinks towards small, readable sets). */
export const keepChoice = fc.array(fc.nat({ max: 1 << 20 }), { maxLength: 64 });

/** A small attention head: q ∈ R^d, K ∈ R^{N×d}, V ∈ R^{N×dv}, entries up to ±magnitude. */
export interface HeadCase {
  q: number[];
  K: number[][];
  V: number[][];
}

export function headArbitrary(
  options: { maxTokens?: number; maxDim?: number; magnitude?: number } = {},
): fc.Arbitrary<HeadCase> {
  const maxTokens = options.maxTokens ?? 12;
  const maxDim = options.maxDim ?? 4;
  const magnitude = options.magnitude ?? 8;
  const entry = finiteDouble(-magnitude, magnitude);
  // Full-size pools sliced to (n, d, dv): no chain, so sizes and entries shrink independently.
  const pool = (length: number) => fc.array(entry, { minLength: length, maxLength: length });
  return fc
    .tuple(
      fc.integer({ min: 1, max: maxTokens }),
      fc.integer({ min: 1, max: maxDim }),
      fc.integer({ min: 1, max: maxDim }),
      pool(maxDim),
      pool(maxTokens * maxDim),
      pool(maxTokens * maxDim),
    )
    .map(([n, d, dv, q, k, v]) => ({
      q: q.slice(0, d),
      K: Array.from({ length: n }, (_, i) => k.slice(i * maxDim, i * maxDim + d)),
      V: Array.from({ length: n }, (_, i) => v.slice(i * maxDim, i * maxDim + dv)),
    }));
}
