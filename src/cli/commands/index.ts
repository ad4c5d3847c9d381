/** Every CLI command, in the order `prhs help` lists them. Add a command by adding its file here. */
import type { Command } from '../command.js';
import { propsCommand } from './props.js';
import { verifyCommand } from './verify.js';

export const commands: readonly Command[] = [
  verifyCommand,
  propsCommand,
];
