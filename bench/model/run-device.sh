#!/usr/bin/env bash
# One GPU-machine call for the CUDA model engine (10-minute limit; stages budgeted to ~8 minutes):
#   ckpt      seeded random checkpoints written by transformers (make_checkpoints.py): tiny-mha,
#             tiny-gqa, tiny-qwen2, llama-1b, llama2-7b
#   check     per checkpoint: HF float64 and fp16/bf16 logits (hf_reference.py), then our engine
#             against them (cudaEngineCheck.mjs; the fault checks on tiny-mha)
#   sanitize  compute-sanitizer --tool memcheck on the tiny-gqa engine check
#   bench     benchDecode at LLaMA-2-7B, batch 1 and 16, context 4K, dense, beside the copy bandwidth
#   select    PrHS in the engine (opt-in, ~5 min): cudaSelectionCheck.mjs on tiny-mha, tiny-gqa,
#             tiny-qwen2 (made here if missing) and models/prhs-byte-12m (budget = context bit for
#             bit, check mode passive, δ bounds and δ̂ ≥ δ per head-step, kept sets against the CPU
#             policy, bench fields), the same on prhs-byte-12m at N≈4000 with CIS radius 3 (its set
#             table too large for shared memory: the tiled set build), the fused CIS kernel against cis.ts (cisCheck.mjs, with a
#             budget-16384 case), compute-sanitizer memcheck on two tiny-gqa CIS runs (both set builds), and
#             selectionBench.mjs (dense, CIS and oracle at 1/8 of the context in the same call:
#             LLaMA-2-7B batch 1 and 16 at 4K, LLaMA-3-8B batch 8 at 32K and batch 1 at 128K)
#   cli       `prhs model check --backend cuda --hf-reference` (the bundled CLI, .device/prhs.mjs) on each
#             of SHAPES, writing the HF reference first where the check stage has not (opt-in)
# STAGES="ckpt check sanitize bench" (default; add or give "select", "cli") picks stages; SHAPES overrides
# the checkpoints (a retry can skip what passed, e.g. STAGES="ckpt check" SHAPES="llama2-7b").
# Carried: .device/node.tar.xz, .device/cudaEngineCheck.mjs, .device/modelBench.mjs,
# .device/cudaSelectionCheck.mjs, .device/selectionBench.mjs, .device/cisCheck.mjs (bench/model/bundle.sh), build/cuda
# (npm run build:cuda). Writes under $OUT: device.txt, log.txt, engine-check.json, sanitizer.txt,
# model-bench.json; the select stage writes selection-check.json.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-/tmp/prhs-model-out}"
WORK="${WORK:-/tmp/prhs-model}"
STAGES="${STAGES:-ckpt check sanitize bench}"
SHAPES="${SHAPES:-tiny-mha tiny-gqa tiny-qwen2 llama-1b llama2-7b}"
STEPS="${STEPS:-64}"
SELECT_BENCH_ARGS="${SELECT_BENCH_ARGS:-}"  # e.g. "--profile 2": per-kernel times of the selection bench
mkdir -p "$OUT" "$WORK" /opt/node
export OUT WORK
LOG="$OUT/log.txt"
stage() { [[ " $STAGES " == *" $1 "* ]]; }
source bench/deviceSetup.sh
useCudaDevice
{
  describeCudaDevice name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,memory.total,power.limit
  describeTorch
} > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

if stage ckpt; then
  say "checkpoints: $SHAPES"
  PYTHONUNBUFFERED=1 timeout 200 python3 bench/model/make_checkpoints.py "$WORK" "$(echo $SHAPES | tr ' ' ',')" 2>&1 | tail -n 20 | tee -a "$LOG"
fi

if stage check; then
  for shape in $SHAPES; do
    say "HF reference $shape"
    PYTHONUNBUFFERED=1 timeout 150 python3 bench/model/hf_reference.py "$STEPS" "$WORK/$shape" "$WORK/$shape.reference.safetensors" 2>&1 | grep -v Warning | tail -n 5 | tee -a "$LOG"
    faults=""; [ "$shape" = tiny-mha ] && faults="--faults"
    say "engine check $shape"
    timeout 120 node .device/cudaEngineCheck.mjs "$WORK/$shape" "$WORK/$shape.reference.safetensors" "$WORK/$shape.check.json" --label "$shape" $faults 2>&1 | tail -n 8 | tee -a "$LOG"
    rm -rf "$WORK/$shape.reference.safetensors.tmp"
  done
  node -e '
    const fs = require("fs"); const out = [];
    for (const s of process.argv.slice(2)) { try { out.push(JSON.parse(fs.readFileSync(`${process.env.WORK}/${s}.check.json`, "utf8"))); } catch (e) { out.push({ label: s, pass: false, error: String(e.message) }); } }
    fs.writeFileSync(process.env.OUT + "/engine-check.json", JSON.stringify(out) + "\n");
  ' $SHAPES
