#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the prepare script).
import { main } from '../dist/src/cli/main.js';

// `prhs verify | head` closes the pipe early: stop quietly instead of throwing EPIPE.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`prhs: internal error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 3;
  },
);
