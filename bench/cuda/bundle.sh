#!/usr/bin/env bash
# Bundles the CLI (src/ and its runtime dependencies) into one file for the GPU machine, which has
# Node (carried) but no node_modules. The figure renderer (@resvg/resvg-js, a native module) and
# Vega are replaced by stubs: check-kernels and the benchmarks never load them.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .device
npx esbuild bench/model/cliEntry.ts --bundle --platform=node --target=node20 --format=esm \
  --alias:@resvg/resvg-js=./bench/cuda/stubs/figureRenderer.js --alias:vega=./bench/cuda/stubs/figureRenderer.js \
  --alias:vega-lite=./bench/cuda/stubs/figureRenderer.js \
  --banner:js="import{createRequire as __prhsCreateRequire}from'node:module';const require=__prhsCreateRequire(import.meta.url);" \
  --outfile=.device/prhs.mjs --log-level=warning
# The CIS selection check (cis.cu against src/selectors/cis.ts).
npx esbuild bench/cuda/cisCheck.ts --bundle --platform=node --target=node20 --format=esm \
  --banner:js="import{createRequire as __prhsCreateRequire}from'node:module';const require=__prhsCreateRequire(import.meta.url);" \
  --outfile=.device/cisCheck.mjs --log-level=warning
bash bench/pack-node.sh
ls -la .device
