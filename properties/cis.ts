/**
 * CIS temporal sharing (theory/cis.md): the paper's bound with a cosine gate, expected to fail
 * for queries of unequal norm, and the corrected chain in terms of ‖q′ − q‖.
 */
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import type { Implementation } from '../src/claims/implementation.js';
import { sharingCaseArbitrary, type SharingCase } from './sharingCases.js';
import { EPSILON, logitDifferenceUnderflow } from './support.js';
import fc from 'fast-check';

const GATE = 0.8;

interface SharingQuantities {
  gap: number;
  delta: number;
  range: number;
  keyMax: number;
  queryDistance: number;
  scale: number;
  n: number;
  d: number;
}

/** δ(q′, S*) − δ*(q′, k), Δ = ‖A(q′) − A(q)‖₁, range(z′ − z), K_max, ‖q′ − q‖ through the implementation. */
export function sharingQuantities(impl: Implementation, c: SharingCase): SharingQuantities {
  const K = impl.core.matrixFromRows('K', c.K);
  const d = K.columns;
  const scale = c.scale ?? impl.core.defaultScale(d);
  const z = impl.core.attentionLogits(c.q, K, scale);
  const zPrime = impl.core.attentionLogits(c.qPrime, K, scale);
  const anchorSet = impl.core.topK(z, c.k);
  const gap = impl.core.droppedMassFromLogits(zPrime, anchorSet) - impl.core.oracleDroppedMass(zPrime, c.k);
  const a = impl.core.softmax(z);
  const aPrime = impl.core.softmax(zPrime);
  let delta = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < z.length; i++) {
    delta += Math.abs(aPrime[i]! - a[i]!);
    const u = zPrime[i]! - z[i]!;
    lo = Math.min(lo, u);
    hi = Math.max(hi, u);
  }
  const keyMax = Math.max(...c.K.map((row) => impl.core.norm2(row)));
  const queryDistance = impl.core.norm2(c.q.map((x, i) => c.qPrime[i]! - x));
  return { gap, delta, range: hi - lo, keyMax, queryDistance, scale, n: z.length, d };
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    dot += x * b[i]!;
    na += x * x;
    nb += b[i]! * b[i]!;
  });
  return na === 0 || nb === 0 ? Number.NaN : dot / Math.sqrt(na * nb);
}

export const cisProperties: PropertySuite = {
  'cis.theorem-as-stated': {
    runs: 3000,
    property: (impl) =>
      fc.property(sharingCaseArbitrary({ maxAngle: Math.acos(GATE), maxDim: 4 }), (c) => {
        // Only cases where the gate passes are in the theorem's scope.
        fc.pre(cosine(c.q, c.qPrime) > GATE);
        const s = sharingQuantities(impl, c);
        const paperDelta = 2 * s.keyMax * s.scale * Math.sqrt(2 - 2 * GATE);
        // δ values carry an absolute rounding error of a few (N + 4)·2⁻⁵² each.
        const tolerance = 8 * (s.n + 4) * EPSILON;
        claimAssert(
          s.gap <= 2 * paperDelta + tolerance,
          () =>
            `gate passes (cos ${cosine(c.q, c.qPrime).toFixed(4)} > ${GATE}) but δ(q′,S*) − δ*(q′) = ${s.gap} > 2·(2K_max/√d)·√(2−2τ) = ${2 * paperDelta} (‖q‖ = ${Math.hypot(...c.q)}, ‖q′‖ = ${Math.hypot(...c.qPrime)})`,
        );
        return true;
      }),
  },

  'cis.corrected-bound': {
    runs: 300,
    property: (impl) =>
      fc.property(sharingCaseArbitrary({ maxAngle: Math.PI, maxDim: 4, anyScale: true, minShared: 0 }), (c) => {
        const s = sharingQuantities(impl, c);
        const absScale = Math.abs(s.scale);
        // Softmax outputs err by ≤ (N + 4)·2⁻⁵² relative each; δ likewise (theory/cis.md, rounding).
        const tolerance = 8 * (s.n + 4) * EPSILON;
        claimAssert(
          s.gap <= s.delta + tolerance,
          () => `retained-mass step: δ(q′,S*) − δ*(q′) = ${s.gap} > Δ = ${s.delta}`,
        );
        const sensitivity = 2 * Math.tanh(s.range / 4);
        claimAssert(
          s.delta <= sensitivity + tolerance,
          () => `softmax sensitivity: Δ = ${s.delta} > 2·tanh(range/4) = ${sensitivity}`,
        );
        // The computed logits differ from exact ones by ≤ γ_d·|s|·‖q‖‖k‖ each (Higham), so the computed
        // range may exceed 2|s|K_max‖q′ − q‖ by twice that for q and q′; below the normal range each of
        // the two differences spanning the range also gains up to (d|s| + 2)·2^-1074 (theory/cis.md).
        const logitSlack =
          2 * 1.01 * (s.d + 2) * EPSILON * absScale * s.keyMax * (Math.hypot(...c.q) + Math.hypot(...c.qPrime));
        const rangeBound = 2 * absScale * s.keyMax * s.queryDistance;
        claimAssert(
          s.range <= rangeBound * (1 + 4 * EPSILON) + logitSlack + 2 * logitDifferenceUnderflow(s.d, s.scale),
          () => `range(z′ − z) = ${s.range} > 2|s|K_max‖q′ − q‖ = ${rangeBound}`,
        );
        const final = 2 * Math.tanh((rangeBound + logitSlack) / 4);
        claimAssert(
          s.gap <= final + tolerance && final <= absScale * s.keyMax * s.queryDistance + logitSlack + tolerance,
          () => `final bound ${final} violated by gap ${s.gap}`,
        );
        return true;
      }),
  },
};
