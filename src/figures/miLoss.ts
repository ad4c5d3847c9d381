/**
 * Figure 1: MI-loss bounds against δ̄ for several N, the loss of random joint laws beneath them,
 * and the family that defeats every bound depending on δ̄ alone: X uniform on {1, …, N−1},
 * A(x) = (1−δ) on index 0 and δ on index x, kept set {0}; then I(X;Ĵ) = 0 and
 * I(X;J) = δ ln(N−1), which crosses any N-free curve (2h(δ̄) here) once N is large enough.
 */
import { binaryEntropy, inMonotoneRange, miLossBound, miLossUnionBounds, sparseJointLaw } from '../info/index.js';
import { seededRandom } from '../traces/random.js';
import type { FigureDefinition, Row } from './figure.js';
import { fixed, grid, keptSet, randomAttentionRow, randomStrategy } from './sampling.js';
import { finishSpec } from './theme.js';

const KEY_COUNTS = [16, 256, 1024];
const RANDOM_LAWS = 120;

const SERIES = {
  bound: 'bound 2[h(δ̄) + δ̄ ln(N−1)] (δ̄ ≤ 1 − 1/N)',
  union: 'union bound h(δ̄) + δ̄ ln N',
  twoH: 'N-free curve 2h(δ̄)',
  oneH: 'N-free curve h(δ̄)',
  family: 'family: loss δ̄ ln(N−1), measured',
  random: 'random joint laws |I(X;J) − I(X;Ĵ)|',
} as const;
const COLORS = ['#1f5fa8', '#2ca02c', '#d62728', '#ff7f0e', '#111111', '#8c8c8c'];

/** The family's joint law at (δ, N), evaluated with info.sparseJointLaw. */
function familyLoss(delta: number, n: number): number {
  const m = n - 1;
  const pi = new Float64Array(m).fill(1 / m);
  const attention = Array.from({ length: m }, (_, x) => {
    const row = new Float64Array(n);
    row[0] = 1 - delta;
    row[x + 1] = delta;
    return row;
  });
  const keep = Array.from({ length: m }, () => [0]);
  return sparseJointLaw({ pi, attention, keep }).miLoss;
}

/** δ where δ ln(N−1) = 2h(δ) (2h(δ)/δ decreases from ∞ to 0 on (0, 1]): bisection. */
function crossing(n: number): number {
  let lo = 1e-9;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (mid * Math.log(n - 1) > 2 * binaryEntropy(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

export const miLossFigure: FigureDefinition = {
  name: 'mi-loss',
  title: '1. Mutual-information loss of sparse attention against the mean dropped mass δ̄',
  modules: [
    'info.miLossBound',
    'info.miLossUnionBounds',
    'info.inMonotoneRange',
    'info.binaryEntropy',
    'info.sparseJointLaw',
    'core.softmax',
    'core.topK',
  ],
  build(context) {
    const random = seededRandom(context.seed * 1000 + 1);
    const rows: Row[] = [];
    const push = (n: number, series: string, kind: string, deltaBar: number, miLoss: number) =>
      rows.push({ N: n, series, kind, deltaBar, miLoss });
    for (const n of KEY_COUNTS) {
      for (const d of grid(0, 1, 100)) {
        if (inMonotoneRange(d, n)) push(n, SERIES.bound, 'curve', d, miLossBound(d, n));
        push(n, SERIES.union, 'curve', d, miLossUnionBounds({ deltaBar: d, n }).upper);
        push(n, SERIES.twoH, 'curve', d, 2 * binaryEntropy(d));
        push(n, SERIES.oneH, 'curve', d, binaryEntropy(d));
      }
      for (const d of grid(0.05, 0.95, 18)) push(n, SERIES.family, 'family', d, familyLoss(d, n));
      for (let law = 0; law < RANDOM_LAWS; law++) {
        const m = 2 + random.integer(11);
        const weights = Float64Array.from({ length: m }, () => 0.05 + random.uniform());
        const total = weights.reduce((a, b) => a + b, 0);
        const pi = weights.map((w) => w / total);
        const sigma = 0.5 + 5.5 * random.uniform();
        const fraction = random.uniform();
        const attention: Float64Array[] = [];
        const keep: Int32Array[] = [];
        for (let x = 0; x < m; x++) {
          const row = randomAttentionRow(random, n, sigma);
          const k = Math.min(n - 1, Math.max(1, Math.round(fraction * (0.5 + random.uniform()) * n)));
          attention.push(row);
          keep.push(keptSet(random, row, k, randomStrategy(random)));
        }
        const law_ = sparseJointLaw({ pi, attention, keep });
        push(n, SERIES.random, 'random', law_.deltaBar, Math.abs(law_.miLoss));
      }
    }
    const crossings = KEY_COUNTS.map((n) => `${fixed(crossing(n))} (N = ${n})`).join(', ');
    const caption = `Random joint laws lie under both N-dependent bounds; the family's loss δ̄ ln(N−1) grows with N and crosses the N-free curve 2h(δ̄) at δ̄ ≈ ${crossings}, so no bound in δ̄ alone can hold. Natural logs.`;
    const color = {
      field: 'series',
      type: 'nominal',
      title: null,
      scale: { domain: Object.values(SERIES), range: COLORS },
    };
    const x = {
      field: 'deltaBar',
      type: 'quantitative',
      title: 'mean dropped mass δ̄',
      scale: { domain: [0, 1], padding: 0 },
    };
    const y = { field: 'miLoss', type: 'quantitative', title: 'MI loss |I(X;J) − I(X;Ĵ)| (nats)' };
    const spec = finishSpec(
      {
        data: { values: rows },
        facet: { column: { field: 'N', type: 'ordinal', title: null, header: { labelExpr: "'N = ' + datum.value" } } },
        spec: {
          width: 270,
          height: 240,
          layer: [
            {
              transform: [{ filter: "datum.kind === 'curve'" }],
              mark: { type: 'line', clip: true },
              encoding: { x, y, color, detail: { field: 'series' } },
            },
            {
              transform: [{ filter: "datum.kind === 'random'" }],
              mark: { type: 'point', filled: true, opacity: 0.45, size: 18 },
              encoding: { x, y, color },
            },
            {
              transform: [{ filter: "datum.kind === 'family'" }],
              mark: { type: 'line', point: { filled: true, size: 30 }, strokeDash: [5, 3] },
              encoding: { x, y, color },
            },
          ],
        },
      },
      miLossFigure.title,
      caption,
      140,
    );
    return { columns: ['N', 'series', 'kind', 'deltaBar', 'miLoss'], rows, spec, caption };
  },
};
