#!/usr/bin/env bash
# One GPU-machine call (≤ 8 minutes, every step under its own timeout) comparing the engine's PrHS
# selection kernels, PRHS_SELECTION_KERNELS=old (one block per top-k row, scalar group scores) and
# new (the sliced top-k of native/cuda/topKSliced.cu, the staged group scores of
# native/cuda/model/selectionKernels.cu), each in its own processes (the variable is read once):
#   1. per variant: cudaSelectionCheck.mjs --digest on tiny-mha, tiny-gqa, tiny-qwen2 (made by
#      make_checkpoints.py if missing), models/prhs-byte-12m, and prhs-byte-12m at N≈4000 with
#      budget 3000 and CIS radius 3; cisCheck.mjs (the CIS step's top-k is launchTopK, which the
#      variable switches too);
#   2. the digests of old and new (every checked step's kept lists, every step's logits) compared
#      line for line: the two variants must keep the same lists in the same order, bit for bit;
#   3. selectionBench.mjs --profile 2 at LLaMA-2-7B B1 and B16 at 4K, LLaMA-3-8B B8 at 32K and B1 at
#      128K, once per variant (dense is timed in each process, beside CIS and the oracle);
#   4. compute-sanitizer memcheck on cudaSelectionCheck runs with the new kernels: tiny-gqa at budget 8,
#      and prhs-byte-12m at N≈4000, budget 2500, whose rows span two top-k slices and two sort segments.
# Carried: .device (bash bench/model/bundle.sh) and build/cuda (npm run build:cuda), as for
# bench/model/run-device.sh. Writes under $OUT: device.txt, log.txt, selection-<variant>-<label>.json,
# digests.txt, memcheck.txt, selection-bench-<variant>.json, summary.json.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-/tmp/prhs-selection-out}"
WORK="${WORK:-/tmp/prhs-model}"
VARIANTS="${VARIANTS:-old new}"
POINTS="${POINTS:-llama2-7b:1:4096,llama2-7b:16:4096,llama3-8b:8:32768,llama3-8b:1:131072}"
mkdir -p "$OUT" "$WORK" /opt/node
export OUT WORK
LOG="$OUT/log.txt"
say() { echo "[$(date -u +%T) +${SECONDS}s] $*" | tee -a "$LOG"; }
# Every step's timeout is cut to what is left of DEADLINE seconds (the call's 10 minutes less the
# start and the transfers); a step with under 10 s left is skipped and says so.
DEADLINE="${DEADLINE:-470}"
limit() {
  local left=$((DEADLINE - SECONDS))
  if ((left < 10)); then echo 0; elif ((left < $1)); then echo "$left"; else echo "$1"; fi
}
{ [ -x /opt/node/node ] || tar -C /opt/node -xJf .device/node.tar.xz; } && export PATH=/opt/node:$PATH
export PRHS_CUDA_ADDON="$PWD/build/cuda/Release/prhs_cuda.node"
{
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,memory.total,power.limit --format=csv
  node -e "console.log(JSON.stringify(require(process.env.PRHS_CUDA_ADDON).info()))"
} > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

tinies="tiny-mha tiny-gqa tiny-qwen2"
missing=""; for s in $tinies; do [ -f "$WORK/$s/config.json" ] || missing="$missing,$s"; done
if [ -n "$missing" ]; then
  say "checkpoints: ${missing#,}"
  PYTHONUNBUFFERED=1 timeout "$(limit 120)" python3 bench/model/make_checkpoints.py "$WORK" "${missing#,}" 2>&1 | tail -n 5 | tee -a "$LOG"
fi

# label|checkpoint|options
checks=(
  "tiny-mha|$WORK/tiny-mha|"
  "tiny-gqa|$WORK/tiny-gqa|"
  "tiny-qwen2|$WORK/tiny-qwen2|"
  "prhs-byte-12m|models/prhs-byte-12m|"
  "prhs-byte-12m-tiled|models/prhs-byte-12m|--batch 1 --prompt 4000 --steps 6 --budget 3000 --dilation 3"
)
for variant in $VARIANTS; do
  export PRHS_SELECTION_KERNELS="$variant"
  : > "$WORK/digests-$variant.txt"
  for entry in "${checks[@]}"; do
    IFS='|' read -r label dir options <<< "$entry"
    t=$(limit 60); [ "$t" = 0 ] && { say "skipped (deadline): selection check $label ($variant)"; continue; }
    say "selection check $label ($variant)"
    # shellcheck disable=SC2086
    timeout "$t" node .device/cudaSelectionCheck.mjs "$dir" "$OUT/selection-$variant-$label.json" --label "$label" --digest $options \
      > "$WORK/check-$variant-$label.txt" 2>&1
    echo "exit $?" >> "$WORK/check-$variant-$label.txt"
    grep -v "digest" "$WORK/check-$variant-$label.txt" | tail -n 9 | tee -a "$LOG"
    grep "digest" "$WORK/check-$variant-$label.txt" | sed "s/^/$label /" >> "$WORK/digests-$variant.txt"
  done
  t=$(limit 60); [ "$t" = 0 ] && { say "skipped (deadline): cisCheck ($variant)"; continue; }
  say "fused CIS kernel against cis.ts ($variant)"
  timeout "$t" node .device/cisCheck.mjs "$OUT/cis-check-$variant.json" 2>&1 | tee -a "$LOG"
