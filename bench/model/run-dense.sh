#!/usr/bin/env bash
# The dense decode step's kernels (issue 13 item 6) checked and timed in ONE GPU-machine call (about
# 7 minutes; every stage has its own timeout, so the summary is written even when one runs out).
#   check     HF transformers comparison (cudaEngineCheck: the 2x-HF-fp16/bf16 rule of
#             theory/kernel-error.md) on seeded checkpoints written by transformers: tiny-mha at batch 1
#             (warp projections), llama-1b at batch 2 (warp) and tiny-gqa at batch 16 (mma), each under
#               new   the defaults (PRHS_LINEAR_VARIANT=auto, PRHS_ATTENTION_VARIANT=async, PRHS_PDL=1)
#               old   the previous defaults (PRHS_LINEAR_VARIANT=warp, PRHS_ATTENTION_VARIANT=sync, PRHS_PDL=0)
#               sync  new but sync attention                    (same sums as new: same logits digest)
#               tiles new but PRHS_LINEAR_MMA_ROW_TILES=1      (same sums; tiny-gqa only, the mma check)
#               nopdl new but PRHS_PDL=0 (no programmatic dependent launch; same sums; tiny-gqa only)
#               mma   PRHS_LINEAR_VARIANT=mma on tiny-mha (fp16 through the mma kernel; tiny-gqa covers bf16)
#             and old = new bit for bit where both use warp projections (batch 1 and 2).
#   sanitize  compute-sanitizer memcheck on the tiny-gqa check with the new defaults
#   speed     benchDecode (modelBench.mjs) at LLaMA-2-7B batch 1 and 16 / 4K, LLaMA-3-8B batch 8 / 32K and
#             batch 1 / 128K, old defaults against new in separate processes, each with the copy bandwidth
#             measured in the same process and a per-kernel-group profile (PROFILE un-graphed steps);
#             then LLaMA-2-7B batch 1 and 16 under sync and nopdl (each change's share), batch 16 under tiles,
#             and batch 4 and 8 under new against PRHS_LINEAR_VARIANT=warp (auto's threshold: mma from 8 rows)
# Writes under $OUT: device.txt, log.txt, checks.json, sanitizer.txt, speed-*.json, dense.md.
# Prepare here: npm run build:cuda && bash bench/model/bundle.sh; run there (carry .device and build/cuda):
#   bash bench/model/run-dense.sh
# STEPS (decode steps of the checks), BENCH_STEPS, WARMUP, PROFILE and POINTS override the defaults.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-/tmp/prhs-dense-out}"
WORK="${WORK:-/tmp/prhs-dense}"
STEPS="${STEPS:-64}"
BENCH_STEPS="${BENCH_STEPS:-24}"
WARMUP="${WARMUP:-5}"
PROFILE="${PROFILE:-2}"
POINTS="${POINTS:-llama2-7b:1:4096,llama2-7b:16:4096,llama3-8b:8:32768,llama3-8b:1:131072}"
CHECKS="tiny-mha:1 llama-1b:2 tiny-gqa:16"
mkdir -p "$OUT" "$WORK" /opt/node
LOG="$OUT/log.txt"
source bench/model/hfReferences.sh
useCudaDevice
export WORK OUT
unset PRHS_LINEAR_VARIANT PRHS_ATTENTION_VARIANT PRHS_LINEAR_MMA_ROWS PRHS_LINEAR_MMA_ROW_TILES PRHS_PDL
{
  describeCudaDevice name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,memory.total,power.limit
  describeTorch
} > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

# Variant name → environment (old = the defaults before this change).
variantEnv() {
  case $1 in
    new) echo "" ;;
    old) echo "PRHS_LINEAR_VARIANT=warp PRHS_ATTENTION_VARIANT=sync PRHS_PDL=0" ;;
    sync) echo "PRHS_ATTENTION_VARIANT=sync" ;;
    tiles) echo "PRHS_LINEAR_MMA_ROW_TILES=1" ;;
    nopdl) echo "PRHS_PDL=0" ;;
    mma) echo "PRHS_LINEAR_VARIANT=mma" ;;
    warp) echo "PRHS_LINEAR_VARIANT=warp" ;;
  esac
}

