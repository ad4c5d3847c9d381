#!/usr/bin/env bash
# Bundles the CUDA engine check and benchmark for the GPU machine, which has Node (carried) but no
# node_modules: .device/cudaEngineCheck.mjs, .device/modelBench.mjs, .device/cudaSelectionCheck.mjs,
# .device/selectionBench.mjs, .device/cisCheck.mjs (the fused CIS kernel against cis.ts) and the whole CLI as
# .device/prhs.mjs (`prhs model bench` for the speed table and the linear sweep; check-output with its worker
# .device/outputWorker.js), plus .device/node.tar.xz.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .device
banner="import{createRequire as __prhsCreateRequire}from'node:module';const require=__prhsCreateRequire(import.meta.url);"
for entry in cudaEngineCheck:bench/model/cudaEngineCheck.ts modelBench:bench/model/benchDecode.ts \
    cudaSelectionCheck:bench/model/cudaSelectionCheck.ts selectionBench:bench/model/selectionBench.ts \
    cisCheck:bench/cuda/cisCheck.ts prhs:bench/model/cliEntry.ts; do
  # Whitespace and syntax minified (names kept, so stack traces stay readable): the repository and
  # what it carries travel to the GPU machine under 64 MiB.
  npx esbuild "${entry#*:}" --bundle --platform=node --target=node20 --format=esm --banner:js="$banner" \
    --minify-whitespace --minify-syntax \
    --alias:@resvg/resvg-js=./bench/model/resvgStub.ts --outfile=".device/${entry%%:*}.mjs" --log-level=warning
done
# check-output's worker thread: the CLI bundle starts it as ./outputWorker.js beside itself (its
# `new URL('./outputWorker.js', import.meta.url)`); ESM by the repository's package.json "type".
npx esbuild src/verify/outputWorker.ts --bundle --platform=node --target=node20 --format=esm --banner:js="$banner" \
  --outfile=.device/outputWorker.js --log-level=warning
bash bench/pack-node.sh
ls -la .device
