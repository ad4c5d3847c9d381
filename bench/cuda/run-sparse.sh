#!/usr/bin/env bash
# One call on the GPU machine for the sparse decode step (issue 14, item 3; bench/cuda/NOTES.md run 7):
#   1. the sparse rows of the issue's table (bench/cuda/configs-sparse.json: B16 N2K k256, B1 N32K
#      k2K, B16 N32K k2K, B1 N128K k2K with CIS, GQA B16 Hkv8 N32K k2K): SDPA (PyTorch, same card),
#      then bench.mjs, which times in one process the sliced sparse kernel (the default), the
#      previous default (the group kernel), the chunk kernel, the kernels of commit c16f5fe, the
#      sliced layouts forced one by one, the two floors (empty launch, load-only gather) and the CIS
#      steps with both kernels, and compares every variant's output with the chunk kernel's as bits.
#      Alone on the card: nothing else runs while it times.
#   2. check-kernels --backend cuda fp32, fp16, bf16 to N = 2^20 with the default dispatch (the
#      group kernel for sparse lists since the sliced kernel measured slower), fp16 to 2^16 with PRHS_CUDA_SPARSE=no-cluster
#      (one block per row: partials in shared memory up to 16 chunks, in global memory beyond) and
#      w4, the CIS selection check, and compute-sanitizer memcheck (N ≤ 4096, default and
#      no-cluster) and racecheck (N ≤ 1024), all at once.
# Carry .device (bash bench/cuda/bundle.sh) and build/cuda (npm run build:cuda:bench: with the
# baseline kernels). Writes under $OUT: device.txt, torch.json, cuda-bench.json, check-sparse.json,
# cis-check.json and log.txt (the checks' and sanitizers' summaries, then the sparse table).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-/tmp/prhs-bench-out}"
mkdir -p "$OUT" /opt/node
log() { tee -a "$OUT/log.txt"; }
source bench/deviceSetup.sh
useCudaDevice
describeCudaDevice name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

# ---- 1. the sparse rows, alone on the card ----
PYTHONUNBUFFERED=1 timeout 60 python3 bench/cuda/torch_baseline.py bench/cuda/configs-sparse.json "$OUT/torch.json" 2>&1 | log
timeout 170 node bench/cuda/bench.mjs bench/cuda/configs-sparse.json "$OUT/torch.json" "$OUT/cuda-bench.json" > "$OUT/bench.log" 2>&1
echo "bench: exit $? (${SECONDS} s)" | log
grep -E "^cuda |Error|error" "$OUT/bench.log" | cut -c1-400 | log
rm -f "$OUT/bench.log"

# ---- 2. cross-checks and sanitizers, side by side ----
runs="default:fp32:1048576 default:fp16:1048576 default:bf16:1048576 no-cluster:fp16:65536 w4:fp16:65536"
for run in $runs; do
  IFS=: read -r layout dtype maxn <<< "$run"
  (
    sparse=$layout; [ $layout = default ] && sparse=
    PRHS_CUDA_SPARSE=$sparse timeout 180 node .device/prhs.mjs check-kernels --backend cuda --dtype "$dtype" --json --max-n "$maxn" > "$OUT/check-$layout-$dtype.part"
    status=$?
    kernel=$(PRHS_CUDA_SPARSE=$sparse node -e "const i = require(process.env.PRHS_CUDA_ADDON).info(); console.log(i.sparseDecode ?? i.sparseDecodeError)")
    echo "check-kernels cuda $dtype, PRHS_CUDA_SPARSE=${sparse:-(unset)} (sparse kernel: $kernel), max N $maxn: exit $status (${SECONDS} s)" >> "$OUT/checks.txt"
  ) &
done
(
  timeout 90 node .device/cisCheck.mjs "$OUT/cis-check.json" > "$OUT/cis.log" 2>&1
  echo "cis check: exit $? (${SECONDS} s)" >> "$OUT/checks.txt"
) &
sanitize() {  # tool, max N, PRHS_CUDA_SPARSE
  PRHS_CUDA_SPARSE=$3 timeout 200 compute-sanitizer --tool "$1" --print-limit 20 node .device/prhs.mjs check-kernels --backend cuda --dtype fp16 --max-n "$2" > "$OUT/sanitizer-$1-$3.log" 2>&1
  {
    echo "== compute-sanitizer --tool $1, PRHS_CUDA_SPARSE=${3:-(unset)} check-kernels --backend cuda --dtype fp16 --max-n $2: exit $? (${SECONDS} s)"
    grep -E "ERROR SUMMARY|RACECHECK SUMMARY|passed, .* failed|Invalid|Race|Error" "$OUT/sanitizer-$1-$3.log" | head -20
  } >> "$OUT/sanitizer.txt"
  rm -f "$OUT/sanitizer-$1-$3.log"
}
sanitize memcheck 4096 "" &
sanitize memcheck 4096 no-cluster &
sanitize racecheck 1024 "" &
wait
cat "$OUT/checks.txt" | log
tail -3 "$OUT/cis.log" | log
rm -f "$OUT/checks.txt" "$OUT/cis.log"
{ echo '{"runs":['; first=1; for run in $runs; do IFS=: read -r layout dtype maxn <<< "$run"; [ $first = 1 ] || echo ','; first=0; cat "$OUT/check-$layout-$dtype.part"; done; echo ']}'; } > "$OUT/check-sparse.json"
rm -f "$OUT"/check-*.part
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runs;
  const labels = process.argv[2].split(" ");
  for (const [i, x] of r.entries()) {
    const bad = x.results.filter((c) => !c.pass);
    const sparse = x.results.filter((c) => c.kernel.startsWith("sparse")).map((c) => `${c.kernel} ${c.shape}: ${c.kernel.includes("=") ? (c.pass ? "bits equal" : `${c.maxError} words differ`) : c.ratio.toExponential(2)}`);
    console.log(`check ${x.dtype} ${labels[i]}: ${x.results.length - bad.length}/${x.results.length} pass, worst error/bound ${x.worstRatio.toExponential(2)}, maxTokens ${x.maxTokens}`);
    console.log(`  sparse error/bound: ${sparse.join("; ")}`);
    for (const c of bad) console.log("  FAIL", c.kernel, c.shape, JSON.stringify(c.verdicts), c.maxError, c.bound);
  }
' "$OUT/check-sparse.json" "$runs" 2>&1 | log
cat "$OUT/sanitizer.txt" | log
rm -f "$OUT/sanitizer.txt"

# ---- the table ----
[ -f "$OUT/cuda-bench.json" ] && node bench/cuda/sparse-table.mjs "$OUT/cuda-bench.json" 2>&1 | log
echo "run-sparse: ${SECONDS} s" | log
