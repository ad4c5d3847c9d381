"""Train the small byte-level LLaMA-format model of issue 16 in one GPU call, then save and evaluate it.

Why one script doing everything: GPU time is scarce and each call to the GPU machine starts a
bare machine, so this script builds the corpus, runs a smoke test of every later step on a tiny
model (aborting with a clear message before the long run if anything is broken), trains for a
fixed wall-clock budget, saves the checkpoint in the Hugging Face layout (bf16 safetensors),
reloads it through AutoModelForCausalLM, and evaluates the reloaded checkpoint (held-out bits per
byte in fp32, retrieval accuracy) so the recorded numbers are those of the committed file.

Usage (on the GPU machine, from this directory):
  PYTHONUNBUFFERED=1 python3 train.py --out "$OUT" --minutes 7 --seed 1
  PYTHONUNBUFFERED=1 python3 train.py --out "$OUT/copy" --shape small --copy-fraction 0.5 --minutes 6 \
    --budget-seconds 540 --eval-windows 48 --seed 1
(the second: the small model trained with long-range copies mixed in, copy_mix.py).
Outputs in --out (8 files): checkpoint/{config.json,generation_config.json,model.safetensors},
training.json, corpus-manifest.json, heldout-sample.tar.gz, retrieval-task.json, train.log.
"""
from __future__ import annotations

import time

SCRIPT_START = time.monotonic()

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import traceback  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM  # noqa: E402

from copy_eval import copy_recall_accuracy  # noqa: E402
from copy_mix import EVAL_MARKER, CopyMixer, CopyMixSpec  # noqa: E402
from corpus import DEFAULT_PACKAGES, build_corpus, token_stream  # noqa: E402
from dense_eval import bits_per_byte, continue_text, retrieval_accuracy  # noqa: E402
from heldout_sample import HeldoutSample, choose_sample, sample_archive  # noqa: E402
from model_spec import (SHAPES, SMOKE_SPEC, ModelSpec, Shape, llama_config_kwargs, parameter_count,  # noqa: E402
                        spec_record)
from retrieval_task import RetrievalSpec, make_retrieval_task  # noqa: E402

EXIT_BAD_ARGUMENT = 2
EXIT_SMOKE_FAILED = 3
EXIT_TRAINING_FAILED = 4
MAX_OUT_FILES = 8
MAX_OUT_FILE_BYTES = 16 * 2**20 - 4096
PROGRESS_SECONDS = 20.0
CURVE_EVERY = 50
TIMING_FROM_STEP = 10
TIMING_TO_STEP = 40
EVAL_BATCH = 8
RETRIEVAL_BATCH = 16
CHECK_PROMPT = "import os\nimport sys\n\n\ndef main("
# Extra retrieval distances, reported in training.json only (the committed task is at 3000).
EXTRA_RETRIEVAL_DISTANCES = (250, 1000, 2000, 3500)


@dataclass(frozen=True)
class TrainSettings:
    """Optimisation hyper-parameters (recorded verbatim in training.json)."""

    seed: int
    batch: int
    context: int
    peak_lr: float
    final_lr_fraction: float
    warmup_steps: int
    weight_decay: float
    beta1: float
    beta2: float
    grad_clip: float
    fixed_steps: int | None


