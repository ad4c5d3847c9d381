/** Every figure of `prhs figures`, in the order of issue 7 (and of the README). */
import { certifiedTightnessFigure } from './certifiedTightness.js';
import { cisGateFigure } from './cisGate.js';
import { depthSchedulesFigure } from './depthSchedules.js';
import { entropyBoundsFigure } from './entropyBounds.js';
import type { FigureDefinition } from './figure.js';
import { kernelSpeedFigure } from './kernelSpeed.js';
import { miLossFigure } from './miLoss.js';
import { outputErrorFigure } from './outputError.js';
import { selectorBudgetFigure } from './selectorBudget.js';

export const figureCatalogue: readonly FigureDefinition[] = [
  miLossFigure,
  entropyBoundsFigure,
  outputErrorFigure,
  selectorBudgetFigure,
  cisGateFigure,
  certifiedTightnessFigure,
  depthSchedulesFigure,
  kernelSpeedFigure,
];

export const figureNames: readonly string[] = figureCatalogue.map((f) => f.name);
