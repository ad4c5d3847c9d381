/** `prhs doctor`: which kernel backends loaded, and why the others did not. */
import { backendStatuses } from '../../backends/registry.js';
import type { Command } from '../command.js';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'report which kernel backends loaded and, if not, why',
  usage: 'prhs doctor [--json]',
  options: { json: { type: 'boolean', description: 'print the report as JSON' } },
  positionals: [],
  run(args, io) {
    const statuses = backendStatuses().map((load) =>
      load.loaded
        ? { name: load.backend.name, loaded: true, description: load.backend.description, ...load.detail }
        : { name: load.name, loaded: false, reason: load.reason },
    );
    if (args.options.json === true) {
      io.stdout(
        JSON.stringify({
          schema: 'prhs-doctor/1',
          node: process.version,
          platform: `${process.platform}-${process.arch}`,
          backends: statuses,
        }) + '\n',
      );
    } else {
      io.stdout(`prhs doctor (node ${process.version}, ${process.platform}-${process.arch})\n`);
      for (const s of statuses)
        io.stdout(
          `  ${s.name.padEnd(10)} ${s.loaded ? `loaded: ${'description' in s ? s.description : ''}` : `not loaded: ${'reason' in s ? s.reason : ''}`}\n`,
        );
    }
    return 0;
  },
};
