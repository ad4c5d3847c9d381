/**
 * Figure 7: the PrHS depth schedules. PSAW prunes P_ℓ(t) oldest non-sink tokens and ETF freezes
 * E_ℓ(t) earliest tokens at layer ℓ, both ⌊(1 − b^{a(ℓ−ℓ_s)/(L−ℓ_s)})·t⌋ for ℓ ≥ ℓ_s
 * (src/selectors/schedule.ts). Pruned (layer, token) pairs skip QK and PV, so PSAW's saving of
 * attention FLOPs is the pruned fraction; ETF shares frozen tokens' keys and values with the
 * layer where they froze (a KV saving) and, as implemented, still scores them.
 */
import { psawPoolStart } from '../selectors/psaw.js';
import { scheduleCount, type DepthSchedule } from '../selectors/schedule.js';
import type { FigureDefinition, Row } from './figure.js';
import { finishSpec } from './theme.js';

const LAYERS = 32;
const START_LAYER = 8;
const TOKENS = 4096;
const SINKS = 4;
const RATES = [0.5, 1, 2, 4];
const BASES = [0.25, 0.5, 0.75];
/** LLaMA-2-7B attention shape for the absolute numbers in the caption. */
const HEADS = 32;
const HEAD_DIM = 128;

function schedule(base: number, rate: number): DepthSchedule {
  return { layers: LAYERS, startLayer: START_LAYER, base, rate };
}

/** PSAW's pruned (layer, token) pairs over all layers at context t (sinks kept). */
function prunedPairs(s: DepthSchedule, tokens: number): number {
  let pruned = 0;
  for (let layer = 0; layer < s.layers; layer++)
    pruned += psawPoolStart(s, layer, tokens, SINKS) - Math.min(SINKS, tokens);
  return pruned;
}

function frozenPairs(s: DepthSchedule, tokens: number): number {
  let frozen = 0;
  for (let layer = 0; layer < s.layers; layer++) frozen += scheduleCount(s, layer, tokens);
  return frozen;
}

