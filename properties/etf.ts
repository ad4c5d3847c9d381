/** ETF schedule and the logit perturbation of frozen keys (theory/etf.md). */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import { freezeLayer } from '../src/selectors/etf.js';
import { scheduleCount } from '../src/selectors/schedule.js';
import { finiteDouble, headArbitrary } from './generators.js';
import { EPSILON, logitDifferenceUnderflow } from './support.js';
import { scheduleArbitrary, tokensArbitrary } from './schedules.js';

export const etfProperties: PropertySuite = {
  'etf.schedule': {
    runs: 200,
    property: () =>
      fc.property(scheduleArbitrary, tokensArbitrary, fc.nat(), (schedule, t, rawPosition) => {
        const counts = Array.from({ length: schedule.layers }, (_, l) => scheduleCount(schedule, l, t));
        counts.forEach((e, l) => {
          claimAssert(Number.isInteger(e) && e >= 0 && e <= t, () => `E_${l}(${t}) = ${e} not in [0, t]`);
          if (l <= schedule.startLayer) claimAssert(e === 0, () => `E_${l}(${t}) = ${e} ≠ 0 at or below ℓ_s`);
          if (l > 0) claimAssert(e >= counts[l - 1]!, () => `E not monotone in ℓ at ${l}`);
          claimAssert(scheduleCount(schedule, l, t + 1) >= e, () => `E_${l} decreases from t = ${t} to t + 1`);
        });
        fc.pre(t > 0); // freeze layers are defined for positions j < t only
        const j = rawPosition % t;
        for (let l = 0; l < schedule.layers; l++) {
          if (j >= counts[l]!) continue;
          const f = freezeLayer(schedule, l, j, t);
          claimAssert(
            f > schedule.startLayer && f <= l,
            () => `freeze layer ${f} of position ${j} at layer ${l} not in (ℓ_s, ℓ]`,
          );
          claimAssert(
            j < counts[f]! && (f === 0 || j >= counts[f - 1]!),
            () => `freeze layer ${f} of position ${j} is not the first layer that freezes it`,
          );
          for (let later = f; later < schedule.layers; later++)
            claimAssert(j < counts[later]!, () => `position ${j} frozen at ${f} thaws at layer ${later}`);
        }
        return true;
      }),
  },
  'etf.logit-perturbation': {
    runs: 300,
    property: (impl) =>
      fc.property(
        headArbitrary({ maxTokens: 12, maxDim: 4, magnitude: 8 }),
        fc.array(finiteDouble(-1, 1), { minLength: 48, maxLength: 48 }),
        finiteDouble(0, 2),
        fc.nat(),
        (head, noise, similarityGap, rawFrozen) => {
          const n = head.K.length;
          const d = head.q.length;
          const frozen = rawFrozen % (n + 1);
          // The earlier layer's keys: k̃ = k + η·ξ, η ∈ [0, 2] (η = 0: identical layers).
          const stale = head.K.map((row, i) =>
            row.map((x, c) => (i < frozen ? x + similarityGap * noise[(i * 4 + c) % 48]! : x)),
          );
          const K = impl.core.matrixFromRows('K', head.K);
          const KStale = impl.core.matrixFromRows('K̃', stale);
          const scale = impl.core.defaultScale(d);
          const z = impl.core.attentionLogits(head.q, K, scale);
          const zStale = impl.core.attentionLogits(head.q, KStale, scale);
          const qNorm = impl.core.norm2(head.q);
          let maxShift = 0;
          let lo = Infinity;
          let hi = -Infinity;
          for (let i = 0; i < n; i++) {
            const shift = impl.core.norm2(stale[i]!.map((x, c) => x - head.K[i]![c]!));
            maxShift = Math.max(maxShift, shift);
            const u = zStale[i]! - z[i]!;
            lo = Math.min(lo, u);
            hi = Math.max(hi, u);
            // Each computed logit errs by ≤ γ_{d+1}·|s|·Σ|q_c k_c| ≤ γ_{d+1}|s|‖q‖‖k‖ (Higham), plus, where
            // products fall below the normal range, ≤ 2^-1075 per multiply (d products scaled by |s|,
            // then the scaling): (d|s| + 2)·2^-1074 for the two logits (theory/etf.md, Tolerance).
            const slack =
              2 *
                1.01 *
                (d + 2) *
                EPSILON *
                scale *
                qNorm *
                (impl.core.norm2(head.K[i]!) + impl.core.norm2(stale[i]!)) +
              logitDifferenceUnderflow(d, scale);
            claimAssert(
              Math.abs(u) <= scale * qNorm * shift * (1 + 4 * EPSILON) + slack,
              () => `|z̃_${i} − z_${i}| = ${Math.abs(u)} > |s|‖q‖‖Δk‖ = ${scale * qNorm * shift}`,
            );
          }
          const a = impl.core.softmax(z);
          const b = impl.core.softmax(zStale);
          let l1 = 0;
          for (let i = 0; i < n; i++) l1 += Math.abs(a[i]! - b[i]!);
          const tolerance = 8 * (n + 4) * EPSILON;
          const sensitivity = 2 * Math.tanh((hi - lo) / 4);
          claimAssert(l1 <= sensitivity + tolerance, () => `‖A(z̃) − A(z)‖₁ = ${l1} > 2tanh(range/4) = ${sensitivity}`);
          const keyMax = Math.max(
            ...head.K.map((row) => impl.core.norm2(row)),
            ...stale.map((row) => impl.core.norm2(row)),
          );
          const slack = 4 * (d + 2) * EPSILON * scale * qNorm * keyMax;
          const bound = 2 * Math.tanh((scale * qNorm * maxShift + slack) / 2);
          claimAssert(l1 <= bound + tolerance, () => `‖A(z̃) − A(z)‖₁ = ${l1} > 2tanh(|s|‖q‖max‖Δk‖/2) = ${bound}`);
          return true;
        },
      ),
  },
};
