# Sourced, from the repository root, by bench/model's device scripts that check against HF references
# (it sources bench/deviceSetup.sh; uses $WORK, $STEPS and $LOG).
source bench/deviceSetup.sh

# checkpointsAndReferences CHECKS: seeded tiny-mha, llama-1b and tiny-gqa checkpoints written by
# transformers under $WORK (make_checkpoints.py); then, for each SHAPE:BATCH of CHECKS, the
# checkpoint's prompt widened to BATCH rows of seeded random tokens and HF's logits over $STEPS
# decode steps in $WORK/SHAPE.reference.safetensors (hf_reference.py).
checkpointsAndReferences() {
  local entry shape batch
  say "checkpoints"
  PYTHONUNBUFFERED=1 timeout 150 python3 bench/model/make_checkpoints.py "$WORK" tiny-mha,llama-1b,tiny-gqa 2>&1 | tail -n 5 | tee -a "$LOG"
  for entry in $1; do
    shape=${entry%%:*} batch=${entry#*:}
    python3 - "$WORK/$shape" "$batch" <<'PY'
import json, random, sys
folder, batch = sys.argv[1], int(sys.argv[2])
with open(f"{folder}/prompt.json") as f: prompt = json.load(f)["tokens"]
with open(f"{folder}/config.json") as f: vocab = json.load(f)["vocab_size"]
rng = random.Random(batch)
tokens = [[rng.randrange(vocab) for _ in prompt[0]] for _ in range(batch)]
with open(f"{folder}/prompt.json", "w") as f: json.dump({"tokens": tokens}, f)
PY
    say "HF reference $shape, batch $batch"
    PYTHONUNBUFFERED=1 timeout 120 python3 bench/model/hf_reference.py "$STEPS" "$WORK/$shape" "$WORK/$shape.reference.safetensors" 2>&1 | grep -v Warning | tail -n 3 | tee -a "$LOG"
  done
}
