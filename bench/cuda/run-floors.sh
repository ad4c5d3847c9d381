#!/usr/bin/env bash
# One call on the GPU machine (issue 14's dense target, and the bit identity of a refactor):
#   1. (if .device/bit-identity.tar.xz is carried) bench/cuda/bit-identity.sh on the two addons it
#      holds (old.node, new.node), one variant at a time while time is left (BITS_VARIANTS, an
#      extended regular expression, keeps some: default all); each variant's verdict in log.txt;
#   2. the dense sweep bench/cuda/sweep-mma.json with PRHS_CUDA_DECODE=mma (the tensor-core kernel
#      wherever it applies, multi-head cells too): SDPA (PyTorch, same card) first, then sweep.mjs,
#      whose timings carry the kernel's floors (native/cuda/denseFloor.hpp), then dense-floors.mjs:
#      the kernel's time split into its loads, its partial stores, its merge and the rest, beside a
#      plain read of the same bytes and SDPA.
#   3. (STAGES has "speed", with .device/bit-identity.tar.xz) bench/cuda/build-speed.mjs: the two
#      addons' benchmark timings alternated over ROUNDS rounds (default 5) on
#      bench/cuda/configs-build-speed.json, into build-speed.json: that a refactor kept the speed.
# Carry .device (bash bench/cuda/bundle.sh; node.tar.xz, and addon.tar.xz holding
# build/cuda/Release/prhs_cuda.node) and, for stage 1, .device/bit-identity.tar.xz.
# STAGES (default "bits floors"), LIMIT (seconds in all, default 570).
# Writes under $OUT: device.txt, log.txt, bits.tar.xz (the digest files), torch-sweep.json,
# cuda-sweep-floors.json, dense-floors.json, build-speed.json.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-/tmp/prhs-bench-out}"
STAGES="${STAGES:-bits floors}"
LIMIT="${LIMIT:-570}"
mkdir -p "$OUT" /opt/node
LOG="$OUT/log.txt"
left() { echo $((LIMIT - SECONDS)); }
source bench/deviceSetup.sh
[ -f .device/addon.tar.xz ] && tar -C . -xJf .device/addon.tar.xz
[ -f .device/bit-identity.tar.xz ] && mkdir -p build/bit-identity && tar -C build/bit-identity -xJf .device/bit-identity.tar.xz
useCudaDevice
# Without addon.tar.xz the device is described through the new build of the bit-identity pair.
[ -f "$PRHS_CUDA_ADDON" ] || export PRHS_CUDA_ADDON="$PWD/build/bit-identity/new.node"
describeCudaDevice name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

if [[ " $STAGES " == *" floors "* ]]; then
  say "SDPA on sweep-mma.json"
  PYTHONUNBUFFERED=1 timeout 150 python3 bench/cuda/torch_baseline.py bench/cuda/sweep-mma.json "$OUT/torch-sweep.json" 2>&1 | tail -2 | tee -a "$LOG"
  say "sweep with the floors, PRHS_CUDA_DECODE=mma"
  PRHS_CUDA_DECODE=mma timeout 240 node bench/cuda/sweep.mjs bench/cuda/sweep-mma.json "$OUT/torch-sweep.json" "$OUT/cuda-sweep-floors.json" > "$OUT/sweep.log" 2>&1
  say "sweep: exit $?"
  grep -h "ERROR" "$OUT/sweep.log" | head -5 | tee -a "$LOG"
  node bench/cuda/dense-floors.mjs "$OUT/cuda-sweep-floors.json" "$OUT/dense-floors.json" 2>&1 | tee -a "$LOG"
  rm -f "$OUT/sweep.log"
fi

if [[ " $STAGES " == *" bits "* ]] && [ -f .device/bit-identity.tar.xz ]; then
  variants=$(bash bench/cuda/bit-identity.sh --variants build/bit-identity/old.node)
  [ -n "${BITS_VARIANTS:-}" ] && variants=$(echo "$variants" | grep -E -- "$BITS_VARIANTS")
  while IFS= read -r variant; do
    if [ "$(left)" -lt 45 ]; then
      say "bits: no time left for $variant"
      continue
    fi
    pattern="^$(echo "$variant" | sed 's/[.[\*^$+?(){}|]/\\&/g')\$"
    timeout $(($(left) - 15)) bash bench/cuda/bit-identity.sh build/bit-identity/old.node build/bit-identity/new.node "$OUT/bits" "$pattern" > "$OUT/bits-one.log" 2>&1
    say "bits $variant: exit $? $(tail -1 "$OUT/bits-one.log")"
    grep -v "^== \|bit-identity:" "$OUT/bits-one.log" | head -8 | tee -a "$LOG"
  done <<< "$variants"
  tar -C "$OUT" -cJf "$OUT/bits.tar.xz" bits && rm -rf "$OUT/bits" "$OUT/bits-one.log"
fi
if [[ " $STAGES " == *" speed "* ]] && [ -f .device/bit-identity.tar.xz ]; then
  say "speed of the two builds, ${ROUNDS:-5} rounds"
  timeout $(($(left) - 10)) node bench/cuda/build-speed.mjs bench/cuda/configs-build-speed.json build/bit-identity/old.node \
    build/bit-identity/new.node "$OUT/build-speed.json" --rounds "${ROUNDS:-5}" 2>&1 | tee -a "$LOG"
  say "speed: exit ${PIPESTATUS[0]}"
fi
say "done"
