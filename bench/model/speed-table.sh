#!/usr/bin/env bash
# The decode speed table of issue 13, item 6, in ONE GPU-machine call (about 8 minutes; each stage
# has its own timeout so the table is written even when a stage runs out). At each point
# (LLaMA-2-7B batch 1 and 16 at 4K; LLaMA-3-8B batch 8 at 32K and batch 1 at 128K):
#   ours dense   prhs model bench (random weights on the GPU; copy bandwidth measured in the same process)
#   ours PrHS    the same with --selector cis --budget CONTEXT/8 (refused, and recorded so, while the
#                engine has no setSelection)
#   HF           bench/model/hf_bench.py: eager and torch.compile(mode='reduce-overhead')
# then bench/model/speed-table.mjs combines them. Writes under $OUT: device.txt, log.txt,
# speed-table.json, speed-table.md, hf.json.
# Prepare here: npm run build:cuda && bash bench/model/bundle.sh; run there (carry .device and build/cuda):
#   bash bench/model/speed-table.sh
# POINTS (SHAPE:BATCH:CONTEXT, space-separated), STEPS, WARMUP and COMPILE_LIMIT override the defaults.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-/tmp/prhs-speed-out}"
WORK="${WORK:-/tmp/prhs-speed}"
POINTS="${POINTS:-llama2-7b:1:4096 llama2-7b:16:4096 llama3-8b:8:32768 llama3-8b:1:131072}"
STEPS="${STEPS:-50}"
WARMUP="${WARMUP:-10}"
COMPILE_LIMIT="${COMPILE_LIMIT:-100}"
mkdir -p "$OUT" "$WORK" /opt/node
rm -f "$WORK"/ours-*.json "$WORK"/hf.json
LOG="$OUT/log.txt"
source bench/deviceSetup.sh
useCudaDevice
{
  describeCudaDevice name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,memory.total,power.limit
  describeTorch
  echo "PRHS_LINEAR_VARIANT=${PRHS_LINEAR_VARIANT:-auto} PRHS_ATTENTION_VARIANT=${PRHS_ATTENTION_VARIANT:-async}"
} > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"
node -e 'console.log(JSON.stringify(process.argv.slice(1).map((p) => { const [shape, b, c] = p.split(":"); return { shape, batch: +b, context: +c }; })))' $POINTS > "$WORK/points.json"

# ours KIND POINT INDEX [selector args]: one prhs model bench run, its report or its error as WORK/ours-KIND-INDEX.json
ours() {
  local kind=$1 point=$2 i=$3; shift 3
  local shape=${point%%:*} rest=${point#*:}; local batch=${rest%%:*} context=${rest#*:}
  say "ours $kind $point $*"
  timeout 150 node .device/prhs.mjs model bench --shape "$shape" --batch "$batch" --context "$context" \
    --steps "$STEPS" --warmup "$WARMUP" "$@" --json > "$WORK/run.json" 2> "$WORK/run.err"
  local code=$?
  node -e '
    const fs = require("fs"); const [kind, point, code, out] = process.argv.slice(1);
    let report; try { report = JSON.parse(fs.readFileSync(process.env.WORK + "/run.json", "utf8")); } catch { report = null; }
    const err = fs.readFileSync(process.env.WORK + "/run.err", "utf8").trim().split("\n").filter(Boolean).pop() ?? "";
    const entry = code === "0" && report ? { point, ...report } : { point, error: `exit ${code}: ${err}` };
    fs.writeFileSync(out, JSON.stringify(entry) + "\n");
    console.log(entry.error ?? `${entry.medianMs.toFixed(3)} ms/step, ${entry.tokensPerSecond.toFixed(0)} tok/s, ${(100 * entry.fractionOfBound).toFixed(0)}% of the bound (copy ${entry.copyGBs.toFixed(0)} GB/s)`);
  ' "$kind" "$point" "$code" "$WORK/ours-$kind-$i.json" 2>&1 | tee -a "$LOG"
}
export WORK OUT
i=0
for point in $POINTS; do
  context=${point##*:}
  ours dense "$point" "$i"
  ours prhs "$point" "$i" --selector cis --budget $((context / 8))
  i=$((i + 1))
done

left=$((520 - SECONDS))
say "HF transformers (timeout ${left}s, compile limit ${COMPILE_LIMIT}s)"
PYTHONUNBUFFERED=1 timeout "$left" python3 bench/model/hf_bench.py "$WORK/hf.json" "$(echo $POINTS | tr ' ' ',')" \
  --steps "$STEPS" --warmup "$WARMUP" --compile-limit "$COMPILE_LIMIT" 2>&1 | grep -v -i warning | tail -n 20 | tee -a "$LOG"
cp "$WORK/hf.json" "$OUT/hf.json" 2>/dev/null

say "table"
node bench/model/speed-table.mjs combine "$WORK" "$OUT/speed-table.json" "$OUT/speed-table.md" 2>&1 | tee -a "$LOG"
