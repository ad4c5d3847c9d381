#!/usr/bin/env bash
# One call on the GPU machine: card description, the shared kernel cross-check suite on the CUDA
# backend (fp32, fp16, bf16, N up to 2^20), compute-sanitizer memcheck and racecheck on a
# reduced-N run, PyTorch baselines, the CUDA benchmarks of the issue's table, then the dense
# decode sweep (bench/cuda/sweep.json against SDPA); prints the sweep's table last.
# Stages: STAGES="check sanitize bench sweep" (default; any subset, in this order).
# Expects (carried): .device/node.tar.xz, .device/prhs.mjs and .device/cisCheck.mjs
# (bench/cuda/bundle.sh), build/cuda (from `npm run build:cuda:bench`: with the baseline kernels).
# Writes under $OUT: device.txt, check-cuda.json, cis-check.json, sanitizer.txt, torch.json,
# cuda-bench.json, torch-sweep.json, cuda-sweep.json, log.txt.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-/tmp/prhs-bench-out}"
mkdir -p "$OUT" /opt/node
STAGES="${STAGES:-check sanitize bench sweep}"
LIMIT="${LIMIT:-570}"  # seconds this script may take in all (the device call allows 600)
left() { echo $(( LIMIT - SECONDS )); }
source bench/deviceSetup.sh
useCudaDevice
describeCudaDevice name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

if [[ " $STAGES " == *" check "* ]]; then
  echo '{"runs":[' > "$OUT/check-cuda.json"
  first=1
  for dtype in fp32 fp16 bf16; do
    [ $first = 1 ] || echo ',' >> "$OUT/check-cuda.json"; first=0
    timeout 110 node .device/prhs.mjs check-kernels --backend cuda --dtype "$dtype" --json ${MAXN:+--max-n $MAXN} >> "$OUT/check-cuda.json"
    echo "check-kernels cuda $dtype: exit $?" | tee -a "$OUT/log.txt"
  done
  echo ']}' >> "$OUT/check-cuda.json"
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runs;
    for (const x of r) { const bad = x.results.filter((c) => !c.pass); console.log(`check ${x.dtype}: ${x.results.length - bad.length}/${x.results.length} pass, worst error/bound ${x.worstRatio.toExponential(2)}, maxTokens ${x.maxTokens}`); for (const c of bad) console.log("  FAIL", c.kernel, c.shape, JSON.stringify(c.verdicts), c.maxError, c.bound); }
  ' "$OUT/check-cuda.json" | tee -a "$OUT/log.txt"
fi

if [[ " $STAGES " == *" check "* ]]; then
  timeout 60 node .device/cisCheck.mjs "$OUT/cis-check.json" 2>&1 | tee -a "$OUT/log.txt"
  echo "cis check: exit ${PIPESTATUS[0]}" | tee -a "$OUT/log.txt"
fi

if [[ " $STAGES " == *" sanitize "* ]] && [ $SECONDS -lt ${SANITIZE_BEFORE:-240} ]; then
  for tool in memcheck racecheck; do
    maxn=16384; [ $tool = racecheck ] && maxn=2048
    echo "== compute-sanitizer --tool $tool, check-kernels --backend cuda --dtype fp16 --max-n $maxn" >> "$OUT/sanitizer.txt"
    timeout 90 compute-sanitizer --tool $tool --print-limit 20 node .device/prhs.mjs check-kernels --backend cuda --dtype fp16 --max-n $maxn > "$OUT/sanitizer-$tool.log" 2>&1
    echo "exit $?" >> "$OUT/sanitizer.txt"
    grep -E "ERROR SUMMARY|RACECHECK SUMMARY|passed, .* failed|Invalid|Race|Error" "$OUT/sanitizer-$tool.log" | head -20 >> "$OUT/sanitizer.txt"
    rm -f "$OUT/sanitizer-$tool.log"
    echo "== compute-sanitizer --tool $tool, cisCheck (fused CIS selection)" >> "$OUT/sanitizer.txt"
    timeout 60 compute-sanitizer --tool $tool --print-limit 20 node .device/cisCheck.mjs > "$OUT/sanitizer-$tool.log" 2>&1
    echo "exit $?" >> "$OUT/sanitizer.txt"
    grep -E "ERROR SUMMARY|RACECHECK SUMMARY|FAIL|Invalid|Race|Error" "$OUT/sanitizer-$tool.log" | head -20 >> "$OUT/sanitizer.txt"
    rm -f "$OUT/sanitizer-$tool.log"
  done
  cat "$OUT/sanitizer.txt" | tee -a "$OUT/log.txt"
fi

if [[ " $STAGES " == *" bench "* ]] && [ $SECONDS -lt ${BENCH_BEFORE:-330} ]; then
  PYTHONUNBUFFERED=1 timeout 80 python3 bench/cuda/torch_baseline.py bench/cuda/configs.json "$OUT/torch.json" 2>&1 | tee -a "$OUT/log.txt"
  timeout 120 node bench/cuda/bench.mjs bench/cuda/configs.json "$OUT/torch.json" "$OUT/cuda-bench.json" 2>&1 | tee -a "$OUT/log.txt"
fi

if [[ " $STAGES " == *" sweep "* ]] && [ "$(left)" -gt 60 ]; then
  budget=$(left)
  PYTHONUNBUFFERED=1 timeout $(( budget * 2 / 5 )) python3 bench/cuda/torch_baseline.py bench/cuda/sweep.json "$OUT/torch-sweep.json" 2>&1 | tee -a "$OUT/log.txt"
  timeout $(( $(left) - 5 )) node bench/cuda/sweep.mjs bench/cuda/sweep.json "$OUT/torch-sweep.json" "$OUT/cuda-sweep.json" 2>&1 | tee -a "$OUT/log.txt"
fi
echo "run-all: ${SECONDS} s" | tee -a "$OUT/log.txt"