done
unset PRHS_SELECTION_KERNELS

if [ -f "$WORK/digests-old.txt" ] && [ -f "$WORK/digests-new.txt" ]; then
  say "kept lists and logits, old against new"
  {
    echo "old: $(wc -l < "$WORK/digests-old.txt") digest lines, new: $(wc -l < "$WORK/digests-new.txt")"
    if [ -s "$WORK/digests-old.txt" ] && cmp -s "$WORK/digests-old.txt" "$WORK/digests-new.txt"; then
      echo "digests: identical"
    else
      echo "digests: DIFFER"
      diff "$WORK/digests-old.txt" "$WORK/digests-new.txt" | head -n 20
    fi
    cat "$WORK/digests-old.txt"
  } > "$OUT/digests.txt"
  head -n 24 "$OUT/digests.txt" | tee -a "$LOG"
fi

for variant in $VARIANTS; do
  t=$(limit 130); [ "$t" = 0 ] && { say "skipped (deadline): selection bench ($variant)"; continue; }
  say "selection bench ($variant)"
  PRHS_SELECTION_KERNELS="$variant" timeout "$t" node .device/selectionBench.mjs "$OUT/selection-bench-$variant.json" "$POINTS" \
    --profile 2 2>&1 | tee -a "$LOG"
done

: > "$OUT/memcheck.txt"
# tiny-gqa at budget 8 (one slice, one segment), and prhs-byte-12m at N≈4000, budget 2500: two top-k
# slices and two sort segments per row (its 4096 positions; the tiny checkpoints stop at 2048).
for run in "small|$WORK/tiny-gqa|--prompt 24 --steps 6 --budget 8" \
  "sliced|models/prhs-byte-12m|--batch 1 --prompt 4000 --steps 3 --budget 2500"; do
  IFS='|' read -r name dir options <<< "$run"
  t=$(limit 120); [ "$t" = 0 ] && { say "skipped (deadline): memcheck $name"; echo "skipped $name (deadline)" >> "$OUT/memcheck.txt"; continue; }
  say "compute-sanitizer memcheck, new kernels: CIS selection check ($name)"
  # shellcheck disable=SC2086
  PRHS_SELECTION_KERNELS=new timeout "$t" compute-sanitizer --tool memcheck --print-limit 20 node .device/cudaSelectionCheck.mjs \
    "$dir" "$WORK/memcheck-$name.json" --label "memcheck $name" $options > "$WORK/memcheck.log" 2>&1
  echo "exit $?" >> "$OUT/memcheck.txt"
  grep -E "ERROR SUMMARY|Invalid|Error|cuda selection check" "$WORK/memcheck.log" | head -30 >> "$OUT/memcheck.txt"
done
tee -a "$LOG" < "$OUT/memcheck.txt"

say "summary"
node -e '
  const fs = require("fs"); const o = process.env.OUT; const variants = process.argv.slice(1);
  const read = (f) => { try { return JSON.parse(fs.readFileSync(`${o}/${f}`, "utf8")); } catch (e) { return { file: f, pass: false, error: String(e.message) }; } };
  const labels = ["tiny-mha", "tiny-gqa", "tiny-qwen2", "prhs-byte-12m", "prhs-byte-12m-tiled"];
  const checks = Object.fromEntries(variants.map((v) => [v, labels.map((l) => ({ label: l, pass: read(`selection-${v}-${l}.json`).pass === true }))]));
  const cis = Object.fromEntries(variants.map((v) => { const c = read(`cis-check-${v}.json`); return [v, Array.isArray(c.results) && c.results.length > 0 && c.results.every((r) => r.mismatches === 0)]; }));
  let digests = ""; try { digests = fs.readFileSync(`${o}/digests.txt`, "utf8"); } catch {}
  let memcheck = ""; try { memcheck = fs.readFileSync(`${o}/memcheck.txt`, "utf8"); } catch {}
  const exits = memcheck.match(/^exit \d+/gm) ?? []; const summaries = memcheck.match(/ERROR SUMMARY: \d+ errors?/g) ?? [];
  const memcheckClean = exits.length === 2 && exits.every((e) => e === "exit 0") && summaries.length === 2 && summaries.every((e) => /: 0 errors/.test(e));
  const identical = /digests: identical/.test(digests);
  const bench = Object.fromEntries(variants.map((v) => [v, read(`selection-bench-${v}.json`)]));
  const pass = Object.values(checks).every((c) => c.every((x) => x.pass)) && Object.values(cis).every(Boolean) && identical && memcheckClean;
  const summary = { schema: "prhs-selection-speed/1", pass, checks, cisCheck: cis, digestsIdentical: identical, memcheckClean, bench };
  fs.writeFileSync(`${o}/summary.json.tmp`, JSON.stringify(summary) + "\n"); fs.renameSync(`${o}/summary.json.tmp`, `${o}/summary.json`);
  console.log(`selection speed run: ${pass ? "PASS" : "FAIL"} (checks ${variants.map((v) => `${v}: ${checks[v].filter((c) => c.pass).length}/${labels.length}`).join(", ")}; cis check ${variants.map((v) => `${v} ${cis[v] ? "pass" : "FAIL"}`).join(", ")}; digests ${identical ? "identical" : "DIFFER or missing"}; memcheck ${memcheckClean ? "clean" : "NOT clean"})`);
' $VARIANTS 2>&1 | tee -a "$LOG"
