#!/usr/bin/env bash
# One call on the GPU machine for issue 14's second tensor-core run (bench/cuda/NOTES.md, run 7):
# the bf16 hi + lo split of P, the shared split-KV merge (decodeMerge.cuh, issue 18) and two speed
# variants. Carry .device (bash bench/cuda/bundle.sh) and build/cuda/Release (npm run build:cuda).
#   1. check-kernels --backend cuda, seed 1: PRHS_CUDA_DECODE=mma fp16 and bf16 to N = 2^20,
#      mma-pipelined bf16 with 3 chunks per block (the split on the multi-chunk path), then the
#      ordered kernels fp16 to 2^16 (group, chunk). Then compare-checks.mjs against the 2026-12-06
#      run (bench/results/cuda-mma-h100-2026-12-06/check-mma.json, same seed and shapes): mma fp16,
#      group fp16 and chunk fp16 must give the same maxError on every check (the merge moved to one
#      header without changing an operation; chunk and group are the same bits), and mma bf16 shows
#      where the split moved the error, against twice the naive implementation's.
#   2. compute-sanitizer: memcheck and racecheck with mma-pipelined (3 chunks per block) bf16,
#      racecheck of the fused merges (group, chunk) fp16, memcheck of the 32-load merge kernel.
#   3. the sweep bench/cuda/sweep-mma.json: SDPA (PyTorch, same card), then the group kernel, mma,
#      mma-pipelined and mma with PRHS_CUDA_MERGE_LOADS=32, each its own process, joined by
#      compare-mma.mjs into the table (log.txt ends with it).
# Writes under $OUT: device.txt, check-mma2.json, torch-sweep.json, cuda-sweep-{group,mma,
# mma-pipelined,mma-merge32}.json, mma-vs-default.json, log.txt. About 3-4 minutes on an H100.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-/tmp/prhs-bench-out}"
mkdir -p "$OUT" /opt/node
LIMIT="${LIMIT:-470}" # seconds this script may take in all (under 8 minutes)
left() { echo $((LIMIT - SECONDS)); }
log() { tee -a "$OUT/log.txt"; }
source bench/deviceSetup.sh
useCudaDevice
PREVIOUS=bench/results/cuda-mma-h100-2026-12-06/check-mma.json # runs: mma fp16, mma bf16, pipelined fp16, group fp16
PRHS_CUDA_DECODE=mma describeCudaDevice name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu >"$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

# SWEEP_ONLY=1 skips parts 1 and 2 (a call whose checks ran elsewhere: check-kernels with the default
# dispatch covers the tensor-core kernel for GQA shapes) and goes straight to the sweep.
if [ -z "${SWEEP_ONLY:-}" ]; then
# ---- 1. cross-checks (the run order is the index in check-mma2.json) ----
runs="mma:fp16 mma:bf16 mma-pipelined:bf16 group:fp16 chunk:fp16"
check() { # kernel dtype maxn limit
  PRHS_CUDA_MMA_CHUNKS=3 PRHS_CUDA_DECODE=$1 timeout $4 node .device/prhs.mjs check-kernels --backend cuda --dtype "$2" --json --max-n $3 >"$OUT/check-$1-$2.part"
  echo "check-kernels cuda $2, PRHS_CUDA_DECODE=$1: exit $? (${SECONDS} s)" | log
}
check mma fp16 1048576 200 &
check mma bf16 1048576 200 &
check mma-pipelined bf16 1048576 200 &
wait
check group fp16 65536 100 &
check chunk fp16 65536 100 &
wait
{
  echo '{"runs":['
  first=1
  for run in $runs; do
    [ $first = 1 ] || echo ','
    first=0
    part="$OUT/check-${run%%:*}-${run##*:}.part"
    if [ -s "$part" ]; then cat "$part"; else echo '{"results":[],"missing":"'"$run"'"}'; fi
  done
  echo ']}'
} >"$OUT/check-mma2.json"
rm -f "$OUT"/check-*.part
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runs;
  const labels = process.argv[2].split(" ");
  for (const [i, x] of r.entries()) {
    if (x.missing) { console.log(`check ${labels[i]}: MISSING (timed out or crashed)`); continue; }
    const bad = x.results.filter((c) => !c.pass);
    const dense = x.results.filter((c) => c.kernel === "decodeAttention").map((c) => `${c.shape}: ${c.ratio.toExponential(2)}` + (c.naiveError ? ` (${(c.maxError / c.naiveError).toFixed(2)}x naive)` : ""));
    console.log(`check ${labels[i]}: ${x.results.length - bad.length}/${x.results.length} pass, worst error/bound ${x.worstRatio.toExponential(2)}, maxTokens ${x.maxTokens}`);
    console.log(`  decodeAttention error/bound: ${dense.join("; ")}`);
    for (const c of bad) console.log("  FAIL", c.kernel, c.shape, JSON.stringify(c.verdicts), c.maxError, c.bound, c.naiveError ?? "");
  }
