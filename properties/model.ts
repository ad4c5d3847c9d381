/**
 * The model claims (theory/model.md): the float64 reference forward is self-consistent — cached
 * decoding equals the full causal pass, RoPE scores depend only on relative position, GQA equals
 * the multi-head model with repeated K/V projections, and a sparse step keeping every token is
 * the dense step. Bit-for-bit claims compare with Object.is; the RoPE claim uses the rounding
 * bound derived in theory/model.md.
 */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import type { ModelConfig } from '../src/model/config.js';
import { decodeToken, type KeptLists } from '../src/model/decoder.js';
import { causalForward } from '../src/model/reference/causalForward.js';
import { Float64Numerics } from '../src/model/reference/float64Numerics.js';
import { applyRope, ropeInverseFrequencies } from '../src/model/rope.js';
import { expandKeyValueHeads } from '../src/model/expandKeyValueHeads.js';
import { memoryWeightSource, type WeightSource } from '../src/model/weightSource.js';
import { smallModelConfig, tokenIds, weightChoice } from './modelGenerators.js';
import { finiteDouble } from './generators.js';
import { UNIT_ROUNDOFF } from './support.js';
import { seededRandom } from '../src/traces/random.js';

function numerics(source: WeightSource): Float64Numerics {
  return new Float64Numerics(
    source.config,
    { tensor: (name) => source.readFloat64(name) },
    1,
    source.config.maxPositionEmbeddings,
  );
}

/** Index of the first entry where a and b differ as float64 values (Object.is), or −1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Asserts that two runs give the same logits bit for bit at every position, naming the first difference. */
function assertSameLogits(a: Float64Array[], b: Float64Array[], names: readonly [string, string]): void {
  for (let t = 0; t < a.length; t++) {
    const i = firstDifference(a[t]!, b[t]!);
    claimAssert(i < 0, () => `position ${t}: ${names[0]} logit[${i}] = ${a[t]![i]} but ${names[1]} gives ${b[t]![i]}`);
  }
}

function decodeAll(
  n: Float64Numerics,
  tokens: number[],
  kept: ((position: number) => KeptLists) | null = null,
): Float64Array[] {
  return tokens.map((token, position) =>
    decodeToken(n, 0, token, position, kept ? { select: () => kept(position) } : null),
  );
}

/** Every position 0 … position, in order, for every query head. */
function allPositions(config: ModelConfig, position: number): KeptLists {
  const selected = position + 1;
  const indices = new Int32Array(config.queryHeads * selected);
  for (let h = 0; h < config.queryHeads; h++) for (let i = 0; i < selected; i++) indices[h * selected + i] = i;
  return { indices, selected };
}

const gammaOf = (n: number): number => (n * UNIT_ROUNDOFF) / (1 - n * UNIT_ROUNDOFF);

export const modelProperties: PropertySuite = {
  'model.decode-equals-causal-pass': {
    runs: 60,
    property: () =>
      fc.property(smallModelConfig, weightChoice, tokenIds, (config, weights, raw) => {
        const tokens = raw.map((t) => t % config.vocabSize);
        const n = numerics(memoryWeightSource(config, weights));
        const cached = decodeAll(n, tokens);
        const full = causalForward(numerics(memoryWeightSource(config, weights)), tokens);
        assertSameLogits(cached, full, ['cached decode', 'the causal pass']);
        return true;
      }),
  },

  'model.rope-relative-position': {
    runs: 300,
    property: () =>
      fc.property(
        fc.constantFrom(2, 4, 8, 64, 128),
        fc.integer({ min: 0, max: 4096 }),
        fc.integer({ min: 0, max: 4096 }),
        fc.integer({ min: 0, max: 1 << 17 }),
        fc.integer(),
        finiteDouble(1, 1e6),
        (headDim, m, n, shift, seed, base) => {
          const inverse = ropeInverseFrequencies(headDim, base, { type: 'none' });
          const random = seededRandom(seed);
          const q = Float64Array.from({ length: headDim }, () => random.normal());
          const k = Float64Array.from({ length: headDim }, () => random.normal());
          const score = (pq: number, pk: number): number => {
            const a = Float64Array.from(q);
            const b = Float64Array.from(k);
            applyRope(a, { heads: 1, headDim, position: pq, inverse });
            applyRope(b, { heads: 1, headDim, position: pk, inverse });
            let s = 0;
            for (let c = 0; c < headDim; c++) s += a[c]! * b[c]!;
            return s;
          };
          const norms = Math.hypot(...q) * Math.hypot(...k);
          // theory/model.md: each computed score is within ‖q‖‖k‖(ε_m + ε_n + ε_m ε_n + γ_d(1+ε_m)(1+ε_n)), ε_p = 2(p + 5)u.
          const epsilon = (p: number): number => 2 * (p + 5) * UNIT_ROUNDOFF;
          const bound = (a: number, b: number): number =>
            norms *
            (epsilon(a) +
              epsilon(b) +
              epsilon(a) * epsilon(b) +
              gammaOf(headDim) * (1 + epsilon(a)) * (1 + epsilon(b)));
          const difference = Math.abs(score(m, n) - score(m + shift, n + shift));
          const tolerance = bound(m, n) + bound(m + shift, n + shift);
          claimAssert(
            difference <= tolerance,
            () =>
              `q·k at positions (${m}, ${n}) and (${m + shift}, ${n + shift}) differ by ${difference} > ${tolerance}`,
          );
          return true;
        },
      ),
  },

  'model.gqa-equals-expanded-mha': {
    runs: 60,
    property: () =>
      fc.property(smallModelConfig, weightChoice, tokenIds, (config, weights, raw) => {
        const tokens = raw.map((t) => t % config.vocabSize);
        const gqa = memoryWeightSource(config, weights);
        const mha = expandKeyValueHeads(gqa);
        const a = decodeAll(numerics(gqa), tokens);
        const b = decodeAll(numerics(mha), tokens);
        assertSameLogits(a, b, ['GQA', 'the expanded multi-head model']);
        return true;
      }),
  },

  'model.sparse-all-equals-dense': {
    runs: 60,
    property: () =>
      fc.property(smallModelConfig, weightChoice, tokenIds, (config, weights, raw) => {
        const tokens = raw.map((t) => t % config.vocabSize);
        const source = memoryWeightSource(config, weights);
        const dense = decodeAll(numerics(source), tokens);
        const sparse = decodeAll(numerics(source), tokens, (position) => allPositions(config, position));
        assertSameLogits(dense, sparse, ['dense', 'keeping every position']);
        return true;
      }),
  },
};