export const depthSchedulesFigure: FigureDefinition = {
  name: 'depth-schedules',
  title: '7. PrHS depth schedules (PSAW pruning, ETF freezing) and the attention FLOPs they save',
  modules: ['selectors.scheduleCount', 'selectors.psawPoolStart'],
  build() {
    const rows: Row[] = [];
    for (const rate of RATES) {
      const s = schedule(0.5, rate);
      for (let layer = 0; layer < LAYERS; layer++) {
        const pruned = psawPoolStart(s, layer, TOKENS, SINKS) - SINKS;
        const frozen = scheduleCount(s, layer, TOKENS);
        rows.push({
          panel: 'layers',
          method: 'PSAW',
          base: 0.5,
          rate,
          layer,
          tokens: TOKENS,
          count: pruned,
          fraction: pruned / TOKENS,
        });
        rows.push({
          panel: 'layers',
          method: 'ETF',
          base: 0.5,
          rate,
          layer,
          tokens: TOKENS,
          count: frozen,
          fraction: frozen / TOKENS,
        });
      }
    }
    const rateGrid = Array.from({ length: 25 }, (_, i) => 0.25 * 2 ** (i / 4));
    for (const base of BASES) {
      for (const rate of rateGrid) {
        const s = schedule(base, rate);
        const pruned = prunedPairs(s, TOKENS);
        const frozen = frozenPairs(s, TOKENS);
        rows.push({
          panel: 'savings',
          method: 'PSAW: attention FLOPs saved',
          base,
          rate,
          layer: null,
          tokens: TOKENS,
          count: pruned,
          fraction: pruned / (LAYERS * TOKENS),
        });
        rows.push({
          panel: 'savings',
          method: 'ETF: KV entries shared',
          base,
          rate,
          layer: null,
          tokens: TOKENS,
          count: frozen,
          fraction: frozen / (LAYERS * TOKENS),
        });
      }
    }
    const defaults = schedule(0.5, 1);
    const saved = prunedPairs(defaults, TOKENS) / (LAYERS * TOKENS);
    const gflops = (4 * HEAD_DIM * HEADS * prunedPairs(defaults, TOKENS)) / 1e9;
    const caption = `L = ${LAYERS}, ℓ_s = ${START_LAYER}, t = ${TOKENS}, ${SINKS} sinks kept: the schedule formula is shared, so PSAW and ETF curves coincide; at φ = 0.5, α = 1 PSAW skips ${(100 * saved).toFixed(1)}% of attention FLOPs (${gflops.toFixed(2)} GFLOP per token at LLaMA-2-7B's 32 heads × d = 128). ETF saves KV storage, not FLOPs.`;
    const rateColor = {
      field: 'rate',
      type: 'ordinal',
      title: 'rate a (α or γ), b = 0.5',
      scale: { scheme: 'viridis' },
    };
    const spec = finishSpec(
      {
        data: { values: rows },
        hconcat: [
          {
            width: 300,
            height: 240,
            transform: [{ filter: "datum.panel === 'layers'" }],
            encoding: {
              x: { field: 'layer', type: 'quantitative', title: 'layer ℓ', scale: { domain: [0, LAYERS - 1] } },
              y: {
                field: 'fraction',
                type: 'quantitative',
                title: 'tokens pruned (PSAW) or frozen (ETF) ÷ t',
                scale: { domain: [0, 1] },
              },
              color: rateColor,
              strokeDash: {
                field: 'method',
                type: 'nominal',
                title: 'schedule',
                scale: {
                  domain: ['PSAW', 'ETF'],
                  range: [
                    [1, 0],
                    [4, 3],
                  ],
                },
              },
            },
            // PSAW wide and pale, ETF thin and dashed on top: the two coincide.
            layer: [
              {
                transform: [{ filter: "datum.method === 'PSAW'" }],
                mark: { type: 'line', strokeWidth: 6, opacity: 0.35 },
              },
              { transform: [{ filter: "datum.method === 'ETF'" }], mark: { type: 'line', strokeWidth: 1.5 } },
            ],
          },
          {
            width: 300,
            height: 240,
            transform: [{ filter: "datum.panel === 'savings'" }],
            encoding: {
              x: {
                field: 'rate',
                type: 'quantitative',
                title: 'rate a (α for PSAW, γ for ETF)',
                scale: { type: 'log', base: 2 },
                axis: { values: [0.25, 0.5, 1, 2, 4, 8] },
              },
              y: {
                field: 'fraction',
                type: 'quantitative',
                title: 'fraction of (layer, token) pairs, all layers',
                scale: { domain: [0, 1] },
              },
              color: {
                field: 'base',
                type: 'ordinal',
                title: 'base b (φ or ψ)',
                scale: { range: ['#1f5fa8', '#d62728', '#2ca02c'] },
              },
              strokeDash: {
                field: 'method',
                type: 'nominal',
                title: 'saving',
                scale: {
                  domain: ['PSAW: attention FLOPs saved', 'ETF: KV entries shared'],
                  range: [
                    [1, 0],
                    [4, 3],
                  ],
                },
              },
            },
            layer: [
              {
                transform: [{ filter: "datum.method !== 'ETF: KV entries shared'" }],
                mark: { type: 'line', strokeWidth: 6, opacity: 0.35 },
              },
              {
                transform: [{ filter: "datum.method === 'ETF: KV entries shared'" }],
                mark: { type: 'line', strokeWidth: 1.5 },
              },
            ],
          },
        ],
        resolve: { scale: { color: 'independent', strokeDash: 'independent' } },
        config: {
          legend: { orient: 'right', columns: 1, symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300 },
        },
      },
      depthSchedulesFigure.title,
      caption,
      130,
    );
    return {
      columns: ['panel', 'method', 'base', 'rate', 'layer', 'tokens', 'count', 'fraction'],
      rows,
      spec,
      caption,
    };
  },
};
