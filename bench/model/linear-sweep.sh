#!/usr/bin/env bash
# The decode projections' variants (native/cuda/model/linearSkinny.cu, PRHS_LINEAR_VARIANT=auto|warp|deep|mma)
# timed and checked in ONE GPU-machine call (about 6 minutes):
#   check   each variant's whole engine against HF transformers (bench/model/cudaEngineCheck.ts, the
#           2x-HF-fp16/bf16 rule of theory/kernel-error.md) on seeded checkpoints written by
#           transformers, at decode batch 1 (tiny-mha), 2 (llama-1b) and 16 (tiny-gqa): every
#           projection kernel shape the variants have (1, ≤ 8 and ≤ 16 token rows)
#   time    prhs model bench at LLaMA-2-7B, context 4K, dense, per variant and batch of BATCHES
#           (default 1 4 8 16: where warp and mma cross, i.e. auto's threshold PRHS_LINEAR_MMA_ROWS;
#           copy bandwidth measured in each process)
# A variant may become the default only if it passes every check. Writes under $OUT: device.txt,
# log.txt, linear-sweep.json (per variant: checks and timings), linear-sweep.md.
# Prepare here: npm run build:cuda && bash bench/model/bundle.sh; run there (carry .device and build/cuda):
#   bash bench/model/linear-sweep.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-/tmp/prhs-sweep-out}"
WORK="${WORK:-/tmp/prhs-sweep}"
VARIANTS="${VARIANTS:-auto warp deep mma}"
BATCHES="${BATCHES:-1 4 8 16}"
STEPS="${STEPS:-32}"
mkdir -p "$OUT" "$WORK" /opt/node
LOG="$OUT/log.txt"
source bench/model/hfReferences.sh
useCudaDevice
export WORK OUT
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total --format=csv > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

# Checkpoints and HF references once (they do not depend on the variant); the prompt batch set per shape.
CHECKS="tiny-mha:1 llama-1b:2 tiny-gqa:16"
checkpointsAndReferences "$CHECKS"

for variant in $VARIANTS; do
  export PRHS_LINEAR_VARIANT=$variant
  for entry in $CHECKS; do
    shape=${entry%%:*}
    say "check $variant $shape"
    timeout 90 node .device/cudaEngineCheck.mjs "$WORK/$shape" "$WORK/$shape.reference.safetensors" "$WORK/check-$variant-$shape.json" --label "$shape" 2>&1 | tail -n 3 | tee -a "$LOG"
  done
  for batch in $BATCHES; do
    say "time $variant llama2-7b batch $batch"
    timeout 90 node .device/prhs.mjs model bench --shape llama2-7b --batch "$batch" --context 4096 --json > "$WORK/time-$variant-$batch.json" 2> "$WORK/time.err"
    tail -n 1 "$WORK/time.err" | tee -a "$LOG"
  done
done
unset PRHS_LINEAR_VARIANT

say "summary"
node -e '
  const fs = require("fs"); const w = process.env.WORK; const read = (p) => { try { return JSON.parse(fs.readFileSync(p, "utf8")); } catch (e) { return { error: String(e.message) }; } };
  const variants = process.argv[1].split(" "), checks = process.argv[2].split(" ").map((e) => e.split(":")[0]);
  const batches = process.argv[3].split(" ").map(Number);
  const rows = variants.map((v) => ({ variant: v, checks: checks.map((s) => read(`${w}/check-${v}-${s}.json`)), timings: batches.map((b) => read(`${w}/time-${v}-${b}.json`)) }));
  fs.writeFileSync(process.env.OUT + "/linear-sweep.json", JSON.stringify(rows, null, 1) + "\n");
  const f = (x, d = 3) => (x === undefined ? "-" : Number(x).toPrecision(d));
  const lines = [`| variant | checks (ours / HF half error) | ${batches.map((b) => `B${b} 4K ms (% of bound)`).join(" | ")} |`, `| --- | --- | ${batches.map(() => "---:").join(" | ")} |`];
  for (const r of rows) {
    const checks = r.checks.map((c) => `${c.label ?? "?"} ${c.pass ? "PASS" : "FAIL"} ${f(c.ourError)}/${f(c.hfHalfError)}`).join(", ");
    const t = r.timings.map((x) => (x.medianMs ? `${x.medianMs.toFixed(3)} (${(100 * x.fractionOfBound).toFixed(0)}%)` : "not run"));
    lines.push(`| ${r.variant} | ${checks} | ${t.join(" | ")} |`);
  }
  const device = rows.find((r) => r.timings[0].device)?.timings[0].device ?? "?";
  fs.writeFileSync(process.env.OUT + "/linear-sweep.md", `Card: ${device}\n\n${lines.join("\n")}\n`);
  console.log(`Card: ${device}\n${lines.join("\n")}`);
' "$VARIANTS" "$CHECKS" "$BATCHES" 2>&1 | tee -a "$LOG"