fi

if stage sanitize; then
  s=tiny-gqa
  if [ -f "$WORK/$s.reference.safetensors" ]; then
    say "compute-sanitizer memcheck: engine check $s"
    timeout 150 compute-sanitizer --tool memcheck --print-limit 20 node .device/cudaEngineCheck.mjs "$WORK/$s" "$WORK/$s.reference.safetensors" "$WORK/$s.memcheck.json" --label "$s memcheck" > "$WORK/memcheck.log" 2>&1
    echo "exit $?" > "$OUT/sanitizer.txt"
    grep -E "ERROR SUMMARY|Invalid|Error|cuda engine check" "$WORK/memcheck.log" | head -30 >> "$OUT/sanitizer.txt"
    cat "$OUT/sanitizer.txt" | tee -a "$LOG"
  else
    say "sanitize skipped: no $s reference (run the check stage for $s)"
  fi
fi

if stage bench; then
  say "decode benchmark"
  timeout 150 node .device/modelBench.mjs "$OUT/model-bench.json" llama2-7b:1:4096,llama2-7b:16:4096 2>&1 | tee -a "$LOG"
fi

if stage select; then
  tinies="tiny-mha tiny-gqa tiny-qwen2"
  missing=""; for s in $tinies; do [ -f "$WORK/$s/config.json" ] || missing="$missing,$s"; done
  if [ -n "$missing" ]; then
    say "checkpoints for select: ${missing#,}"
    PYTHONUNBUFFERED=1 timeout 120 python3 bench/model/make_checkpoints.py "$WORK" "${missing#,}" 2>&1 | tail -n 5 | tee -a "$LOG"
  fi
  for s in $tinies; do
    say "selection check $s"
    timeout 90 node .device/cudaSelectionCheck.mjs "$WORK/$s" "$WORK/$s.select.json" --label "$s" --cpu-compare 2>&1 | tail -n 12 | tee -a "$LOG"
  done
  say "selection check prhs-byte-12m"
  timeout 120 node .device/cudaSelectionCheck.mjs models/prhs-byte-12m "$WORK/prhs-byte-12m.select.json" --label prhs-byte-12m --cpu-compare --bench 2>&1 | tail -n 14 | tee -a "$LOG"
  say "selection check prhs-byte-12m, CIS tiled set build (radius 3, budget 3000, N≈4000)"
  timeout 120 node .device/cudaSelectionCheck.mjs models/prhs-byte-12m "$WORK/prhs-byte-12m-global.select.json" \
    --label "prhs-byte-12m tiled set build" --batch 1 --prompt 4000 --steps 6 --budget 3000 --dilation 3 2>&1 | tail -n 8 | tee -a "$LOG"
  say "fused CIS kernel against cis.ts"
  timeout 120 node .device/cisCheck.mjs "$WORK/cis-check.json" 2>&1 | tee -a "$LOG"
  : > "$WORK/select-memcheck.txt"
  # Budget 8 (the shared-table set build) and budget 1000 at radius 16 (the tiled set build).
  for run in "small:--prompt 24 --steps 6 --budget 8" "tiled:--prompt 1100 --steps 3 --budget 1000 --dilation 16"; do
    say "compute-sanitizer memcheck: CIS selection check on tiny-gqa (${run%%:*})"
    timeout 150 compute-sanitizer --tool memcheck --print-limit 20 node .device/cudaSelectionCheck.mjs "$WORK/tiny-gqa" \
      "$WORK/select-memcheck-${run%%:*}.json" --label "tiny-gqa memcheck ${run%%:*}" ${run#*:} > "$WORK/select-memcheck.log" 2>&1
    echo "exit $?" >> "$WORK/select-memcheck.txt"
    grep -E "ERROR SUMMARY|Invalid|Error|cuda selection check" "$WORK/select-memcheck.log" | head -30 >> "$WORK/select-memcheck.txt"
  done
  cat "$WORK/select-memcheck.txt" | tee -a "$LOG"
  say "selection bench"
  timeout 300 node .device/selectionBench.mjs "$WORK/selection-bench.json" \
    llama2-7b:1:4096,llama2-7b:16:4096,llama3-8b:8:32768,llama3-8b:1:131072 $SELECT_BENCH_ARGS 2>&1 | tee -a "$LOG"
  node -e '
    const fs = require("fs"); const w = process.env.WORK; const read = (f) => { try { return JSON.parse(fs.readFileSync(`${w}/${f}`, "utf8")); } catch (e) { return { file: f, pass: false, error: String(e.message) }; } };
    const checks = ["tiny-mha", "tiny-gqa", "tiny-qwen2", "prhs-byte-12m", "prhs-byte-12m-global"].map((s) => read(`${s}.select.json`));
    const cis = read("cis-check.json"); const cisPass = Array.isArray(cis.results) && cis.results.length > 0 && cis.results.every((r) => r.mismatches === 0);
    let memcheck = ""; try { memcheck = fs.readFileSync(`${w}/select-memcheck.txt`, "utf8"); } catch {}
    const exits = memcheck.match(/^exit \d+/gm) ?? []; const summaries = memcheck.match(/ERROR SUMMARY: \d+ errors?/g) ?? [];
    const memcheckClean = exits.length === 2 && exits.every((e) => e === "exit 0") && summaries.length === 2 && summaries.every((e) => /: 0 errors/.test(e));
    const report = { schema: "prhs-cuda-selection-stage/2", pass: checks.every((c) => c.pass) && cisPass && memcheckClean, checks, cisKernel: { pass: cisPass, ...cis }, memcheck: { clean: memcheckClean, text: memcheck }, bench: read("selection-bench.json") };
    fs.writeFileSync(`${process.env.OUT}/selection-check.json.tmp`, JSON.stringify(report) + "\n"); fs.renameSync(`${process.env.OUT}/selection-check.json.tmp`, `${process.env.OUT}/selection-check.json`);
    console.log(`select stage: ${report.pass ? "PASS" : "FAIL"} (checks ${checks.map((c) => `${c.label ?? c.file}: ${c.pass ? "pass" : "FAIL"}`).join(", ")}; CIS kernel ${cisPass ? "pass" : "FAIL"}; memcheck ${memcheckClean ? "clean" : "NOT clean"})`);
  ' 2>&1 | tee -a "$LOG"
fi

if stage cli; then
  for shape in $SHAPES; do
    if [ ! -f "$WORK/$shape.reference.safetensors" ]; then
      say "HF reference $shape"
      PYTHONUNBUFFERED=1 timeout 150 python3 bench/model/hf_reference.py "$STEPS" "$WORK/$shape" "$WORK/$shape.reference.safetensors" 2>&1 | grep -v Warning | tail -n 3 | tee -a "$LOG"
    fi
    say "prhs model check --backend cuda $shape"
    timeout 120 node .device/prhs.mjs model check --checkpoint "$WORK/$shape" --backend cuda --hf-reference "$WORK/$shape.reference.safetensors" --json \
      > "$WORK/$shape.cli-check.json" 2> "$WORK/$shape.cli-check.err"
    echo "exit $?: $(head -c 300 "$WORK/$shape.cli-check.err")" | tee -a "$LOG"
  done
  node -e '
    const fs = require("fs"); const out = [];
    for (const s of process.argv.slice(1)) { try { out.push({ shape: s, report: JSON.parse(fs.readFileSync(`${process.env.WORK}/${s}.cli-check.json`, "utf8")) }); } catch (e) { out.push({ shape: s, pass: false, error: String(e.message) }); } }
    fs.writeFileSync(process.env.OUT + "/cli-check.json", JSON.stringify(out) + "\n");
  ' $SHAPES
fi

say "summary"
node -e '
  const fs = require("fs"); const f = (x, d = 3) => (x === undefined ? "-" : Number(x).toPrecision(d));
  try { for (const r of JSON.parse(fs.readFileSync(process.env.OUT + "/engine-check.json", "utf8"))) console.log(`check ${r.label}: ${r.pass ? "PASS" : "FAIL"} ours ${f(r.ourError)} HF-half ${f(r.hfHalfError)} ratio ${f(r.ratio)} greedy ${r.greedy ? `${r.greedy.matched}/${r.greedy.compared}` : "-"}${r.error ? " " + r.error : ""}`); } catch {}
  try { const b = JSON.parse(fs.readFileSync(process.env.OUT + "/model-bench.json", "utf8")); console.log(`${b.device}: copy ${f(b.copyGBs, 4)} GB/s`); for (const r of b.rows) console.log(`bench ${r.shape} B${r.batch} ctx ${r.context}: ${f(r.medianMs, 4)} ms/step, ${f(r.tokensPerSecond, 4)} tok/s, ${f(r.achievedGBs, 4)} GB/s, bound ${f(r.boundMs, 4)} ms (${(100 * r.fractionOfBound).toFixed(0)}%)`); } catch {}
' 2>&1 | tee -a "$LOG"
