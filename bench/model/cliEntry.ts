/** The prhs CLI as one file for the GPU machine (bench/model/bundle.sh → .device/prhs.mjs), which has Node but no node_modules or dist/. */
import { bignumberDependencies, create } from 'mathjs';
import { main } from '../../src/cli/main.js';
import { provideMathjs } from '../../src/verify/highPrecision.js';

// The bundle has no node_modules beside it: mathjs goes in statically (the CLI loads it lazily).
provideMathjs({ bignumberDependencies, create });

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`prhs: internal error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 3;
  },
);
