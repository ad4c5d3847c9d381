/**
 * `prhs/verify`: the kernel cross-check harness (every check of `prhs check-kernels`, on any
 * KernelBackend), its report, the derived error bounds and the seeded inputs it uses.
 */
export { runKernelChecks, defaultMaxTokens, type HarnessOptions } from './harness.js';
export { summarise, formatTable as formatKernelTable, type KernelReport } from './report.js';
export type { CheckResult } from './kernelChecks.js';
export {
  gamma,
  logitErrorBound,
  softmaxAverageFactor,
  droppedMassFactor,
  underflowAbsolute,
  calibratedTolerance,
} from './errorBounds.js';
export {
  randomAttentionInputs,
  randomIndexLists,
  allIndexLists,
  uniformSource,
  gaussianSource,
} from './randomInputs.js';
