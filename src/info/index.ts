/**
 * Information measures (float64, natural logs) and every bound function of theory/: truncation,
 * output error, oracle, entropy grouping, Fannes–Audenaert, MI loss, softmax sensitivity.
 * Every function validates its input and refuses arguments outside its domain with a typed error
 * (DomainError or InvalidArgumentError) naming the argument.
 */
export { entropy, binaryEntropy } from './entropy.js';
export { klDivergence, totalVariation } from './divergence.js';
export { mutualInformation, type JointLaw } from './mutualInformation.js';
export { sparseJointLaw, type SparseJointLaw, type SparseJointLawInput } from './sparseJointLaw.js';
export { klSparseToDense } from './bounds/truncation.js';
export { outputErrorBoundDiameter, outputErrorBoundMaxNorm } from './bounds/outputError.js';
export { oracleUniformBound } from './bounds/oracle.js';
export { entropyGroupingLowerBound, entropyGroupingUpperBound } from './bounds/entropyGrouping.js';
export { fannesAudenaertBound, inMonotoneRange } from './bounds/fannesAudenaert.js';
export {
  miLossBound,
  miLossSharpBounds,
  miLossSharpBoundsFromMean,
  miLossUnionBounds,
  miPaperCandidate,
  type LossInterval,
  type MiLossSharpInput,
  type MiLossSharpMeanInput,
  type MiLossUnionInput,
} from './bounds/miLoss.js';
export { softmaxSensitivityLinear, softmaxSensitivityTanh } from './bounds/softmaxSensitivity.js';
export {
  UNIT_ROUNDOFF,
  SECOND_ORDER_SLACK,
  entropyRoundingError,
  binaryEntropyRoundingError,
  mutualInformationRoundingError,
} from './roundingError.js';
