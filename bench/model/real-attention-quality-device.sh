#!/usr/bin/env bash
# One GPU-machine call (10-minute limit) of bench/model/real-attention-quality.js on its CPU cores,
# bundled (bench/model/bundle-quality.sh, run here first: carries .device/real-attention-quality.mjs,
# .device/node.tar.xz and build/native/Release/prhs_native.node).
#
#   bash bench/model/real-attention-quality-device.sh NAME [runner arguments ...]
#
# Writes $OUT/NAME.json (rewritten after every finished group; `complete: false` until done) and
# $OUT/NAME.log (progress). When RESUME names an earlier NAME.json (brought back from a previous
# call and carried in the working tree), only what it lacks is run. CALL_SECONDS (default 570)
# bounds the runner with `timeout`; no task starts that would end later than 30 s before that.
#
# Before the call, here: npm run build && npm run build:native && bash bench/model/bundle-quality.sh;
# carry .device and build/native. At 4K the held-out sample has 11 files long enough. Beside a GPU
# job that needs ~2 cores, on the 16-core machine:
#   bits per byte, 12m model:  bash bench/model/real-attention-quality-device.sh quality-bpb-12m-4k \
#       --context 4096 --bpb-files 11 --retrieval-files 0 --jobs 14
#   retrieval, a small model:  bash bench/model/real-attention-quality-device.sh quality-retrieval-copy-3m-4k \
#       --checkpoint models/prhs-byte-copy-3m --context 4096 --bpb-files 0 --retrieval-files 11 --jobs 14
# A call cut short leaves NAME.json with complete: false: carry it back and repeat the call with
# RESUME=<its path in the working tree>.
set -uo pipefail
cd "$(dirname "$0")/../.."
name="${1:?NAME: the result file name without .json}"
shift
OUT="${OUT:-/tmp/prhs-quality-out}"
CALL_SECONDS="${CALL_SECONDS:-570}"
mkdir -p "$OUT" /opt/node
source bench/deviceSetup.sh
useBundledNode
export PRHS_NATIVE_ADDON="$PWD/build/native/Release/prhs_native.node"
resume=()
if [ -n "${RESUME:-}" ]; then resume=(--resume "$RESUME"); fi
{
  echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo)"
  timeout "$CALL_SECONDS" node .device/real-attention-quality.mjs "$@" "${resume[@]}" \
    --time-limit $((CALL_SECONDS - 30)) --out "$OUT/$name.json"
  echo "exit $?"
} 2>&1 | tee "$OUT/$name.log"
