#!/usr/bin/env bash
# The CPU kernel benchmark (bench/native-kernels.js) on the GPU machine's host CPU, one thread, so
# the bandwidth ratios can be read on a second machine (the development VM's gathers are bound by
# its hypervisor: bench/README.md). Built here, run there: carry .device (the packed Node), dist
# and build/native. One invocation per dtype, each writing its own JSON under $OUT, so a timeout
# loses one dtype, not all.
#   run: bash bench/native-on-device.sh        (device tool, carry [".device", "dist", "build/native"])
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-/tmp/prhs-native-out}"
mkdir -p "$OUT" /opt/node
source bench/deviceSetup.sh
useBundledNode
{
  echo "== lscpu"; lscpu
  echo "== transparent huge pages"; cat /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag
  echo "== kernel"; uname -a
  echo "== memory"; free -g
  echo "== addon"; node -e "console.log(JSON.stringify(require('./build/native/Release/prhs_native.node').info()))"
} > "$OUT/machine.txt" 2>&1
head -30 "$OUT/machine.txt"
for dtype in ${DTYPES:-fp32 fp16 bf16}; do
  timeout "${PER_DTYPE_SECONDS:-170}" node bench/native-kernels.js --dtype "$dtype" ${TOKENS:+--tokens $TOKENS} --out "$OUT/cpu-$dtype.json" 2>&1 | tee -a "$OUT/log.txt"
  echo "bench $dtype: exit ${PIPESTATUS[0]}" | tee -a "$OUT/log.txt"
done
