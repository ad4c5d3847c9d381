"""Loads prhs-written checkpoints with transformers and checks they mean the same there:
no missing, unexpected or mismatched keys; every parameter bit-identical to the safetensors
tensor of the same name (a tied lm_head is the embedding); config fields as prhs wrote them; and
a forward pass of a few tokens that gives finite logits. CPU only (no GPU needed).
Usage: python3 hf_load_check.py DIR [DIR ...]   (prints one JSON object; exit 1 if any check fails)"""
import json
import os
import sys

import torch
import transformers
from safetensors import safe_open
from transformers import AutoConfig, AutoModelForCausalLM


def stored_tensors(directory):
    index = os.path.join(directory, "model.safetensors.index.json")
    files = (
        sorted(set(json.load(open(index))["weight_map"].values()))
        if not os.path.exists(os.path.join(directory, "model.safetensors"))
        else ["model.safetensors"]
    )
    tensors = {}
    for name in files:
        with safe_open(os.path.join(directory, name), framework="pt") as f:
            for key in f.keys():
                tensors[key] = f.get_tensor(key)
    return tensors


def check(directory):
    ours = json.load(open(os.path.join(directory, "config.json")))
    problems = []
    config = AutoConfig.from_pretrained(directory)
    model, info = AutoModelForCausalLM.from_pretrained(directory, dtype="auto", output_loading_info=True)
    for kind in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        if info.get(kind):
            problems.append(f"{kind}: {list(info[kind])[:5]}")
    if type(model).__name__ != ours["architectures"][0]:
        problems.append(f"class {type(model).__name__}, config says {ours['architectures'][0]}")
    for key in ("num_key_value_heads", "num_attention_heads", "head_dim", "tie_word_embeddings", "max_position_embeddings", "rms_norm_eps"):
        if getattr(config, key, ours[key]) != ours[key]:
            problems.append(f"config.{key} = {getattr(config, key)}, config.json {ours[key]}")
    rope = getattr(config, "rope_parameters", None) or {}
    if rope.get("rope_theta") != ours["rope_theta"]:
        problems.append(f"rope_theta {rope.get('rope_theta')} vs {ours['rope_theta']}")
    expected_rope = ours["rope_scaling"] or {"rope_type": "default"}
    for key, value in expected_rope.items():
        if rope.get(key) != value:
            problems.append(f"rope_parameters.{key} = {rope.get(key)}, config.json {value}")
    if "attention_bias" in ours and config.attention_bias != ours["attention_bias"]:
        problems.append(f"config.attention_bias = {config.attention_bias}, config.json {ours['attention_bias']}")
    stored = stored_tensors(directory)
    state = model.state_dict()
    for name, tensor in stored.items():
        if name not in state:
            problems.append(f"stored tensor {name} not in the model")
        elif state[name].dtype != tensor.dtype or not torch.equal(state[name], tensor):
            problems.append(f"{name}: model {state[name].dtype} differs from stored {tensor.dtype}")
    if ours["tie_word_embeddings"] and not torch.equal(state["lm_head.weight"], stored["model.embed_tokens.weight"]):
        problems.append("tied lm_head is not the embedding")
    for name in state:
        if name not in stored and not (name == "lm_head.weight" and ours["tie_word_embeddings"]):
            problems.append(f"model parameter {name} not stored")
    with torch.no_grad():
        logits = model(torch.tensor([[ours["bos_token_id"] or 0, 5, 17, 200]])).logits
    if logits.shape[-1] != ours["vocab_size"] or not torch.isfinite(logits.float()).all():
        problems.append(f"logits shape {tuple(logits.shape)} or not finite")
    return {"directory": directory, "class": type(model).__name__, "dtype": str(next(model.parameters()).dtype),
            "tensors": len(stored), "problems": problems, "pass": not problems}


def main():
    results = []
    for directory in sys.argv[1:]:
        try:
            results.append(check(directory))
        except Exception as error:  # a load failure is a result to report, not a crash of the run
            results.append({"directory": directory, "problems": [f"{type(error).__name__}: {error}"], "pass": False})
    print(json.dumps({"transformers": transformers.__version__, "torch": torch.__version__, "results": results}, indent=2))
    sys.exit(0 if all(r["pass"] for r in results) else 1)


if __name__ == "__main__":
    main()
