"""PyTorch baselines on the same card, same shapes, same timing method as the CUDA addon's
benchmark (CUDA events, a buffer twice the L2 read before each timed run, median of R runs):
  sdpa            F.scaled_dot_product_attention over the whole cache (the dense baseline);
  sdpaContiguousK SDPA over a contiguous k-long slice (an ideal sparse kernel's floor);
  researchPath    what research code does: full scores, torch.topk, gather K and V, SDPA;
  topk            torch.topk alone on the full scores.
With "sdpaOnly": true in CONFIGS_JSON (the decode sweep) only sdpa is timed.
Usage: python3 torch_baseline.py CONFIGS_JSON OUT_JSON"""
import json
import sys

import torch
import torch.nn.functional as F


def timed(fn, repeats, flush):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(repeats)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(repeats)]
    for r in range(repeats):
        flush.sum()  # reads 2 x L2: no input stays cached, and no dirty lines are left to write back
        starts[r].record()
        fn()
        ends[r].record()
    torch.cuda.synchronize()
    ms = sorted(s.elapsed_time(e) for s, e in zip(starts, ends))
    return {"medianMs": ms[len(ms) // 2], "minMs": ms[0]}


def run(config, repeats, flush, sdpa_only):
    b, hq, hkv, n, d, k = (config[x] for x in ("batch", "queryHeads", "kvHeads", "tokens", "headDim", "selected"))
    k = int(k)  # a fractional budget (tokens / 8) is floored, as bench/cuda/sweepBudget.mjs does
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}[config["dtype"]]
    g = torch.Generator(device="cuda").manual_seed(1)
    q = torch.rand((b, hq, 1, d), device="cuda", dtype=dtype, generator=g) * 2 - 1
    keys = torch.rand((b, hkv, n, d), device="cuda", dtype=dtype, generator=g) * 2 - 1
    values = torch.rand((b, hkv, n, d), device="cuda", dtype=dtype, generator=g) * 2 - 1
    gqa = hq != hkv
    scale = d ** -0.5
    out = {}
    out["sdpa"] = timed(lambda: F.scaled_dot_product_attention(q, keys, values, enable_gqa=gqa), repeats, flush)
    if sdpa_only:
        del q, keys, values
        torch.cuda.empty_cache()
        return out
    ks, vs = keys[:, :, :k].contiguous(), values[:, :, :k].contiguous()
    out["sdpaContiguousK"] = timed(lambda: F.scaled_dot_product_attention(q, ks, vs, enable_gqa=gqa), repeats, flush)
    group = hq // hkv

    def research():
        kk = keys.repeat_interleave(group, dim=1) if gqa else keys
        vv = values.repeat_interleave(group, dim=1) if gqa else values
        scores = (q @ kk.transpose(-1, -2)) * scale
        idx = torch.topk(scores, k, dim=-1).indices.transpose(-1, -2).expand(-1, -1, -1, d)
        return F.scaled_dot_product_attention(q, kk.gather(2, idx), vv.gather(2, idx))

    out["researchPath"] = timed(research, repeats, flush)
    kk = keys.repeat_interleave(group, dim=1) if gqa else keys
    scores = (q @ kk.transpose(-1, -2)) * scale
    out["topk"] = timed(lambda: torch.topk(scores, k, dim=-1), repeats, flush)
    del q, keys, values, ks, vs, kk, scores
    torch.cuda.empty_cache()
    return out


def main():
    configs = json.load(open(sys.argv[1]))
    props = torch.cuda.get_device_properties(0)
    flush = torch.ones(2 * props.L2_cache_size // 4, dtype=torch.float32, device="cuda")
    results = {"torch": torch.__version__, "device": props.name, "results": []}
    for c in configs["configs"]:
        try:
            results["results"].append({"config": c, "timings": run(c, configs["repeats"], flush, configs.get("sdpaOnly", False))})
        except Exception as e:  # report, keep going (e.g. out of memory on the research path)
            results["results"].append({"config": c, "error": f"{type(e).__name__}: {e}"})
            torch.cuda.empty_cache()
        print("torch", c["label"], json.dumps(results["results"][-1].get("timings", results["results"][-1].get("error"))), flush=True)
    json.dump(results, open(sys.argv[2], "w"), indent=1)


if __name__ == "__main__":
    main()
