/**
 * Figure 3: the sparse output error ‖o − ô‖ against its two bounds, δ·max_{i∈D,j∈S}‖v_i − v_j‖
 * and 2δ·max‖v_i‖, for random heads and kept sets; and a family that attains both (kept values
 * all a, dropped values all −a: o − ô = −2δa).
 */
import { keptDroppedDiameter, maxRowNorm, outputErrorNorm } from '../core/outputError.js';
import { sparseHeadAttention } from '../core/sparseAttention.js';
import type { Matrix } from '../core/matrix.js';
import { outputErrorBoundDiameter, outputErrorBoundMaxNorm } from '../info/index.js';
import { seededRandom, type RandomSource } from '../traces/random.js';
import type { FigureDefinition, Row } from './figure.js';
import { keptSet, randomStrategy } from './sampling.js';
import { finishSpec } from './theme.js';

const KEYS = 64;
const HEAD_DIM = 16;
const RANDOM_CASES = 220;
const ATTAINING_CASES = 24;

const SERIES = {
  maxNorm: 'random heads: ‖o − ô‖ vs 2δ·max‖v‖',
  diameter: 'random heads: ‖o − ô‖ vs δ·diameter',
  attaining: 'attaining family (values ±a): vs δ·diameter',
  diagonal: '‖o − ô‖ = bound',
} as const;
const COLORS = ['#ff7f0e', '#1f5fa8', '#d62728', '#111111'];

function gaussianMatrix(random: RandomSource, rows: number, columns: number, scale: number): Matrix {
  return { data: Float64Array.from({ length: rows * columns }, () => scale * random.normal()), rows, columns };
}

export const outputErrorFigure: FigureDefinition = {
  name: 'output-error',
  title: '3. Sparse attention output error ‖o − ô‖ against its δ-bounds',
  modules: [
    'core.sparseHeadAttention',
    'core.outputErrorNorm',
    'core.maxRowNorm',
    'core.keptDroppedDiameter',
    'info.outputErrorBoundMaxNorm',
    'info.outputErrorBoundDiameter',
  ],
  build(context) {
    const random = seededRandom(context.seed * 1000 + 3);
    const rows: Row[] = [];
    let worstDiameterRatio = 0;
    let worstMaxNormRatio = 0;
    let attainedRatio = Infinity;
    const ratios: number[] = [];
    const total = RANDOM_CASES + ATTAINING_CASES;
    for (let c = 0; c < total; c++) {
      const attaining = c >= RANDOM_CASES;
      const q = Float64Array.from({ length: HEAD_DIM }, () => (0.5 + 5.5 * random.uniform()) * random.normal());
      const K = gaussianMatrix(random, KEYS, HEAD_DIM, 1);
      const k = 1 + random.integer(KEYS - 1);
      const logits = new Float64Array(KEYS);
      for (let i = 0; i < KEYS; i++) {
        let dot = 0;
        for (let j = 0; j < HEAD_DIM; j++) dot += q[j]! * K.data[i * HEAD_DIM + j]!;
        logits[i] = dot / Math.sqrt(HEAD_DIM);
      }
      const keep = keptSet(random, logits, k, attaining ? 'random' : randomStrategy(random));
      let V: Matrix;
      if (attaining) {
        const a = Float64Array.from({ length: HEAD_DIM }, () => random.normal());
        const kept = new Uint8Array(KEYS);
        for (const i of keep) kept[i] = 1;
        V = {
          data: Float64Array.from(
            { length: KEYS * HEAD_DIM },
            (_, e) => (kept[Math.floor(e / HEAD_DIM)] ? 1 : -1) * a[e % HEAD_DIM]!,
          ),
          rows: KEYS,
          columns: HEAD_DIM,
        };
      } else {
        const rowScale = Float64Array.from({ length: KEYS }, () => 0.2 + 1.8 * random.uniform());
        V = gaussianMatrix(random, KEYS, HEAD_DIM, 1);
        for (let e = 0; e < V.data.length; e++) V.data[e]! *= rowScale[Math.floor(e / HEAD_DIM)]!;
      }
      const step = sparseHeadAttention(q, K, V, keep);
      if (!(step.delta > 0)) continue;
      const error = outputErrorNorm(step.dense, step.sparse);
      const byMaxNorm = outputErrorBoundMaxNorm(step.delta, maxRowNorm(V));
      const byDiameter = outputErrorBoundDiameter(step.delta, keptDroppedDiameter(V, keep));
      if (!(error > 0)) continue;
      const base = { case: c, k, delta: step.delta, error };
      if (attaining) {
        rows.push({ ...base, series: SERIES.attaining, bound: byDiameter, ratio: error / byDiameter });
        attainedRatio = Math.min(attainedRatio, error / byDiameter);
      } else {
        rows.push({ ...base, series: SERIES.maxNorm, bound: byMaxNorm, ratio: error / byMaxNorm });
        rows.push({ ...base, series: SERIES.diameter, bound: byDiameter, ratio: error / byDiameter });
        worstDiameterRatio = Math.max(worstDiameterRatio, error / byDiameter);
        worstMaxNormRatio = Math.max(worstMaxNormRatio, error / byMaxNorm);
        ratios.push(error / byDiameter);
      }
    }
    const bounds = rows.map((r) => r.bound as number);
    const low = Math.min(...bounds);
    const high = Math.max(...bounds);
    rows.push({ case: null, k: null, delta: null, error: low, series: SERIES.diagonal, bound: low, ratio: 1 });
    rows.push({ case: null, k: null, delta: null, error: high, series: SERIES.diagonal, bound: high, ratio: 1 });
    ratios.sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    const caption = `N = ${KEYS}, d = ${HEAD_DIM}: every point is on or under the diagonal (largest ratio ${worstDiameterRatio.toFixed(3)} to δ·diameter, ${worstMaxNormRatio.toFixed(3)} to 2δ·max‖v‖; median ${median.toFixed(2)}); the ±a family attains the bound (ratio ≥ ${attainedRatio.toFixed(6)}).`;
    const color = {
      field: 'series',
      type: 'nominal',
      title: null,
      scale: { domain: Object.values(SERIES), range: COLORS },
    };
    const x = {
      field: 'bound',
      type: 'quantitative',
      title: 'bound (same units as v)',
      scale: { type: 'log' },
      axis: { tickCount: 6, format: '.0e' },
    };
    const y = {
      field: 'error',
      type: 'quantitative',
      title: '‖o − ô‖₂ (same units as v)',
      scale: { type: 'log' },
      axis: { tickCount: 6, format: '.0e' },
    };
    const spec = finishSpec(
      {
        data: { values: rows },
        width: 460,
        height: 340,
        layer: [
          {
            transform: [{ filter: `datum.series === '${SERIES.diagonal}'` }],
            mark: { type: 'line', strokeDash: [6, 4] },
            encoding: { x, y, color },
          },
          {
            transform: [{ filter: `datum.series !== '${SERIES.diagonal}'` }],
            mark: { type: 'point', filled: true, opacity: 0.6, size: 22 },
            encoding: { x, y, color },
          },
        ],
        config: { legend: { columns: 1 } },
      },
      outputErrorFigure.title,
      caption,
      80,
    );
    return { columns: ['case', 'series', 'k', 'delta', 'error', 'bound', 'ratio'], rows, spec, caption };
  },
};
