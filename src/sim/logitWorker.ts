/**
 * A logit worker (see LogitBlocks): claims blocks in the walk's order from the shared counter,
 * waits until the block's slot has been walked, scores the block with scoreBlock and marks it
 * done. It stops when every block is claimed, on abort, or after a failure (which it flags so
 * that the main thread scores the block itself).
 */
import { workerData } from 'node:worker_threads';
import { loadBackend } from '../backends/registry.js';
import { CONTROL, taskOf, taskRow, type LogitWorkerData } from './logitBlocks.js';
import { createScoreBlockScratch, scoreBlock, type ScoreBlockInputs } from './scoreBlock.js';

const data = workerData as LogitWorkerData;
const { shape, control, done, stepsPerBlock, slots } = data;

function run(): void {
  const load = data.precision === 'fp32' ? loadBackend('cpu') : undefined;
  if (load && !load.loaded) throw new Error(`logit worker: the cpu backend did not load: ${load.reason}`);
  const inputs: ScoreBlockInputs = {
    shape,
    scale: data.scale,
    queries: data.queries,
    keys: data.keys,
    backend: load?.loaded ? load.backend : undefined,
    thresholdSize: data.thresholdSize,
  };
  const scratch = createScoreBlockScratch(shape, stepsPerBlock * (shape.queryHeads / shape.kvHeads), data.precision);
  const tasks = done.length;
  for (;;) {
    if (Atomics.load(control, CONTROL.abort) === 1) return;
    const k = Atomics.add(control, CONTROL.claimed, 1);
    if (k >= tasks) return;
    const { block, layer, kvHead } = taskOf(shape, k);
    // Block b reuses the slot of block b − slots: wait until the walk is past that one.
    for (;;) {
      const consumed = Atomics.load(control, CONTROL.consumed);
      if (consumed >= block - slots + 1) break;
      if (Atomics.load(control, CONTROL.abort) === 1) return;
      Atomics.wait(control, CONTROL.consumed, consumed, 1000);
    }
    const first = taskRow(shape, stepsPerBlock, slots, block, layer, kvHead);
    scoreBlock(
      inputs,
      scratch,
      layer,
      kvHead,
      block * stepsPerBlock,
      stepsPerBlock,
      data.rows,
      first * shape.positions,
      first,
    );
    Atomics.store(done, k, 1);
    Atomics.notify(done, k);
  }
}

try {
  run();
} catch {
  // The main thread polls this flag and scores the unfinished blocks itself.
  Atomics.store(control, CONTROL.failed, 1);
}
