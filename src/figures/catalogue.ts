/** Every figure of `prhs figures`, in the order of issue 7 (and of the README); the real-attention versions follow their synthetic ones. */
import { certifiedTightnessFigure } from './certifiedTightness.js';
import { cisGateFigure } from './cisGate.js';
import { depthSchedulesFigure } from './depthSchedules.js';
import { entropyBoundsFigure } from './entropyBounds.js';
import type { FigureDefinition } from './figure.js';
import { kernelSpeedFigure } from './kernelSpeed.js';
import { miLossFigure } from './miLoss.js';
import { outputErrorFigure } from './outputError.js';
import { realBitsPerByteFigure } from './realBitsPerByte.js';
import { realCertifiedTightnessFigure } from './realCertifiedTightness.js';
import { realSelectorBudgetFigure } from './realSelectorBudget.js';
import { selectorBudgetFigure } from './selectorBudget.js';

export const figureCatalogue: readonly FigureDefinition[] = [
  miLossFigure,
  entropyBoundsFigure,
  outputErrorFigure,
  selectorBudgetFigure,
  realSelectorBudgetFigure,
  cisGateFigure,
  certifiedTightnessFigure,
  realCertifiedTightnessFigure,
  depthSchedulesFigure,
  kernelSpeedFigure,
  realBitsPerByteFigure,
];

export const figureNames: readonly string[] = figureCatalogue.map((f) => f.name);
