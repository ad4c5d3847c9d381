"""HF transformers decode speed, the baseline of the speed table (bench/model/speed-table.sh).

For each point SHAPE:BATCH:CONTEXT: LlamaForCausalLM built from a config of that shape (the sizes of
src/model/presets.ts) with seeded random weights made on the GPU (torch.manual_seed; not the same
bytes as our engine's random weights: the same shape and dtype are the point, and a decode step's
time does not depend on the values), SDPA attention, a StaticCache of CONTEXT + WARMUP + STEPS
slots whose first CONTEXT positions are filled with random K/V (no prefill, as our benchDecode
does), then decode steps at positions CONTEXT, CONTEXT + 1, ..., each timed with CUDA events; the
median over the timed steps is reported. Twice per point: eager, and with
torch.compile(mode='reduce-overhead') (CUDA graphs) if it compiles within --compile-limit seconds;
what did not run is recorded with its reason (out of memory, compile time, an API this
transformers lacks). RoPE scaling is left at the default: it changes no step's cost.

Points of one shape share one model (built once); the output JSON is rewritten after every
measurement, so a run cut short still leaves what it measured.

Usage: python3 hf_bench.py OUT.json SHAPE:BATCH:CONTEXT[,...] [--steps N] [--warmup N]
       [--compile-limit SECONDS] [--no-compile]      (shapes: llama2-7b, llama3-8b)
"""
import json
import os
import signal
import sys
import time

import torch
import transformers
from transformers import LlamaConfig, LlamaForCausalLM

SHAPES = {
    "llama2-7b": dict(dtype=torch.float16, config=dict(
        vocab_size=32000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32,
        num_key_value_heads=32, head_dim=128, rms_norm_eps=1e-5, tie_word_embeddings=False)),
    "llama3-8b": dict(dtype=torch.bfloat16, config=dict(
        vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
        num_key_value_heads=8, head_dim=128, rms_norm_eps=1e-5, tie_word_embeddings=False)),
}


class CompileTimeout(Exception):
    pass


def option(argv, name, fallback, kind=int):
    return kind(argv[argv.index(name) + 1]) if name in argv else fallback


def build(shape, capacity, seed):
    spec = SHAPES[shape]
    config = LlamaConfig(**spec["config"], max_position_embeddings=capacity)
    config._attn_implementation = "sdpa"
    torch.manual_seed(seed)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(spec["dtype"])
    try:
        with torch.device("cuda"):
            model = LlamaForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    return model.to(spec["dtype"]).eval()


def static_cache(model, batch, capacity):
    """A StaticCache in the 5.x form (batch taken from the first update), else the 4.x one."""
    from transformers import StaticCache
    try:
        return StaticCache(config=model.config, max_cache_len=capacity)
    except TypeError:
        return StaticCache(config=model.config, max_batch_size=batch, max_cache_len=capacity, device="cuda", dtype=model.dtype)


def cache_tensors(cache):
    if hasattr(cache, "layers"):
        return [t for layer in cache.layers for t in (layer.keys, layer.values) if t is not None]
    return list(getattr(cache, "key_cache", [])) + list(getattr(cache, "value_cache", []))


@torch.no_grad()
def step(forward, cache, tokens, position):
    return forward(input_ids=tokens, past_key_values=cache, cache_position=position, use_cache=True)


