// Entry point of the CUDA CIS selection check (src/verify/cudaCisCheck.ts) on the GPU machine.
// Usage (bundled by bench/cuda/bundle.sh): node .device/cisCheck.mjs [OUT_JSON]
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { runCisCheck, type CisAddon } from '../../src/verify/cudaCisCheck.js';

const addonPath = process.env.PRHS_CUDA_ADDON ?? join(process.cwd(), 'build', 'cuda', 'Release', 'prhs_cuda.node');
const addon = createRequire(import.meta.url)(addonPath) as CisAddon;
const results = runCisCheck(addon, 1000);
let failed = 0;
for (const r of results) {
  console.log(
    `cis check ${r.label}: ${r.mismatches === 0 ? 'pass' : 'FAIL'} (${r.headSteps} head-steps, ${r.retrievals} re-anchors, ${r.mismatches} mismatches)${r.firstMismatch ? ` ${r.firstMismatch}` : ''}`,
  );
  if (r.mismatches > 0) failed++;
}
const outPath = process.argv[2];
if (outPath) writeFileSync(outPath, JSON.stringify({ check: 'cis-selection-cuda-vs-reference', results }, null, 1));
process.exitCode = failed === 0 ? 0 : 1;
