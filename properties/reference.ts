/**
 * Properties of the float64 reference itself (theory/reference.md). They are what catches a
 * softmax without max-subtraction, a top-k off by one, or a head mapped to the wrong KV head.
 */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import { finiteDouble, logitsArbitrary, budgetChoice, budgetFor } from './generators.js';
import { ansiCLcg } from '../src/random/index.js';

const EPSILON = 2 ** -52;

export const referenceProperties: PropertySuite = {
  'reference.softmax-stable': {
    runs: 200,
    property: (impl) =>
      fc.property(logitsArbitrary(), finiteDouble(-1000, 1000), (z, c) => {
        const n = z.length;
        const a = impl.core.softmax(z);
        const shifted = impl.core.softmax(z.map((x) => x + c));
        let sum = 0;
        for (let i = 0; i < n; i++) {
          claimAssert(
            Number.isFinite(a[i]!) && a[i]! >= 0,
            () => `softmax(z)[${i}] = ${a[i]} is not a finite non-negative number`,
          );
          claimAssert(Number.isFinite(shifted[i]!), () => `softmax(z + ${c})[${i}] = ${shifted[i]} is not finite`);
          sum += a[i]!;
        }
        // Rounding: each of N exponentials, the sum and the division err by a few units in the last place.
        claimAssert(Math.abs(sum - 1) <= 4 * n * EPSILON, () => `softmax sums to ${sum}, not 1`);
        const lse = impl.core.logSumExp(z);
        // Shifting the logits by c perturbs each by at most (|z|+|c|)·2⁻⁵³ when z + c is rounded; softmax's
        // L1 sensitivity to a perturbation of range r is at most r/2 (softmax-sensitivity.linear), plus N
        // roundings of its own on each side.
        const shiftTolerance = (80 + Math.abs(c)) * EPSILON + 8 * n * EPSILON;
        let l1 = 0;
        let l1Lse = 0;
        for (let i = 0; i < n; i++) {
          l1 += Math.abs(shifted[i]! - a[i]!);
          l1Lse += Math.abs(Math.exp(z[i]! - lse) - a[i]!);
        }
        claimAssert(l1 <= shiftTolerance, () => `‖softmax(z + ${c}) − softmax(z)‖₁ = ${l1} exceeds ${shiftTolerance}`);
        // exp(z − lse) with lse carrying an absolute error of ~|lse|·2⁻⁵² moves every entry by that factor.
        const lseTolerance = (Math.abs(lse) + 8 * n) * 2 * EPSILON;
        claimAssert(
          l1Lse <= lseTolerance,
          () => `‖exp(z − logSumExp z) − softmax z‖₁ = ${l1Lse} exceeds ${lseTolerance}`,
        );
        return true;
      }),
  },

  'reference.topk-order': {
    runs: 300,
    property: (impl) =>
      fc.property(logitsArbitrary(), budgetChoice, (scores, [choice, fraction]) => {
        const n = scores.length;
        const k = budgetFor(n, choice, fraction);
        const kept = Array.from(impl.core.topK(scores, k));
        claimAssert(kept.length === k, () => `topK returned ${kept.length} indices for k = ${k}`);
        const inSet = new Uint8Array(n);
        for (const i of kept) {
          claimAssert(Number.isInteger(i) && i >= 0 && i < n, () => `topK returned index ${i} outside [0, ${n})`);
          claimAssert(!inSet[i], () => `topK returned index ${i} twice`);
          inSet[i] = 1;
        }
        for (let j = 1; j < k; j++) {
          const a = kept[j - 1]!;
          const b = kept[j]!;
          claimAssert(
            scores[a]! > scores[b]! || (scores[a] === scores[b] && a < b),
            () => `topK order breaks at positions ${j - 1}, ${j} (indices ${a}, ${b})`,
          );
        }
        // Every kept entry ranks before every dropped one: compare against the worst kept entry.
        if (k > 0) {
          const worst = kept[k - 1]!;
          for (let i = 0; i < n; i++) {
            if (inSet[i]) continue;
            const beats = scores[i]! > scores[worst]! || (scores[i] === scores[worst] && i < worst);
            claimAssert(
              !beats,
              () => `dropped index ${i} (score ${scores[i]}) ranks before kept index ${worst} (score ${scores[worst]})`,
            );
          }
        }
        return true;
      }),
  },

  'reference.decode-gqa': {
    runs: 150,
    property: (impl) =>
      fc.property(
        fc.record({
          kvHeads: fc.integer({ min: 1, max: 3 }),
          group: fc.integer({ min: 1, max: 3 }),
          tokens: fc.integer({ min: 1, max: 9 }),
          steps: fc.integer({ min: 1, max: 3 }),
          headDim: fc.integer({ min: 1, max: 5 }),
          valueDim: fc.integer({ min: 1, max: 4 }),
          seed: fc.integer(),
        }),
        ({ kvHeads, group, tokens, steps: rawSteps, headDim, valueDim, seed }) => {
          const steps = Math.min(rawSteps, tokens);
          const queryHeads = kvHeads * group;
          const uniform = ansiCLcg(seed);
          const next = () => uniform() * 16 - 8;
          const fill = (length: number) => Float64Array.from({ length }, next);
          const keys = { data: fill(kvHeads * tokens * headDim), shape: [kvHeads, tokens, headDim] };
          const values = { data: fill(kvHeads * tokens * valueDim), shape: [kvHeads, tokens, valueDim] };
          const queries = { data: fill(steps * queryHeads * headDim), shape: [steps, queryHeads, headDim] };
          const prefill = impl.core.prefillAttention({ queries, keys, values });
          const last = {
            data: queries.data.subarray((steps - 1) * queryHeads * headDim),
            shape: [queryHeads, headDim],
          };
          const decode = impl.core.decodeAttention({ query: last, keys, values });
          for (let t = 0; t < steps; t++) {
            const visible = tokens - steps + t + 1;
            for (let h = 0; h < queryHeads; h++) {
              const kv = Math.floor(h / group);
              const K = {
                data: keys.data.slice(kv * tokens * headDim, (kv * tokens + visible) * headDim),
                rows: visible,
                columns: headDim,
              };
              const V = {
                data: values.data.slice(kv * tokens * valueDim, (kv * tokens + visible) * valueDim),
                rows: visible,
                columns: valueDim,
              };
              const q = queries.data.subarray((t * queryHeads + h) * headDim, (t * queryHeads + h + 1) * headDim);
              const expected = impl.core.singleHeadAttention(q, K, V).output;
              for (let c = 0; c < valueDim; c++) {
                const got = prefill.data[(t * queryHeads + h) * valueDim + c]!;
                // Same operations in the same order: the results must agree exactly.
                claimAssert(
                  got === expected[c],
                  () =>
                    `prefill step ${t} head ${h} channel ${c}: ${got} ≠ ${expected[c]} (single head over ${visible} keys)`,
                );
                if (t === steps - 1) {
                  const fromDecode = decode.data[h * valueDim + c]!;
                  claimAssert(
                    fromDecode === expected[c],
                    () => `decode head ${h} channel ${c}: ${fromDecode} ≠ ${expected[c]}`,
                  );
                }
              }
            }
          }
          return true;
        },
      ),
  },
};
