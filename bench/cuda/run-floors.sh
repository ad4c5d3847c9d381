#!/usr/bin/env bash
# One call on the GPU machine (issue 14's dense target, and the bit identity of a refactor):
#   1. the dense sweep bench/cuda/sweep-mma.json with PRHS_CUDA_DECODE=mma (the tensor-core kernel
#      wherever it applies, multi-head cells too), once per merge of its split-KV partials
#      (PRHS_CUDA_MMA_MERGE, from MERGES): SDPA (PyTorch, same card) first, then sweep.mjs, whose
#      timings carry the kernel's floors (native/cuda/denseFloor.hpp), then dense-floors.mjs: the
#      kernel's time split into its loads, its partial stores, its merge and the rest, beside a
#      plain read of the same bytes and SDPA;
#   2. compute-sanitizer memcheck and racecheck on the tensor-core kernel with each merge of MERGES:
#      check-kernels --backend cuda with PRHS_CUDA_DECODE=mma (fp16, memcheck to N = 2048, racecheck
#      to N = 1024) and PRHS_CUDA_DECODE=mma-pipelined PRHS_CUDA_MMA_CHUNKS=3 (bf16, memcheck to
#      N = 2048): its shapes with head dims 64, 96, 128, groups 1 to 16 and 8 to 16 chunks;
#   3. (if .device/bit-identity.tar.xz is carried) bench/cuda/bit-identity.sh on the two addons it
#      holds (old.node, new.node), one variant at a time while time is left (BITS_VARIANTS, an
#      extended regular expression, keeps some: default all); each variant's verdict in log.txt;
#   4. (STAGES has "speed", with .device/bit-identity.tar.xz) bench/cuda/build-speed.mjs: the two
#      addons' benchmark timings alternated over ROUNDS rounds (default 5) on
#      bench/cuda/configs-build-speed.json, into build-speed.json: that a refactor kept the speed.
# Carry .device (bash bench/cuda/bundle.sh: node.tar.xz and prhs.mjs; and addon.tar.xz holding
# build/cuda/Release/prhs_cuda.node) and, for stages 3 and 4, .device/bit-identity.tar.xz.
# STAGES (default "floors sanitize bits"), MERGES (default "fused separate"; each fused or
# separate), LIMIT (seconds in all, default 570: every stage's timeouts stay within what is left).
# Writes under $OUT: device.txt, log.txt, torch-sweep.json, and per merge M cuda-sweep-floors-M.json
# and dense-floors-M.json; bits.tar.xz (the digest files); build-speed.json.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-/tmp/prhs-bench-out}"
STAGES="${STAGES:-floors sanitize bits}"
MERGES="${MERGES:-fused separate}"
LIMIT="${LIMIT:-570}"
for merge in $MERGES; do
  if [ "$merge" != fused ] && [ "$merge" != separate ]; then
    echo "run-floors: MERGES holds $merge (each must be fused or separate)" >&2
    exit 2
  fi
done
mkdir -p "$OUT" /opt/node
LOG="$OUT/log.txt"
left() { echo $((LIMIT - SECONDS)); }
# upTo SECONDS: SECONDS, or less where less time is left (15 s kept for what follows).
upTo() {
  local t=$(($(left) - 15))
  [ "$t" -gt "$1" ] && t=$1
  [ "$t" -lt 1 ] && t=1
  echo "$t"
}
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
  PYTHONUNBUFFERED=1 timeout "$(upTo 150)" python3 bench/cuda/torch_baseline.py bench/cuda/sweep-mma.json "$OUT/torch-sweep.json" 2>&1 | tail -2 | tee -a "$LOG"
  for merge in $MERGES; do
    reported=$(PRHS_CUDA_MMA_MERGE=$merge node -e "const i = require(process.env.PRHS_CUDA_ADDON).info(); console.log(i.mmaMerge ?? i.mmaMergeError ?? 'separate (an addon without the switch)')")
    say "sweep with the floors, PRHS_CUDA_DECODE=mma PRHS_CUDA_MMA_MERGE=$merge (the addon: $reported)"
    PRHS_CUDA_DECODE=mma PRHS_CUDA_MMA_MERGE=$merge timeout "$(upTo 240)" node bench/cuda/sweep.mjs bench/cuda/sweep-mma.json "$OUT/torch-sweep.json" "$OUT/cuda-sweep-floors-$merge.json" > "$OUT/sweep.log" 2>&1
    say "sweep ($merge): exit $?"
    grep -h "ERROR" "$OUT/sweep.log" | head -5 | tee -a "$LOG"
    node bench/cuda/dense-floors.mjs "$OUT/cuda-sweep-floors-$merge.json" "$OUT/dense-floors-$merge.json" 2>&1 | tee -a "$LOG"
    rm -f "$OUT/sweep.log"
  done
fi

if [[ " $STAGES " == *" sanitize "* ]]; then
  if [ ! -f .device/prhs.mjs ]; then
    say "sanitize: no .device/prhs.mjs (bash bench/cuda/bundle.sh bundles it)"
  else
    # tool, dtype, max N, PRHS_CUDA_DECODE, PRHS_CUDA_MMA_CHUNKS, PRHS_CUDA_MMA_MERGE: all side by side.
    sanitize() {
      local name="$1-$2-$4-$6" t
      t=$(upTo 200)
      PRHS_CUDA_DECODE=$4 PRHS_CUDA_MMA_CHUNKS=$5 PRHS_CUDA_MMA_MERGE=$6 timeout "$t" compute-sanitizer --tool "$1" --print-limit 20 node .device/prhs.mjs check-kernels --backend cuda --dtype "$2" --max-n "$3" > "$OUT/sanitizer-$name.log" 2>&1
      local status=$?
      {
        echo "== compute-sanitizer --tool $1, PRHS_CUDA_DECODE=$4 PRHS_CUDA_MMA_CHUNKS=${5:-(unset)} PRHS_CUDA_MMA_MERGE=$6 check-kernels --backend cuda --dtype $2 --max-n $3: exit $status"
        grep -E "ERROR SUMMARY|RACECHECK SUMMARY|passed, .* failed|Invalid|Race|Error" "$OUT/sanitizer-$name.log" | head -20
      } > "$OUT/sanitizer-$name.txt"
      rm -f "$OUT/sanitizer-$name.log"
    }
    say "sanitize: memcheck and racecheck of the tensor-core kernel, merges: $MERGES"
    for merge in $MERGES; do
      sanitize memcheck fp16 2048 mma "" "$merge" &
      sanitize racecheck fp16 1024 mma "" "$merge" &
      sanitize memcheck bf16 2048 mma-pipelined 3 "$merge" &
    done
    wait
    cat "$OUT"/sanitizer-*.txt | tee -a "$LOG"
    rm -f "$OUT"/sanitizer-*.txt
    say "sanitize: done"
  fi
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
  timeout "$(upTo 300)" node bench/cuda/build-speed.mjs bench/cuda/configs-build-speed.json build/bit-identity/old.node \
    build/bit-identity/new.node "$OUT/build-speed.json" --rounds "${ROUNDS:-5}" 2>&1 | tee -a "$LOG"
  say "speed: exit ${PIPESTATUS[0]}"
fi
say "done"
