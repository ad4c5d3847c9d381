/** The prhs CLI as one file for the GPU machine (bench/model/bundle.sh → .device/prhs.mjs), which has Node but no node_modules or dist/. */
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`prhs: internal error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 3;
  },
);
