/**
 * Figure 2: the entropy change of truncation, H(A) − H(Â), for random attention rows and kept
 * sets, against the grouping bounds h(δ) − δ ln k ≤ H(A) − H(Â) ≤ h(δ) + δ ln(N−k) and the
 * Fannes–Audenaert bound |H(A) − H(Â)| ≤ h(δ) + δ ln(N−1) (δ ≤ 1 − 1/N), one panel per k.
 */
import { droppedMassFromLogits } from '../core/droppedMass.js';
import { softmax } from '../core/softmax.js';
import { sparseAttentionWeights } from '../core/sparseAttention.js';
import {
  entropy,
  entropyGroupingLowerBound,
  entropyGroupingUpperBound,
  fannesAudenaertBound,
  inMonotoneRange,
} from '../info/index.js';
import { seededRandom } from '../traces/random.js';
import type { FigureDefinition, Row } from './figure.js';
import { grid, keptSet, randomStrategy } from './sampling.js';
import { finishSpec } from './theme.js';

const KEYS = 64;
const KEPT_SIZES = [4, 16, 48];
const ROWS_PER_PANEL = 150;

const SERIES = {
  upper: 'grouping upper bound h(δ) + δ ln(N−k)',
  lower: 'grouping lower bound h(δ) − δ ln k',
  fannes: 'Fannes–Audenaert ±[h(δ) + δ ln(N−1)]',
  random: 'random rows and kept sets: H(A) − H(Â)',
} as const;
const COLORS = ['#1f5fa8', '#2ca02c', '#d62728', '#555555'];

export const entropyBoundsFigure: FigureDefinition = {
  name: 'entropy-bounds',
  title: '2. Entropy change of truncation against the grouping and Fannes–Audenaert bounds',
  modules: [
    'info.entropy',
    'info.entropyGroupingLowerBound',
    'info.entropyGroupingUpperBound',
    'info.fannesAudenaertBound',
    'core.softmax',
    'core.sparseAttentionWeights',
    'core.droppedMassFromLogits',
  ],
  build(context) {
    const random = seededRandom(context.seed * 1000 + 2);
    const rows: Row[] = [];
    const push = (k: number, series: string, kind: string, branch: string, delta: number, value: number) =>
      rows.push({ N: KEYS, k, series, kind, branch, delta, value });
    let outside = 0;
    let samples = 0;
    let closestToUpper = Infinity;
    for (const k of KEPT_SIZES) {
      for (const d of grid(0, 1, 100)) {
        push(k, SERIES.upper, 'curve', 'upper', d, entropyGroupingUpperBound(d, KEYS, k));
        push(k, SERIES.lower, 'curve', 'lower', d, entropyGroupingLowerBound(d, k));
        if (inMonotoneRange(d, KEYS)) {
          const fa = fannesAudenaertBound(d, KEYS);
          push(k, SERIES.fannes, 'curve', 'upper', d, fa);
          push(k, SERIES.fannes, 'curve', 'lower', d, -fa);
        }
      }
      for (let r = 0; r < ROWS_PER_PANEL; r++) {
        const sigma = 0.3 + 4.7 * random.uniform();
        const logits = Float64Array.from({ length: KEYS }, () => sigma * random.normal());
        const keep = keptSet(random, logits, k, randomStrategy(random, [0.35, 0.4, 0.25]));
        const attention = softmax(logits);
        const delta = droppedMassFromLogits(logits, keep);
        const change = entropy(attention) - entropy(sparseAttentionWeights(logits, keep));
        push(k, SERIES.random, 'random', 'none', delta, change);
        const upper = entropyGroupingUpperBound(delta, KEYS, k);
        const lower = entropyGroupingLowerBound(delta, k);
        samples++;
        if (change > upper + 1e-12 || change < lower - 1e-12) outside++;
        if (delta > 0.05) closestToUpper = Math.min(closestToUpper, upper - change);
      }
    }
    const caption = `N = ${KEYS}, ${samples} random rows: ${outside} outside the grouping bounds, which lie inside the Fannes–Audenaert band at every δ because they know k; at δ > 0.05 the closest row comes within ${closestToUpper.toFixed(3)} nats of the upper bound.`;
    const color = {
      field: 'series',
      type: 'nominal',
      title: null,
      scale: { domain: Object.values(SERIES), range: COLORS },
    };
    const x = { field: 'delta', type: 'quantitative', title: 'dropped mass δ', scale: { domain: [0, 1], padding: 0 } };
    const y = { field: 'value', type: 'quantitative', title: 'H(A) − H(Â) (nats)' };
    const spec = finishSpec(
      {
        data: { values: rows },
        facet: {
          column: {
            field: 'k',
            type: 'ordinal',
            title: null,
            header: { labelExpr: "'N = " + KEYS + ", kept k = ' + datum.value" },
          },
        },
        spec: {
          width: 270,
          height: 240,
          layer: [
            {
              transform: [{ filter: "datum.kind === 'curve'" }],
              mark: { type: 'line', clip: true },
              encoding: { x, y, color, detail: { field: 'branch' } },
            },
            {
              transform: [{ filter: "datum.kind === 'random'" }],
              mark: { type: 'point', filled: true, opacity: 0.5, size: 18 },
              encoding: { x, y, color },
            },
          ],
        },
      },
      entropyBoundsFigure.title,
      caption,
      140,
    );
    return { columns: ['N', 'k', 'series', 'kind', 'branch', 'delta', 'value'], rows, spec, caption };
  },
};