' "$OUT/check-mma2.json" "$runs" 2>&1 | log
NEW="$OUT/check-mma2.json"
{
  node bench/cuda/compare-checks.mjs $PREVIOUS 0 "$NEW" 0 "same bits? mma fp16 (merge kernel now decodeMerge.cuh)" --expect-same
  echo "  verdict: exit $?"
  node bench/cuda/compare-checks.mjs $PREVIOUS 3 "$NEW" 3 "same bits? group fp16 (fused merge now decodeMerge.cuh)" --expect-same
  echo "  verdict: exit $?"
  node bench/cuda/compare-checks.mjs $PREVIOUS 3 "$NEW" 4 "same bits? chunk fp16 now vs group fp16 before" --expect-same
  echo "  verdict: exit $?"
  node bench/cuda/compare-checks.mjs $PREVIOUS 1 "$NEW" 1 "mma bf16: P rounded once (before) vs hi + lo (now)"
} 2>&1 | log

# ---- 2. sanitizers on small N ----
sanitize() { # tool maxn dtype env...
  local tool=$1 maxn=$2 dtype=$3
  shift 3
  echo "== compute-sanitizer --tool $tool, $* check-kernels --backend cuda --dtype $dtype --max-n $maxn" >>"$OUT/sanitizer.txt"
  env "$@" timeout 90 compute-sanitizer --tool $tool --print-limit 20 node .device/prhs.mjs check-kernels --backend cuda --dtype $dtype --max-n $maxn >"$OUT/sanitizer.log" 2>&1
  echo "exit $? (${SECONDS} s)" >>"$OUT/sanitizer.txt"
  grep -E "ERROR SUMMARY|RACECHECK SUMMARY|passed, .* failed|Invalid|Race|Error" "$OUT/sanitizer.log" | head -20 >>"$OUT/sanitizer.txt"
  rm -f "$OUT/sanitizer.log"
}
sanitize memcheck 4096 bf16 PRHS_CUDA_DECODE=mma-pipelined PRHS_CUDA_MMA_CHUNKS=3
sanitize racecheck 1024 bf16 PRHS_CUDA_DECODE=mma-pipelined PRHS_CUDA_MMA_CHUNKS=3
sanitize racecheck 2048 fp16 PRHS_CUDA_DECODE=group
sanitize racecheck 2048 fp16 PRHS_CUDA_DECODE=chunk
sanitize memcheck 4096 fp16 PRHS_CUDA_DECODE=mma PRHS_CUDA_MERGE_LOADS=32
log <"$OUT/sanitizer.txt"
rm -f "$OUT/sanitizer.txt"
fi

# ---- 3. the sweep: SDPA, then four dense variants, same card, same call ----
if [ "$(left)" -gt 90 ]; then
  PYTHONUNBUFFERED=1 timeout $(($(left) / 4)) python3 bench/cuda/torch_baseline.py bench/cuda/sweep-mma.json "$OUT/torch-sweep.json" 2>&1 | tail -2 | log
  share=$((($(left) - 10) / 4))
  for variant in group mma mma-pipelined mma-merge32; do
    kernel=$variant loads=16
    [ $variant = mma-merge32 ] && kernel=mma loads=32
    PRHS_CUDA_MERGE_LOADS=$loads PRHS_CUDA_DECODE=$kernel timeout $share node bench/cuda/sweep.mjs bench/cuda/sweep-mma.json "$OUT/torch-sweep.json" "$OUT/cuda-sweep-$variant.json" >"$OUT/sweep-$variant.log" 2>&1
    echo "sweep $variant: exit $? (${SECONDS} s)" | log
    grep -h "ERROR" "$OUT/sweep-$variant.log" | head -5 | log
    rm -f "$OUT/sweep-$variant.log"
  done
  node bench/cuda/compare-mma.mjs "$OUT/cuda-sweep-group.json" "$OUT/cuda-sweep-mma.json" "$OUT/mma-vs-default.json" "$OUT/cuda-sweep-mma-pipelined.json" "$OUT/cuda-sweep-mma-merge32.json" 2>&1 | log
else
  echo "sweep skipped: $(left) s left" | log
fi
echo "run-mma2: ${SECONDS} s" | log
