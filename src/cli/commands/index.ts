/** Every CLI command, in the order `prhs help` lists them. Add a command by adding its file here. */
import type { Command } from '../command.js';
import { evalCommand } from './eval.js';
import { propsCommand } from './props.js';
import { proveCommand } from './prove.js';
import { verifyCommand } from './verify.js';
import { checkKernelsCommand } from './checkKernels.js';
import { doctorCommand } from './doctor.js';
import { simulateCommand } from './simulate.js';
import { compareCommand } from './compare.js';
import { figuresCommand } from './figures.js';
import { mergeCommand } from './merge.js';
import { modelCommand } from './model.js';
import { checkOutputCommand } from './checkOutput.js';
import { casesCommand } from './cases.js';

export const commands: readonly Command[] = [
  verifyCommand,
  propsCommand,
  evalCommand,
  proveCommand,
  checkKernelsCommand,
  doctorCommand,
  simulateCommand,
  compareCommand,
  figuresCommand,
  mergeCommand,
  modelCommand,
  checkOutputCommand,
  casesCommand,
];
