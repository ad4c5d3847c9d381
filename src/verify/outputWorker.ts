/** Worker thread of `prhs check-output`: checks every `workers`-th head group of the file (natively when asked and built) and posts each group's result. */
import { parentPort, workerData } from 'node:worker_threads';
import { PrhsError } from '../core/errors.js';
import { checkGroup, type GroupResult } from './groupCheck.js';
import { forEachHeadGroup } from './headGroups.js';
import { checkOutputAddon } from './nativeGroupCheck.js';
import { readOutputCase } from './outputCase.js';

const { path, worker, workers, native } = workerData as {
  path: string;
  worker: number;
  workers: number;
  native: boolean;
};

function transferables(r: GroupResult): ArrayBuffer[] {
  const arrays = [r.out, r.deltaRows, r.delta, r.scores].flatMap((part) =>
    part ? Object.values(part) : [],
  ) as Float64Array[];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

try {
  const c = readOutputCase(path);
  const addon = native ? checkOutputAddon() : null;
  try {
    forEachHeadGroup(
      c,
      (g) => {
        const result = checkGroup(c, g, addon);
        parentPort!.postMessage({ result }, transferables(result));
      },
      { include: (index) => index % workers === worker, raw: addon !== null },
    );
  } finally {
    c.close();
  }
} catch (error) {
  parentPort!.postMessage({ error: { message: (error as Error).message, expected: error instanceof PrhsError } });
}
