#!/usr/bin/env bash
# One call on the GPU machine for the tensor-core dense decode (native/cuda/groupDecodeMma.cu,
# selected by PRHS_CUDA_DECODE=mma, or mma-pipelined: several chunks per block, the same bits):
#   1. check-kernels --backend cuda with it selected, fp16 and bf16, N up to 2^20 (the addon then
#      reports decodeSummation "tensor-core" and the harness applies theory/kernel-error.md's
#      "Tensor-core dense decode" bound to dense decode), mma-pipelined fp16 with 3 chunks per block
#      (PRHS_CUDA_MMA_CHUNKS=3: every shape takes the multi-chunk path), then fp16 with the ordered
#      kernels (PRHS_CUDA_DECODE=group, N to 2^16) as a regression check;
#   2. compute-sanitizer memcheck and racecheck of the same suite on small N, mma-pipelined with 3
#      chunks per block (its last chunk of each block is the single-chunk path);
#   3. the sweep bench/cuda/sweep-mma.json: SDPA (PyTorch, same card), the default dense decode,
#      mma and mma-pipelined, each a separate process (the kernel choice is read once per process),
#      joined by compare-mma.mjs.
# Carry .device (bash bench/cuda/bundle.sh) and build/cuda/Release (npm run build:cuda).
# Writes 8 files under $OUT: device.txt, check-mma.json, torch-sweep.json, cuda-sweep-default.json,
# cuda-sweep-mma.json, cuda-sweep-mma-pipelined.json, mma-vs-default.json and log.txt (which also
# holds the sanitizer summaries).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-/tmp/prhs-bench-out}"
mkdir -p "$OUT" /opt/node
LIMIT="${LIMIT:-540}"  # seconds this script may take in all (the device call allows 600)
left() { echo $(( LIMIT - SECONDS )); }
log() { tee -a "$OUT/log.txt"; }
source bench/deviceSetup.sh
useCudaDevice
PRHS_CUDA_DECODE=mma describeCudaDevice name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

# ---- 1. cross-checks: tensor-core fp16 and bf16 (to 2^20) side by side, then the ordered kernels ----
runs="mma:fp16 mma:bf16 mma-pipelined:fp16 group:fp16"
for run in $runs; do
  kernel=${run%%:*} dtype=${run##*:}
  maxn=${MAXN:-1048576} limit=200
  [ $kernel = group ] && maxn=65536 limit=100 && wait  # the ordered kernels, after the mma runs
  (
    PRHS_CUDA_MMA_CHUNKS=3 PRHS_CUDA_DECODE=$kernel timeout $limit node .device/prhs.mjs check-kernels --backend cuda --dtype "$dtype" --json --max-n $maxn > "$OUT/check-$kernel-$dtype.part"
    echo "check-kernels cuda $dtype, PRHS_CUDA_DECODE=$kernel: exit $? (${SECONDS} s)" | log
  ) &
done
wait
{ echo '{"runs":['; first=1; for run in $runs; do [ $first = 1 ] || echo ','; first=0; cat "$OUT/check-${run%%:*}-${run##*:}.part"; done; echo ']}'; } > "$OUT/check-mma.json"
rm -f "$OUT"/check-*.part
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runs;
  const labels = ["PRHS_CUDA_DECODE=mma", "PRHS_CUDA_DECODE=mma", "PRHS_CUDA_DECODE=mma-pipelined (3 chunks per block)", "PRHS_CUDA_DECODE=group"];
  for (const [i, x] of r.entries()) {
    const bad = x.results.filter((c) => !c.pass);
    const dense = x.results.filter((c) => c.kernel === "decodeAttention").map((c) => `${c.shape}: ${c.ratio.toExponential(2)}`);
    console.log(`check ${x.dtype} ${labels[i]}: ${x.results.length - bad.length}/${x.results.length} pass, worst error/bound ${x.worstRatio.toExponential(2)}, maxTokens ${x.maxTokens}`);
    console.log(`  decodeAttention error/bound: ${dense.join("; ")}`);
    for (const c of bad) console.log("  FAIL", c.kernel, c.shape, JSON.stringify(c.verdicts), c.maxError, c.bound);
  }
' "$OUT/check-mma.json" 2>&1 | log

# ---- 2. sanitizers on small N with the tensor-core kernel selected, 3 chunks per block ----
for tool in memcheck racecheck; do
  maxn=4096; [ $tool = racecheck ] && maxn=1024
  echo "== compute-sanitizer --tool $tool, PRHS_CUDA_DECODE=mma-pipelined PRHS_CUDA_MMA_CHUNKS=3 check-kernels --backend cuda --dtype fp16 --max-n $maxn" >> "$OUT/sanitizer.txt"
  PRHS_CUDA_MMA_CHUNKS=3 PRHS_CUDA_DECODE=mma-pipelined timeout 100 compute-sanitizer --tool $tool --print-limit 20 node .device/prhs.mjs check-kernels --backend cuda --dtype fp16 --max-n $maxn > "$OUT/sanitizer-$tool.log" 2>&1
  echo "exit $? (${SECONDS} s)" >> "$OUT/sanitizer.txt"
  grep -E "ERROR SUMMARY|RACECHECK SUMMARY|passed, .* failed|Invalid|Race|Error" "$OUT/sanitizer-$tool.log" | head -20 >> "$OUT/sanitizer.txt"
  rm -f "$OUT/sanitizer-$tool.log"
done
cat "$OUT/sanitizer.txt" | log
rm -f "$OUT/sanitizer.txt"

# ---- 3. the sweep: SDPA, then the default and the tensor-core kernel, same card, same call ----
if [ "$(left)" -gt 60 ]; then
  PYTHONUNBUFFERED=1 timeout $(( $(left) * 2 / 5 )) python3 bench/cuda/torch_baseline.py bench/cuda/sweep-mma.json "$OUT/torch-sweep.json" 2>&1 | tail -3 | log
  third=$(( ($(left) - 10) / 3 ))
  for kernel in group mma mma-pipelined; do
    name=$kernel; [ $kernel = group ] && name=default
    PRHS_CUDA_DECODE=$kernel timeout $third node bench/cuda/sweep.mjs bench/cuda/sweep-mma.json "$OUT/torch-sweep.json" "$OUT/cuda-sweep-$name.json" > "$OUT/sweep-$name.log" 2>&1
    echo "sweep $name: exit $? (${SECONDS} s)" | log
    grep -h "ERROR" "$OUT/sweep-$name.log" | head -5 | log
    rm -f "$OUT/sweep-$name.log"
  done
  node bench/cuda/compare-mma.mjs "$OUT/cuda-sweep-default.json" "$OUT/cuda-sweep-mma.json" "$OUT/mma-vs-default.json" "$OUT/cuda-sweep-mma-pipelined.json" 2>&1 | log
fi
echo "run-mma: ${SECONDS} s" | log
