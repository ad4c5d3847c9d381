/**
 * Figure 6 on real attention: the certified dropped mass δ̂ against the true δ on the real pages
 * of the committed trace of the trained model (properties/real-attention/, layers 0 and 7 of
 * models/prhs-byte-12m at 1K context; theory/real-attention.md), with the same page selection and
 * the same three per-page bounds as figure 6.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pageSummaries } from '../core/certifiedDroppedMass.js';
import type { Matrix } from '../core/matrix.js';
import { packageRoot } from '../io/packageRoot.js';
import { loadTrace } from '../traces/traceFile.js';
import { keyOffset, kvHeadOf, queryOffset, visibleLength } from '../traces/trace.js';
import { evaluate, KINDS, median, PAGE_SIZE, PAGES_KEPT, tightnessSpec } from './certifiedTightness.js';
import type { FigureDefinition, Row } from './figure.js';
import { noDataSpec } from './noDataSpec.js';

const COLUMNS = ['keys', 'pagesKept', 'keysKept', 'bound', 'delta', 'certified', 'ratio'];
export const REAL_TRACE = 'properties/real-attention/prhs-byte-12m-1k-layers-0-7.safetensors';
/** The model layers the committed trace holds (its layers 0 and 1). */
const MODEL_LAYERS = [0, 7];
/** Decode steps of the 32 recorded, spread over them. */
const STEPS = [4, 12, 20, 31];

export const realCertifiedTightnessFigure: FigureDefinition = {
  name: 'real-certified-tightness',
  title: '6b. Certified dropped mass δ̂ against the true δ on real pages (prhs-byte-12m)',
  modules: ['core.pageSummaries', 'core.certifiedDroppedMass', `traces.loadTrace (${REAL_TRACE})`],
  build() {
    const path = join(packageRoot(), REAL_TRACE);
    if (!existsSync(path)) {
      const caption = `The committed real trace ${REAL_TRACE} is missing: bench/model/real-attention.js --claim-trace rebuilds it.`;
      return {
        columns: COLUMNS,
        rows: [],
        spec: noDataSpec('no real trace found', realCertifiedTightnessFigure.title, caption),
        caption,
      };
    }
    const trace = loadTrace(path);
    const d = trace.headDim;
    const rows: Row[] = [];
    const panels: string[] = [];
    let violations = 0;
    for (let layer = 0; layer < trace.layers; layer++) {
      const label = `real trace, model layer ${MODEL_LAYERS[layer] ?? layer}`;
      panels.push(label);
      for (const t of STEPS.filter((s) => s < trace.steps)) {
        const n = visibleLength(trace, t);
        const keyMatrices = Array.from({ length: trace.kvHeads }, (_, kv): Matrix => {
          const start = keyOffset(trace, layer, kv);
          return { data: Float64Array.from(trace.keys.subarray(start, start + n * d)), rows: n, columns: d };
        });
        const summaries = keyMatrices.map((K) => pageSummaries(K, PAGE_SIZE));
        for (let h = 0; h < trace.queryHeads; h++) {
          const kv = kvHeadOf(trace, h);
          const qStart = queryOffset(trace, layer, t, h);
          const q = Float64Array.from(trace.queries.subarray(qStart, qStart + d));
          violations += evaluate({ keys: label, q, K: keyMatrices[kv]!, scale: trace.scale }, summaries[kv]!, rows);
        }
      }
    }
    const points = rows.length;
    const tightness = panels
      .map((panel) => {
        const of = (kind: string) =>
          median(rows.filter((r) => r.keys === panel && r.bound === kind).map((r) => r.ratio as number));
        const certified = median(
          rows.filter((r) => r.keys === panel && r.bound === KINDS[2]!.label).map((r) => r.certified as number),
        );
        const informative = rows.filter(
          (r) => r.keys === panel && r.bound === KINDS[2]!.label && (r.certified as number) < 1,
        ).length;
        const all = rows.filter((r) => r.keys === panel && r.bound === KINDS[2]!.label).length;
        return `${panel.replace('real trace, ', '')}: δ̂/δ ${KINDS.map((k) => of(k.label).toFixed(1)).join('/')}, median δ̂ ${certified.toFixed(2)}, δ̂ < 1 at ${informative} of ${all}`;
      })
      .join('; ');
    const caption = `Held-out file gb2312.py, context 1024 (pages of ${PAGE_SIZE}), ${STEPS.length} decode steps × ${trace.queryHeads} heads per layer, ${PAGES_KEPT.join('/')} of 64 best pages kept; δ ≤ δ̂ at all ${points} points (${violations} violations). Median (min/max, ball, min) — ${tightness}.`;
    const spec = tightnessSpec(rows, panels, realCertifiedTightnessFigure.title, caption);
    return { columns: COLUMNS, rows, spec, caption };
  },
};