@torch.no_grad()
def time_decode(model, forward, batch, context, warmup, steps, on_warm=None):
    """Median and min ms per decode step over `steps` timed steps after `warmup`, from position `context`."""
    capacity = context + warmup + steps
    cache = static_cache(model, batch, capacity)
    tokens = torch.randint(0, model.config.vocab_size, (batch, 1), device="cuda")
    step(model.forward, cache, tokens, torch.tensor([0], device="cuda"))  # allocates the cache's tensors
    tensors = cache_tensors(cache)
    if not tensors:
        raise RuntimeError("this transformers' StaticCache exposes no key/value tensors to fill")
    for t in tensors:
        t.normal_()
    for s in range(warmup):
        step(forward, cache, tokens, torch.tensor([context + s], device="cuda"))
    torch.cuda.synchronize()
    if on_warm:
        on_warm()
    events = [torch.cuda.Event(enable_timing=True) for _ in range(steps + 1)]
    events[0].record()
    for s in range(steps):
        step(forward, cache, tokens, torch.tensor([context + warmup + s], device="cuda"))
        events[s + 1].record()
    torch.cuda.synchronize()
    times = sorted(events[i].elapsed_time(events[i + 1]) for i in range(steps))
    del cache, tensors
    return {"medianMs": times[len(times) // 2], "minMs": times[0], "steps": steps, "warmup": warmup}


def failure(error):
    if isinstance(error, torch.cuda.OutOfMemoryError):
        return f"out of GPU memory: {str(error).splitlines()[0]}"
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


def compiled_run(model, batch, context, warmup, steps, limit):
    """torch.compile(mode='reduce-overhead') under a wall-clock limit on compiling (the warmup steps)."""
    torch._dynamo.reset()
    forward = torch.compile(model.forward, mode="reduce-overhead", fullgraph=True)
    started = time.time()

    def expire(*_):
        raise CompileTimeout(f"did not compile within {limit} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(limit)
    compile_seconds = {}

    def warm():
        signal.alarm(0)
        compile_seconds["value"] = time.time() - started

    try:
        result = time_decode(model, forward, batch, context, max(warmup, 3), steps, on_warm=warm)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return {**result, "compileSeconds": compile_seconds.get("value")}


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out_path, points = argv[0], [p.split(":") for p in argv[1].split(",")]
    steps, warmup = option(argv, "--steps", 50), option(argv, "--warmup", 10)
    limit, no_compile = option(argv, "--compile-limit", 150), "--no-compile" in argv
    report = {
        "schema": "prhs-hf-bench/1", "device": torch.cuda.get_device_name(), "torch": torch.__version__,
        "transformers": transformers.__version__, "attention": "sdpa", "cache": "StaticCache, random K/V to the context (no prefill)",
        "weights": "seeded random on the GPU (torch.manual_seed(1)): the same shape and dtype as ours, not the same bytes",
        "compileLimitSeconds": limit, "rows": [],
    }

    def save():
        with open(out_path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
        os.replace(out_path + ".tmp", out_path)

    capacities = {}  # per shape, the largest cache its points need (RoPE tables are sized by it)
    for shape, _, context in points:
        if shape not in SHAPES:
            sys.exit(f"hf_bench: unknown shape {shape!r} (expected one of {', '.join(SHAPES)})")
        capacities[shape] = max(capacities.get(shape, 0), int(context) + max(warmup, 3) + steps + 16)
    model, model_shape = None, None
    for shape, batch_text, context_text in points:
        batch, context = int(batch_text), int(context_text)
        row = {"shape": shape, "batch": batch, "context": context, "dtype": str(SHAPES[shape]["dtype"]).replace("torch.", "")}
        report["rows"].append(row)
        try:
            if model_shape != shape:
                model = None
                torch.cuda.empty_cache()
                started = time.time()
                model = build(shape, capacities[shape], 1)
                model_shape = shape
                print(f"hf_bench: built {shape} in {time.time() - started:.1f} s", flush=True)
            row["eager"] = time_decode(model, model.forward, batch, context, warmup, steps)
        except Exception as error:  # recorded, and the next point still runs
            row["eager"] = {"skipped": failure(error)}
        torch.cuda.empty_cache()
        save()
        if no_compile or model is None:
            row["compiled"] = {"skipped": "--no-compile" if no_compile else "no model"}
        else:
            try:
                row["compiled"] = compiled_run(model, batch, context, warmup, steps, limit)
            except (Exception, CompileTimeout) as error:
                row["compiled"] = {"skipped": failure(error) if not isinstance(error, CompileTimeout) else str(error)}
            torch._dynamo.reset()
            torch.cuda.empty_cache()
        save()
        e, c = row["eager"], row["compiled"]
        describe = lambda r: f"{r['medianMs']:.3f} ms" if "medianMs" in r else f"skipped ({r['skipped']})"
        print(f"hf_bench {shape} B{batch} ctx {context}: eager {describe(e)}, compiled {describe(c)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