checkpointsAndReferences "$CHECKS"

for variant in new old sync tiles nopdl mma; do
  for entry in $CHECKS; do
    shape=${entry%%:*}
    case $variant in tiles | nopdl) [ "$shape" != tiny-gqa ] && continue ;; mma) [ "$shape" != tiny-mha ] && continue ;; esac
    faults=""; [ "$shape" = tiny-mha ] && [ "$variant" = new ] && faults="--faults"
    say "check $variant $shape"
    env $(variantEnv $variant) timeout 90 node .device/cudaEngineCheck.mjs "$WORK/$shape" "$WORK/$shape.reference.safetensors" \
      "$WORK/check-$variant-$shape.json" --label "$shape $variant" $faults 2>&1 | tail -n 3 | tee -a "$LOG"
  done
done

say "compute-sanitizer memcheck: tiny-gqa check, new defaults"
timeout 150 compute-sanitizer --tool memcheck --print-limit 20 node .device/cudaEngineCheck.mjs "$WORK/tiny-gqa" \
  "$WORK/tiny-gqa.reference.safetensors" "$WORK/tiny-gqa.memcheck.json" --label "tiny-gqa memcheck" > "$WORK/memcheck.log" 2>&1
echo "exit $?" > "$OUT/sanitizer.txt"
grep -E "ERROR SUMMARY|Invalid|Error|cuda engine check" "$WORK/memcheck.log" | head -30 >> "$OUT/sanitizer.txt"
tee -a "$LOG" < "$OUT/sanitizer.txt"

bench() {
  local name=$1 points=$2 limit=$3
  say "speed $name ($(variantEnv "${name%%-*}"))"
  env $(variantEnv "${name%%-*}") timeout "$limit" node .device/modelBench.mjs "$OUT/speed-$name.json" "$points" \
    --steps "$BENCH_STEPS" --warmup "$WARMUP" --profile "$PROFILE" 2>&1 | tee -a "$LOG"
}
bench old "$POINTS" 100
bench new "$POINTS" 100
bench sync-7b llama2-7b:1:4096,llama2-7b:16:4096 50
bench nopdl-7b llama2-7b:1:4096,llama2-7b:16:4096 50
bench tiles-7b llama2-7b:16:4096 40
bench new-mid llama2-7b:4:4096,llama2-7b:8:4096 50
bench warp-mid llama2-7b:4:4096,llama2-7b:8:4096 50

