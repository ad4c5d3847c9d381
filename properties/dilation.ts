/** Attention-centroid drift (theory/dilation.md). */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import { sharingCaseArbitrary } from './sharingCases.js';

const EPSILON = 2 ** -52;

export const dilationProperties: PropertySuite = {
  'dilation.centroid-drift': {
    runs: 300,
    property: (impl) =>
      fc.property(sharingCaseArbitrary({ maxAngle: Math.PI, maxDim: 4 }), (c) => {
        const K = impl.core.matrixFromRows('K', c.K);
        const n = K.rows;
        const d = K.columns;
        const scale = impl.core.defaultScale(d);
        const a = impl.core.softmax(impl.core.attentionLogits(c.q, K, scale));
        const b = impl.core.softmax(impl.core.attentionLogits(c.qPrime, K, scale));
        let l1 = 0;
        let position = 0;
        const key = new Float64Array(d);
        for (let i = 0; i < n; i++) {
          const u = b[i]! - a[i]!;
          l1 += Math.abs(u);
          position += u * i;
          for (let ch = 0; ch < d; ch++) key[ch]! += u * c.K[i]![ch]!;
        }
        let diameter = 0;
        let keyMax = 0;
        for (let i = 0; i < n; i++) {
          keyMax = Math.max(keyMax, impl.core.norm2(c.K[i]!));
          for (let j = 0; j < i; j++)
            diameter = Math.max(diameter, impl.core.norm2(c.K[i]!.map((x, ch) => x - c.K[j]![ch]!)));
        }
        // Sums of N products of attention (relative error (N + 4)·2⁻⁵²) with positions ≤ N − 1 or keys ≤ K_max.
        const tolerance = 8 * (n + 4) * EPSILON;
        claimAssert(
          Math.abs(position) <= 0.5 * l1 * (n - 1) + tolerance * n,
          () => `position centroid moved ${Math.abs(position)} > ½‖A′ − A‖₁(N − 1) = ${0.5 * l1 * (n - 1)}`,
        );
        const keyShift = impl.core.norm2(key);
        claimAssert(
          keyShift <= 0.5 * l1 * diameter + tolerance * (keyMax + diameter),
          () => `key centroid moved ${keyShift} > ½‖A′ − A‖₁·diam = ${0.5 * l1 * diameter}`,
        );
        const distance = impl.core.norm2(c.q.map((x, i) => c.qPrime[i]! - x));
        const slack = 4 * (d + 2) * EPSILON * scale * keyMax * (impl.core.norm2(c.q) + impl.core.norm2(c.qPrime));
        const lipschitz = 2 * Math.tanh((scale * keyMax * distance + slack) / 2);
        claimAssert(l1 <= lipschitz + tolerance, () => `‖A′ − A‖₁ = ${l1} > 2tanh(|s|K_max‖q′ − q‖/2) = ${lipschitz}`);
        return true;
      }),
  },
};