class Log:
    """Prints progress lines and keeps them in train.log (stdout alone may be truncated)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, message: str) -> None:
        line = f"[{time.monotonic() - SCRIPT_START:7.1f}s] {message}"
        self.lines.append(line)
        print(line, flush=True)


log = Log()


def fail(code: int, message: str) -> None:
    """Stop with a clear message and the given exit status."""
    print(f"train.py: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line options; out-of-range values exit 2 naming the argument."""
    p = argparse.ArgumentParser(description="Train the small byte-level LLaMA-format model (issue 16).")
    p.add_argument("--out", type=Path, required=True, help="empty or new output directory")
    p.add_argument("--minutes", type=float, default=7.0, help="wall-clock training time (capped by --budget-seconds)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=16, help="sequences per step")
    p.add_argument("--context", type=int, default=4096)
    p.add_argument("--shape", choices=sorted(SHAPES), default="12m",
                   help="model shape: 12m (8 x 384, the default) or small (4 x 256, 2.9 M parameters)")
    p.add_argument("--copy-fraction", type=float, default=0.0,
                   help="fraction of training windows with long-range copies mixed in (copy_mix.py)")
    p.add_argument("--lr", type=float, default=None, help="peak learning rate (default: the shape's)")
    p.add_argument("--threads", type=int, default=2, help="CPU threads torch may use (the rest stay free)")
    p.add_argument("--distance-prompts", type=int, default=32,
                   help="prompts per extra retrieval distance (250, 1000, 2000, 3500); 0 skips them")
    p.add_argument("--warmup-steps", type=int, default=200)
    p.add_argument("--steps", type=int, default=None, help="fixed step count (default: fit the time budget)")
    p.add_argument("--budget-seconds", type=float, default=570.0,
                   help="whole-script wall-clock budget; training stops to leave --reserve-seconds of it")
    p.add_argument("--reserve-seconds", type=float, default=100.0, help="time kept for saving and evaluation")
    p.add_argument("--eval-windows", type=int, default=64)
    p.add_argument("--retrieval-prompts", type=int, default=64)
    p.add_argument("--text-steps", type=int, default=160, help="length of the greedy text sample")
    p.add_argument("--packages", default=",".join(DEFAULT_PACKAGES),
                   help="comma-separated distributions whose sources join the corpus if their licence is permissive")
    p.add_argument("--skip-smoke", action="store_true", help="skip the smoke test (not for the real run)")
    p.add_argument("--device", default="cuda", help="cuda (the real run) or cpu (a dry run of the pipeline)")
    args = p.parse_args(argv)
    checks = [
        ("--minutes", 0 < args.minutes <= 60, "must be in (0, 60]"),
        ("--seed", args.seed >= 0, "must be >= 0"),
        ("--batch", 1 <= args.batch <= 256, "must be in [1, 256]"),
        ("--context", 64 <= args.context <= 4096, "must be in [64, 4096] (max_position_embeddings)"),
        ("--copy-fraction", 0 <= args.copy_fraction <= 1, "must be in [0, 1]"),
        ("--lr", args.lr is None or 0 < args.lr < 1, "must be in (0, 1)"),
        ("--threads", 1 <= args.threads <= 256, "must be in [1, 256]"),
        ("--distance-prompts", 0 <= args.distance_prompts <= 1024, "must be in [0, 1024]"),
        ("--warmup-steps", args.warmup_steps >= 0, "must be >= 0"),
        ("--steps", args.steps is None or args.steps >= 1, "must be >= 1"),
        ("--budget-seconds", args.budget_seconds > args.reserve_seconds >= 0, "must exceed --reserve-seconds >= 0"),
        ("--eval-windows", 1 <= args.eval_windows <= 1024, "must be in [1, 1024]"),
        ("--retrieval-prompts", 1 <= args.retrieval_prompts <= 1024, "must be in [1, 1024]"),
        ("--text-steps", 1 <= args.text_steps <= 1024, "must be in [1, 1024]"),
    ]
    for name, ok, rule in checks:
        if not ok:
            p.error(f"{name} {rule}")
    return args


def prepare_out_dir(out: Path) -> Path:
    """The output directory, created if needed; it must be empty so at most 8 files come back."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        if any(out.iterdir()):
            fail(EXIT_BAD_ARGUMENT, f"--out {out} is not empty")
        probe = out / ".write-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        fail(EXIT_BAD_ARGUMENT, f"--out {out}: {err}")
    return out


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, fsync, then rename over it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def write_json(path: Path, value: object, indent: int | None = 1) -> None:
    write_atomic(path, json.dumps(value, indent=indent).encode("utf-8"))


def set_matmul_precision(training: bool) -> None:
    """TF32 matmuls while training (speed); true fp32 for evaluation (the recorded numbers).

    Only the one legacy flag is written: torch >= 2.9 raises when the legacy and the new
    (fp32_precision) flags are mixed, and nothing else in this process writes either."""
    try:
        torch.backends.cuda.matmul.allow_tf32 = training
    except RuntimeError as err:
        log(f"WARNING: could not set TF32 to {training}: {err}")


def rope_theta_of(config: LlamaConfig) -> float | None:
    """RoPE theta as this transformers version stores it (rope_parameters in v5, rope_theta before)."""
    params = getattr(config, "rope_parameters", None)
    if isinstance(params, dict) and "rope_theta" in params:
        return float(params["rope_theta"])
    theta = getattr(config, "rope_theta", None)
    return None if theta is None else float(theta)


def build_model(spec: ModelSpec, device: str) -> torch.nn.Module:
    """A freshly initialised LlamaForCausalLM in fp32 with SDPA attention; shape checked against the spec."""
    config = LlamaConfig(**llama_config_kwargs(spec))
    if rope_theta_of(config) != spec.rope_theta:
        raise RuntimeError(f"LlamaConfig kept rope theta {rope_theta_of(config)}, wanted {spec.rope_theta}")
    try:
        model = AutoModelForCausalLM.from_config(config, attn_implementation="sdpa")
    except (TypeError, ValueError) as err:
        log(f"from_config(attn_implementation='sdpa') refused ({err}); using LlamaForCausalLM(config)")
        model = LlamaForCausalLM(config)
    model = model.to(device=device, dtype=torch.float32)
    count = sum(p.numel() for p in model.parameters())
    if count != parameter_count(spec):
        raise RuntimeError(f"model has {count} parameters, the spec says {parameter_count(spec)}")
    return model


def make_optimizer(model: torch.nn.Module, settings: TrainSettings) -> torch.optim.Optimizer:
    """AdamW; weight decay on matrices only (norm gains are not decayed)."""
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": settings.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    kwargs = {"lr": settings.peak_lr, "betas": (settings.beta1, settings.beta2), "eps": 1e-8}
    try:
        return torch.optim.AdamW(groups, fused=True, **kwargs)
    except (TypeError, RuntimeError):
        return torch.optim.AdamW(groups, **kwargs)


def learning_rate(step: int, total_steps: int | None, settings: TrainSettings) -> float:
    """Linear warm-up, then cosine decay to final_lr_fraction of the peak at total_steps."""
    if step < settings.warmup_steps:
        return settings.peak_lr * (step + 1) / settings.warmup_steps
    if total_steps is None or total_steps <= settings.warmup_steps:
        return settings.peak_lr
    progress = min(1.0, (step - settings.warmup_steps) / (total_steps - settings.warmup_steps))
    floor = settings.final_lr_fraction
    return settings.peak_lr * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


class WindowSampler:
    """Random (seeded) windows of context + 1 tokens from the training stream, copies mixed into some.

    The mixer has its own generator, so the window starts are those of a run without it."""

    def __init__(self, tokens: np.ndarray, context: int, batch: int, seed: int,
                 mixer: CopyMixer | None = None) -> None:
        if tokens.size <= context + 1:
            raise ValueError(f"training stream has {tokens.size} tokens, fewer than a window")
        self.tokens = tokens
        self.offsets = np.arange(context + 1, dtype=np.int64)
        self.batch = batch
        self.rng = np.random.default_rng(seed)
        self.mixer = mixer

    def next(self, device: str) -> torch.Tensor:
        starts = self.rng.integers(0, self.tokens.size - self.offsets.size, size=self.batch)
        rows = self.tokens[starts[:, None] + self.offsets[None, :]].astype(np.int64)
        if self.mixer is not None:
            rows = np.stack([self.mixer.maybe_mix(row) for row in rows])
        batch = torch.from_numpy(rows)
        if device.startswith("cuda"):
            # Pinned memory lets the copy overlap the previous step instead of stalling the stream.
            return batch.pin_memory().to(device, non_blocking=True)
        return batch.to(device)


def train_step(model: torch.nn.Module, optimizer: torch.optim.Optimizer, window: torch.Tensor,
               grad_clip: float) -> tuple[torch.Tensor, torch.Tensor]:
    """One bf16-autocast step on fp32 parameters; returns the (detached) loss and gradient norm."""
    inputs, targets = window[:, :-1], window[:, 1:]
    with torch.autocast(device_type=window.device.type, dtype=torch.bfloat16):
        logits = model(input_ids=inputs, use_cache=False).logits
    loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets.reshape(-1))
    loss.backward()
    grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.detach(), grad_norm.detach()


def save_bf16(model: torch.nn.Module, directory: Path) -> Path:
    """Round the model to bf16 in place and save_pretrained it; returns the safetensors file.

    In place rather than on a copy: the fp32 master weights are not needed once they have been
    evaluated, and a deep copy of a transformers model is one more thing that could fail."""
    model.to(torch.bfloat16)
    model.save_pretrained(str(directory))
    weights = directory / "model.safetensors"
    if not weights.is_file():
        raise RuntimeError(f"save_pretrained wrote no model.safetensors: {sorted(os.listdir(directory))}")
    return weights


def reload_fp32(directory: Path, device: str) -> torch.nn.Module:
    """The saved checkpoint through AutoModelForCausalLM.from_pretrained, upcast to fp32."""
    try:
        model = AutoModelForCausalLM.from_pretrained(str(directory), dtype=torch.float32, attn_implementation="sdpa")
    except TypeError:
        model = AutoModelForCausalLM.from_pretrained(str(directory), torch_dtype=torch.float32)
    return model.to(device=device, dtype=torch.float32).eval()


def check_reload_matches(original: torch.nn.Module, reloaded: torch.nn.Module) -> None:
    """Every reloaded tensor equals the original rounded to bf16 (the save is lossless beyond that)."""
    reloaded_state = reloaded.state_dict()
    for name, tensor in original.state_dict().items():
        if name not in reloaded_state:
            raise RuntimeError(f"reloaded checkpoint lacks {name}")
        expected = tensor.to(torch.bfloat16).float()
        if not torch.equal(expected, reloaded_state[name].float()):
            raise RuntimeError(f"reloaded {name} differs from the bf16-rounded original")


def smoke_test(train_tokens: np.ndarray, windows: np.ndarray, task: dict, device: str,
               copy_spec: CopyMixSpec) -> dict[str, object]:
    """Every later step on a tiny model: train steps, save, reload, bits per byte, retrieval, text."""
    started = time.monotonic()
    torch.manual_seed(0)
    settings = TrainSettings(seed=0, batch=4, context=512, peak_lr=1e-3, final_lr_fraction=0.1, warmup_steps=2,
                             weight_decay=0.1, beta1=0.9, beta2=0.95, grad_clip=1.0, fixed_steps=6)
    model = build_model(SMOKE_SPEC, device)
    optimizer = make_optimizer(model, settings)
    # When the real run mixes, every smoke window is mixed, at distances that fit the short context.
    smoke_mix = CopyMixSpec(fraction=1.0, min_distance=100, max_distance=250, near_min_distance=32)
    mixer = CopyMixer(smoke_mix, seed=0) if copy_spec.fraction > 0 else None
    sampler = WindowSampler(train_tokens, settings.context, settings.batch, seed=0, mixer=mixer)
    set_matmul_precision(training=True)
    losses = []
    for step in range(6):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, 6, settings)
        loss, _ = train_step(model, optimizer, sampler.next(device), settings.grad_clip)
        losses.append(float(loss))
    if not all(math.isfinite(x) for x in losses):
        raise RuntimeError(f"non-finite smoke losses {losses}")
    set_matmul_precision(training=False)
    with tempfile.TemporaryDirectory() as tmp:
        save_bf16(model, Path(tmp))
        reloaded = reload_fp32(Path(tmp), device)
        check_reload_matches(model, reloaded)
        bpb = bits_per_byte(reloaded, windows[:2], EVAL_BATCH, device)
        small_task = {**task, "prompts": task["prompts"][:2]}
        retrieval = retrieval_accuracy(reloaded, small_task, RETRIEVAL_BATCH, device)
        copy = copy_recall_accuracy(reloaded, windows[:2], EVAL_BATCH, device)
        text = continue_text(reloaded, CHECK_PROMPT, 8, device)
    if not math.isfinite(bpb["bitsPerByte"]):
        raise RuntimeError(f"non-finite smoke bits per byte {bpb}")
    del model, reloaded, optimizer
    if device.startswith("cuda"):
        torch.cuda.empty_cache()
    return {"seconds": time.monotonic() - started, "losses": losses, "bitsPerByte": bpb["bitsPerByte"],
            "retrievalExact": retrieval["exactMatch"], "text": text, "copyRecall": copy["byDistance"],
            "copyMix": mixer.stats.record() if mixer is not None else None}


def versions(device: str) -> dict[str, str]:
    import safetensors

    card = torch.cuda.get_device_name(0) if device.startswith("cuda") else platform.processor() or "cpu"
    return {"python": platform.python_version(), "torch": torch.__version__, "cuda": str(torch.version.cuda),
            "transformers": transformers.__version__, "safetensors": safetensors.__version__,
            "numpy": np.__version__, "card": card}


def synchronize(device: str) -> None:
    """Wait for queued GPU work (timing points); nothing to wait for on the CPU."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()


@dataclass
class TrainResult:
    """What the training loop did."""

    steps: int
    planned_steps: int | None
    seconds: float
    stop_reason: str
    curve: list[dict[str, float]]
    peak_memory_gib: float


def estimate_total_steps(step_seconds: float, now: float, deadline: float, steps_done: int) -> int:
    """Steps that fit before the deadline at the measured rate, with 3 % slack."""
    return steps_done + max(1, int((deadline - now) / step_seconds * 0.97))


def train(model: torch.nn.Module, sampler: WindowSampler, settings: TrainSettings, deadline: float,
          device: str) -> TrainResult:
    """The training loop: stops at the planned step count or at the deadline, whichever is first."""
    optimizer = make_optimizer(model, settings)
    set_matmul_precision(training=True)
    model.train()
    tokens_per_step = settings.batch * settings.context
    total_steps = settings.fixed_steps
    curve: list[dict[str, float]] = []
    loss_sum = torch.zeros((), device=device)
    window_losses = 0
    started = time.monotonic()
    last_print, last_print_step = started, 0
    timing_start = started
    step = 0
    stop_reason = "planned steps done"
    while total_steps is None or step < total_steps:
        if time.monotonic() >= deadline:
            stop_reason = "deadline"
            break
        lr = learning_rate(step, total_steps, settings)
        for group in optimizer.param_groups:
            group["lr"] = lr
        loss, grad_norm = train_step(model, optimizer, sampler.next(device), settings.grad_clip)
        loss_sum += loss
        window_losses += 1
        step += 1
        if step == TIMING_FROM_STEP:
            synchronize(device)
            timing_start = time.monotonic()
        if step == TIMING_TO_STEP and total_steps is None:
            synchronize(device)
            now = time.monotonic()
            step_seconds = (now - timing_start) / (TIMING_TO_STEP - TIMING_FROM_STEP)
            total_steps = estimate_total_steps(step_seconds, now, deadline, step)
            log(f"measured {step_seconds * 1000:.1f} ms/step; planning {total_steps} steps")
        if step % CURVE_EVERY == 0:
            mean_loss = float(loss_sum) / window_losses
            if not math.isfinite(mean_loss):
                raise RuntimeError(f"loss is {mean_loss} at step {step}")
            curve.append({"step": step, "loss": mean_loss, "lr": lr, "gradNorm": float(grad_norm),
                          "seconds": time.monotonic() - started})
            loss_sum.zero_()
            window_losses = 0
        now = time.monotonic()
        if now - last_print >= PROGRESS_SECONDS:
            recent = float(loss_sum) / window_losses if window_losses else curve[-1]["loss"]
            rate = (step - last_print_step) * tokens_per_step / (now - last_print)
            log(f"step {step}/{total_steps} loss {recent:.4f} lr {lr:.2e} {rate / 1e6:.3f} Mtok/s "
                f"train {now - started:.0f}s")
            last_print, last_print_step = now, step
    synchronize(device)
    if window_losses:  # the last, partial stretch of the curve
        curve.append({"step": step, "loss": float(loss_sum) / window_losses, "lr": lr,
                      "gradNorm": float(grad_norm), "seconds": time.monotonic() - started})
    peak = torch.cuda.max_memory_allocated() / 2**30 if device.startswith("cuda") else 0.0
    return TrainResult(step, total_steps, time.monotonic() - started, stop_reason, curve, peak)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class EvalSet:
    """What a checkpoint is evaluated on: held-out windows, the retrieval task and its extra distances."""

    windows: np.ndarray
    task: dict
    extra_tasks: list[dict]


def evaluate_checkpoint(model: torch.nn.Module, checkpoint: Path, evals: EvalSet, device: str, text_steps: int,
                        max_bytes: int) -> dict[str, object]:
    """bits per byte of the fp32 master weights, then save, reload and evaluate the saved checkpoint."""
    windows, task, extra_tasks = evals.windows, evals.task, evals.extra_tasks
    set_matmul_precision(training=False)
    model.eval()
    master = bits_per_byte(model, windows, EVAL_BATCH, device)
    log(f"held-out bits/byte, fp32 master weights: {master['bitsPerByte']:.4f}")
    weights = save_bf16(model, checkpoint)
    reloaded = reload_fp32(checkpoint, device)
    check_reload_matches(model, reloaded)
    saved = bits_per_byte(reloaded, windows, EVAL_BATCH, device)
    log(f"held-out bits/byte, saved bf16 checkpoint in fp32: {saved['bitsPerByte']:.4f}")
    retrieval = retrieval_accuracy(reloaded, task, RETRIEVAL_BATCH, device)
    log(f"retrieval exact match {retrieval['exactMatch']:.3f}, letters {retrieval['letterAccuracy']:.3f}")
    by_distance = {}
    for extra in extra_tasks:
        result = retrieval_accuracy(reloaded, extra, RETRIEVAL_BATCH, device)
        by_distance[str(extra["distance"])] = {k: result[k] for k in ("prompts", "exactMatch", "letterAccuracy")}
        log(f"retrieval at {extra['distance']} back: exact {result['exactMatch']:.3f} of {result['prompts']}, "
            f"letters {result['letterAccuracy']:.3f}")
    copy = copy_recall_accuracy(reloaded, windows, EVAL_BATCH, device)
    for band, tally in copy["byDistance"].items():
        log(f"copy recall, mixed held-out windows, distance {band}: name bytes {tally['byteAccuracy']:.3f} "
            f"of {tally['bytes']}, exact names {tally['exactNames']:.3f} of {tally['names']}")
    text = continue_text(reloaded, CHECK_PROMPT, text_steps, device)
    log(f"greedy continuation of {CHECK_PROMPT!r}: {text!r}")
    size = weights.stat().st_size
    if size > max_bytes:
        log(f"WARNING: model.safetensors is {size} bytes, over {max_bytes}")
    files = {p.name: {"bytes": p.stat().st_size, "sha256": sha256_file(p)} for p in sorted(checkpoint.iterdir())}
    return {"heldoutMasterFp32": master, "heldoutCheckpointFp32": saved, "retrievalCheckpointFp32": retrieval,
            "retrievalByDistanceCheckpointFp32": by_distance, "copyRecallCheckpointFp32": copy,
            "greedyContinuation": {"prompt": CHECK_PROMPT, "text": text}, "checkpointFiles": files}


def enforce_out_limit(out: Path) -> None:
    """At most 8 files come back from the GPU machine: say so loudly if more were written."""
    files = sorted(p for p in out.rglob("*") if p.is_file())
    for p in files:
        log(f"out: {p.relative_to(out)} {p.stat().st_size} bytes")
    if len(files) > MAX_OUT_FILES:
        log(f"WARNING: {len(files)} files in --out, only {MAX_OUT_FILES} come back")


def limit_threads(threads: int) -> None:
    """Keep torch to a few CPU threads: the GPU machine's other cores stay free for other work."""
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError as err:  # only allowed before the first parallel work
        log(f"WARNING: could not set interop threads: {err}")


def count_eval_marker(tokens: np.ndarray) -> int:
    """How often the retrieval evaluation's marker `_zqx_` occurs in a token stream (BOS/EOS never match)."""
    text = np.where(tokens < 256, tokens, 0).astype(np.uint8).tobytes()
    return text.count(EVAL_MARKER)


def extra_retrieval_tasks(stdlib_heldout: np.ndarray, args: argparse.Namespace) -> list[dict]:
    """Smaller retrieval sets at other distances (seed 7 + distance), for the per-distance record."""
    if args.distance_prompts == 0:
        return []
    distances = [d for d in EXTRA_RETRIEVAL_DISTANCES if 64 <= d <= args.context - 64]
    return [make_retrieval_task(stdlib_heldout, RetrievalSpec(count=args.distance_prompts, seed=7 + d,
                                                              context=args.context, distance=d))
            for d in distances]


def run(args: argparse.Namespace) -> int:
    """Corpus, smoke test, training, saving, evaluation, records."""
    out = prepare_out_dir(args.out)
    limit_threads(args.threads)
    device = args.device
    shape: Shape = SHAPES[args.shape]
    peak_lr = shape.default_lr if args.lr is None else args.lr
    copy_spec = CopyMixSpec(fraction=args.copy_fraction)
    if device.startswith("cuda") and not torch.cuda.is_available():
        fail(EXIT_BAD_ARGUMENT, f"--device {device}: no CUDA device")
    packages = tuple(p for p in args.packages.split(",") if p)
    log(f"versions {versions(device)}")
    corpus = build_corpus(packages=packages)
    summary = corpus.summary()
    log(f"corpus: train {summary['train']}, held out {summary['heldout']}, rejected {corpus.rejected}")
    marker_count = count_eval_marker(corpus.train_tokens)
    if marker_count:
        fail(EXIT_TRAINING_FAILED, f"the training stream contains the evaluation marker "
                                   f"{EVAL_MARKER.decode()} {marker_count} times: retrieval would be contaminated")
    manifest = json.dumps(corpus.manifest(), indent=1).encode("utf-8")
    if len(manifest) > MAX_OUT_FILE_BYTES:  # only files up to 16 MiB come back: drop the indentation
        manifest = json.dumps(corpus.manifest(), separators=(",", ":")).encode("utf-8")
    if len(manifest) > MAX_OUT_FILE_BYTES:
        log(f"WARNING: corpus-manifest.json is {len(manifest)} bytes and will not come back")
    write_atomic(out / "corpus-manifest.json", manifest)
    sample: HeldoutSample = choose_sample(corpus.heldout_docs, args.eval_windows, args.context)
    windows = sample.window_tokens()
    archive = sample_archive(sample)
    write_atomic(out / "heldout-sample.tar.gz", archive)
    # Standard-library text only, like the sample: the task file is committed under one licence.
    stdlib_heldout = token_stream([d for d in corpus.heldout_docs if d.source == "python-stdlib"])
    task = make_retrieval_task(stdlib_heldout, RetrievalSpec(count=args.retrieval_prompts, context=args.context,
                                                                    distance=min(3000, args.context - 64)))
    task_bytes = json.dumps(task).encode("utf-8")
    write_atomic(out / "retrieval-task.json", task_bytes)
    extra_tasks = extra_retrieval_tasks(stdlib_heldout, args)
    log(f"held-out sample: {len(sample.documents)} files, {len(archive)} bytes archived; "
        f"retrieval task: {len(task['prompts'])} prompts; extra distances {[t['distance'] for t in extra_tasks]}")

    smoke: dict[str, object] = {"skipped": True}
    if not args.skip_smoke:
        try:
            smoke = smoke_test(corpus.train_tokens, windows, task, device, copy_spec)
        except Exception:  # noqa: BLE001 - any failure here must stop the run before the long part
            traceback.print_exc()
            write_atomic(out / "train.log", "\n".join(log.lines).encode("utf-8"))
            fail(EXIT_SMOKE_FAILED, "SMOKE TEST FAILED: nothing was trained; see the traceback above")
        log(f"smoke test passed in {smoke['seconds']:.1f}s: losses {smoke['losses']}")

    spec = shape.spec
    settings = TrainSettings(seed=args.seed, batch=args.batch, context=args.context, peak_lr=peak_lr,
                             final_lr_fraction=0.1, warmup_steps=args.warmup_steps, weight_decay=0.1,
                             beta1=0.9, beta2=0.95, grad_clip=1.0, fixed_steps=args.steps)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    model = build_model(spec, device)
    mixer = CopyMixer(copy_spec, seed=args.seed) if copy_spec.fraction > 0 else None
    sampler = WindowSampler(corpus.train_tokens, args.context, args.batch, seed=args.seed, mixer=mixer)
    now = time.monotonic()
    deadline = min(now + 60 * args.minutes, SCRIPT_START + args.budget_seconds - args.reserve_seconds)
    log(f"model {args.shape} {spec_record(spec)}; peak lr {peak_lr}; copy fraction {copy_spec.fraction}; "
        f"training until +{deadline - SCRIPT_START:.0f}s")
    try:
        result = train(model, sampler, settings, deadline, device)
    except Exception:  # noqa: BLE001 - record what happened, then stop
        traceback.print_exc()
        write_atomic(out / "train.log", "\n".join(log.lines).encode("utf-8"))
        fail(EXIT_TRAINING_FAILED, "training failed; see the traceback above")
    log(f"trained {result.steps} steps in {result.seconds:.0f}s ({result.stop_reason}); "
        f"peak memory {result.peak_memory_gib:.1f} GiB")
    if mixer is not None:
        log(f"copy mix: {mixer.stats.record()}")

    eval_started = time.monotonic()
    checkpoint = out / "checkpoint"
    checkpoint.mkdir()
    evaluation = evaluate_checkpoint(model, checkpoint, EvalSet(windows, task, extra_tasks), device, args.text_steps,
                                     shape.max_checkpoint_bytes)
    record = {
        "shape": args.shape,
        "model": spec_record(spec),
        "llamaConfig": llama_config_kwargs(spec),
        "settings": asdict(settings),
        "lrSchedule": "linear warm-up over warmup_steps, cosine to final_lr_fraction * peak at the planned step",
        "precision": "fp32 parameters and AdamW state, bf16 autocast, TF32 matmuls; evaluation in fp32 without TF32",
        "determinism": "seeded (torch, numpy window sampler); bitwise repeatability is not guaranteed on GPU",
        "steps": result.steps,
        "plannedSteps": result.planned_steps,
        "stopReason": result.stop_reason,
        "tokensSeen": result.steps * args.batch * args.context,
        "trainSeconds": result.seconds,
        "evalSeconds": time.monotonic() - eval_started,
        "wallSeconds": time.monotonic() - SCRIPT_START,
        "peakMemoryGiB": result.peak_memory_gib,
        "cpuThreads": args.threads,
        "copyMix": {"spec": asdict(copy_spec), "evalMarkerInTrainingStream": marker_count,
                    **(mixer.stats.record() if mixer is not None else {})},
        "lossCurve": result.curve,
        **evaluation,
        "heldoutSample": {"files": len(sample.documents), "windows": args.eval_windows, "context": args.context,
                          "archiveSha256": hashlib.sha256(archive).hexdigest()},
        "retrievalTask": {"prompts": len(task["prompts"]), "seed": task["seed"], "distance": task["distance"],
                          "jsonSha256": hashlib.sha256(task_bytes).hexdigest()},
        "smokeTest": smoke,
        "versions": versions(device),
        "corpus": summary,
        "command": sys.argv,
    }
    write_json(out / "training.json", record)
    log(f"done in {time.monotonic() - SCRIPT_START:.0f}s")
    write_atomic(out / "train.log", "\n".join(log.lines).encode("utf-8"))
    enforce_out_limit(out)
    return 0


if __name__ == "__main__":
    sys.exit(run(parse_args(sys.argv[1:])))
