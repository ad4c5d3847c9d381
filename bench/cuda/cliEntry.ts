// Entry point of the bundled CLI that runs on the GPU machine (which has no node_modules):
// esbuild bundles this with src/ into .device/prhs.mjs (bench/cuda/bundle.sh).
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
