/** Every CLI command, in the order `prhs help` lists them. Add a command by adding its file here. */
import type { Command } from '../command.js';

export const commands: readonly Command[] = [];