say "summary"
node -e '
  const fs = require("fs"); const w = process.env.WORK, out = process.env.OUT;
  const read = (p) => { try { return JSON.parse(fs.readFileSync(p, "utf8")); } catch (e) { return { error: String(e.message) }; } };
  const shapes = process.argv[1].split(" ").map((e) => e.split(":")[0]);
  const variants = ["new", "old", "sync", "tiles", "nopdl", "mma"];
  const only = { tiles: "tiny-gqa", nopdl: "tiny-gqa", mma: "tiny-mha" };
  const checks = {}; for (const v of variants) checks[v] = shapes.map((s) => (only[v] && s !== only[v] ? { skipped: true } : read(`${w}/check-${v}-${s}.json`)));
  const same = (a, b) => a.logitsDigest !== undefined && a.logitsDigest === b.logitsDigest;
  const identities = shapes.map((s, i) => ({ shape: s,
    syncEqualsNew: same(checks.sync[i], checks.new[i]), tilesEqualsNew: checks.tiles[i].skipped ? "-" : same(checks.tiles[i], checks.new[i]),
    nopdlEqualsNew: checks.nopdl[i].skipped ? "-" : same(checks.nopdl[i], checks.new[i]),
    oldEqualsNew: same(checks.old[i], checks.new[i]) }));
  const memcheck = fs.readFileSync(`${out}/sanitizer.txt`, "utf8");
  const memcheckClean = /^exit 0/.test(memcheck) && /ERROR SUMMARY: 0 errors/.test(memcheck);
  const allPass = variants.every((v) => checks[v].every((c) => c.skipped || c.pass));
  // Where the arithmetic is unchanged the logits must agree bit for bit: sync and tiles everywhere; old at batch 1 and 2 (warp both ways).
  const identical = identities.every((x) => x.syncEqualsNew && x.tilesEqualsNew !== false && x.nopdlEqualsNew !== false && (x.shape === "tiny-gqa" || x.oldEqualsNew));
  const f = (x, d = 3) => (x === undefined ? "-" : Number(x).toPrecision(d));
  const lines = [`# Dense decode step: checks and speed`, ``, `HF checks: ${allPass ? "all PASS" : "FAIL"}; bit-identity where the sums are unchanged: ${identical ? "yes" : "NO"}; memcheck ${memcheckClean ? "clean" : "NOT clean"}`, ``,
    `| check | ${variants.join(" | ")} | sync = new | tiles = new | nopdl = new | old = new |`, `| --- | ${variants.map(() => "---").join(" | ")} | --- | --- | --- | --- |`];
  shapes.forEach((s, i) => lines.push(`| ${s} | ${variants.map((v) => { const c = checks[v][i]; return c.skipped ? "-" : c.error ? "error" : `${c.pass ? "PASS" : "FAIL"} ${f(c.ratio, 2)}`; }).join(" | ")} | ${identities[i].syncEqualsNew} | ${identities[i].tilesEqualsNew} | ${identities[i].nopdlEqualsNew} | ${identities[i].oldEqualsNew} |`));
  const extra = ["sync-7b", "nopdl-7b", "tiles-7b", "new-mid", "warp-mid"];
  const speed = {}; for (const n of ["old", "new", ...extra]) speed[n] = read(`${out}/speed-${n}.json`);
  lines.push(``, `Card: ${speed.new.device ?? speed.old.device ?? "?"}; copy ${f(speed.old.copyGBs, 4)} GB/s (old process), ${f(speed.new.copyGBs, 4)} GB/s (new process)`, ``,
    `| point | bound ms | old ms (% of bound) | new ms (% of bound) | tok/s new | new / old speed | chunks old → new |`, `| --- | ---: | ---: | ---: | ---: | ---: | --- |`);
  const key = (r) => `${r.shape} B${r.batch} ${r.context}`;
  for (const r of speed.new.rows ?? []) {
    const o = (speed.old.rows ?? []).find((x) => key(x) === key(r));
    lines.push(`| ${key(r)} | ${f(r.boundMs, 4)} | ${o ? `${f(o.medianMs, 4)} (${(100 * o.fractionOfBound).toFixed(0)}%)` : "-"} | ${f(r.medianMs, 4)} (${(100 * r.fractionOfBound).toFixed(0)}%) | ${r.tokensPerSecond.toFixed(0)} | ${o ? (o.medianMs / r.medianMs).toFixed(2) + "x" : "-"} | ${o ? `${o.chunks}×${o.chunkTokens}` : "-"} → ${r.chunks}×${r.chunkTokens} |`);
  }
  for (const n of extra) for (const r of speed[n].rows ?? []) lines.push(`| ${key(r)} (${n}) | ${f(r.boundMs, 4)} | | ${f(r.medianMs, 4)} (${(100 * r.fractionOfBound).toFixed(0)}%) | ${r.tokensPerSecond.toFixed(0)} | | ${r.chunks}×${r.chunkTokens} |`);
  for (const n of ["old", "new"]) for (const r of speed[n].rows ?? []) {
    if (!r.profile) continue;
    lines.push(``, `Profile ${n}, ${key(r)} (un-graphed step ${f(r.profileStepMs, 4)} ms, graphed median ${f(r.medianMs, 4)} ms):`, ``, `| group | ms/step | launches/step |`, `| --- | ---: | ---: |`);
    for (const g of r.profile) lines.push(`| ${g.group} | ${g.ms.toFixed(3)} | ${g.launches} |`);
  }
  fs.writeFileSync(`${out}/checks.json`, JSON.stringify({ checks, identities, memcheck: { clean: memcheckClean, text: memcheck } }) + "\n");
  fs.writeFileSync(`${out}/dense.md`, lines.join("\n") + "\n");
  console.log(lines.join("\n"));
' "$CHECKS" 2>&1 | tee -a "$LOG"
