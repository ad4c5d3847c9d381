/**
 * Every proof script, one per machine-checked claim (run by `prhs prove`). The claims and their
 * certificate paths are listed in src/claims/certificates.ts; a test keeps the two in step.
 */
import type { ProofScript } from '../src/proofs/proofScript.js';
import { gammaN } from './scalar.gamma-n.proof.js';
import { gammaNCorrected } from './scalar.gamma-n-corrected.proof.js';
import { geometricTail } from './scalar.geometric-tail.proof.js';
import { hConcave } from './scalar.h-concave.proof.js';
import { hPlusXlnmIncreasing } from './scalar.h-plus-xlnm-increasing.proof.js';
import { hPlusXlnmNotIncreasingBeyond } from './scalar.h-plus-xlnm-not-increasing-beyond.proof.js';
import { miJensenStep } from './scalar.mi-jensen-step.proof.js';
import { powerLawTail } from './scalar.power-law-tail.proof.js';
import { softmaxTwoPointMax } from './scalar.softmax-two-point-max.proof.js';
import { tanhBelowLinear } from './scalar.tanh-below-linear.proof.js';

export const proofScripts: readonly ProofScript[] = [
  hPlusXlnmIncreasing,
  hPlusXlnmNotIncreasingBeyond,
  hConcave,
  miJensenStep,
  tanhBelowLinear,
  softmaxTwoPointMax,
  geometricTail,
  powerLawTail,
  gammaN,
  gammaNCorrected,
];
