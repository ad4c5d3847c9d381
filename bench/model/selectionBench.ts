/**
 * Decode speed with PrHS in the CUDA engine (bench/model/run-device.sh, stage `select`): per point,
 * one engine with seeded random weights and random K/V filled to the context, timed dense and with
 * CIS (and the oracle) at budget = 1/8 of the context, the selection included at the retrieval
 * rate measured in the same run. Beside each: the bytes one step moves (weights + kept K/V rows +
 * the selection's own bytes) and the bound they allow at the copy bandwidth measured in the same
 * call. Random weights and a random cache make the retrieval rate what this data gives, not what
 * a trained model gives; the rate is reported with every row. A second CIS row with gate −1
 * re-anchors only heads that have no anchor yet (the first step after the cache is filled): the
 * step's time when CIS reuses its anchors, which is what the re-anchoring rate moves between.
 *
 * Usage: node selectionBench.mjs OUT.json SHAPE:BATCH:CONTEXT[,...] [--steps N] [--warmup N] [--profile N]
 * (--profile: per launch group, the selection's kernels each on their own; bench/model/decodeBenchRun.ts)
 */
import type { CudaEngine } from '../../src/model/engines/cudaEngine.js';
import type { CudaSelection } from '../../src/model/engines/cudaSelection.js';
import {
  decodeBenchMain,
  printProfile,
  timeDecode,
  type DecodeBenchPoint,
  type DecodeBenchSettings,
} from './decodeBenchRun.js';

function measureSelections(engine: CudaEngine, point: DecodeBenchPoint, settings: DecodeBenchSettings): object[] {
  const { shape, batch, context } = point;
  const budget = Math.floor(context / 8);
  const selections: CudaSelection[] = [
    { kind: 'dense' },
    { kind: 'cis', budget },
    { kind: 'cis', budget, gate: -1 },
    { kind: 'oracle', budget },
  ];
  const rows = [];
  for (const selection of selections) {
    try {
      engine.setSelection(selection);
    } catch (error) {
      const refused = error instanceof Error ? error.message : String(error);
      rows.push({ shape, batch, context, selection, refused });
      console.log(`${shape} B${batch} ctx ${context} ${selection.kind}: refused: ${refused}`);
      continue;
    }
    const { timing: r, speed, fields } = timeDecode(engine, point, settings);
    rows.push({
      ...fields,
      selection,
      selectionBytes: r.selectionBytes,
      selectedTokens: r.selectedTokens,
      retrievalRate: r.retrievalRate,
    });
    const gate = 'gate' in selection && selection.gate !== undefined ? ` gate ${selection.gate}` : '';
    console.log(
      `${shape} B${batch} ctx ${context} ${selection.kind}${'budget' in selection ? ` ${selection.budget}` : ''}${gate}: ${r.medianMs.toFixed(3)} ms/step (${speed.tokensPerSecond.toFixed(0)} tok/s), kept ${r.selectedTokens.toFixed(0)}, retrieval ${(100 * r.retrievalRate).toFixed(1)}%, ${(speed.bytes.total / 1e9).toFixed(2)} GB/step, bound ${speed.boundMs.toFixed(3)} ms (${(100 * speed.fractionOfBound).toFixed(0)}%)`,
    );
    printProfile(r);
  }
  return rows;
}

decodeBenchMain({ name: 'selectionBench', defaultSteps: 30, defaultWarmup: 5, measure: measureSelections });
