#!/usr/bin/env bash
# Bundles bench/model/real-attention-quality.js for the GPU machine's CPU cores, which have Node
# (carried) but no node_modules: .device/real-attention-quality.mjs, plus .device/node.tar.xz.
# Needs `npm run build` (the bench imports dist/) and `npm run build:native` (build/native/Release/prhs_native.node is carried).
# The bundle forks itself as its workers and finds the repository root (held-out sample, default
# checkpoint models/prhs-byte-12m) above its own folder; another --checkpoint folder must travel
# with the working tree too.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .device
banner="import{createRequire as __prhsCreateRequire}from'node:module';const require=__prhsCreateRequire(import.meta.url);"
npx esbuild bench/model/real-attention-quality.js --bundle --platform=node --target=node20 --format=esm --banner:js="$banner" \
  --outfile=.device/real-attention-quality.mjs --log-level=warning
bash bench/pack-node.sh
ls -la .device/real-attention-quality.mjs .device/node.tar.xz build/native/Release/prhs_native.node
