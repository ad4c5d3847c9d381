"""Seeded random checkpoints for the CUDA engine's GPU cross-check, written by transformers itself
(save_pretrained: config.json plus model.safetensors or a sharded index), so the checkpoint loader
reads exactly what users have. HF initialises norms to one and biases to zero; those are then
drawn at random too (norms 1 + 0.1 N(0, 1), biases 0.1 N(0, 1)), or a check would not see them.
q_proj and k_proj are drawn with standard deviation 1/sqrt(hidden) instead of 0.02, so queries and
keys have entries of about unit size and attention is far from uniform at every shape (with 0.02
at hidden 256 every score is near zero, and position errors would not show in the logits).

Usage: python3 make_checkpoints.py OUT_DIR SHAPE[,SHAPE...]   (shapes: see SHAPES)
Also writes OUT_DIR/SHAPE/prompt.json: {"tokens": [[...]] } seeded random ids, batch x prompt.
"""
import json
import os
import sys
import time

import torch
import transformers
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

SHAPES = {
    # Multi-head attention, o_proj and q/k/v biases (attention_bias), fp16.
    "tiny-mha": dict(arch="llama", dtype="float16", batch=2, prompt=100, config=dict(
        vocab_size=1000, hidden_size=256, intermediate_size=688, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=4, head_dim=64, attention_bias=True, tie_word_embeddings=False, rope_theta=10000.0,
        max_position_embeddings=2048)),
    # GQA 4, head dim 32, tied embeddings, linear RoPE scaling, bf16.
    "tiny-gqa": dict(arch="llama", dtype="bfloat16", batch=2, prompt=100, config=dict(
        vocab_size=1000, hidden_size=256, intermediate_size=512, num_hidden_layers=3, num_attention_heads=8,
        num_key_value_heads=2, head_dim=32, tie_word_embeddings=True, rope_theta=10000.0,
        rope_scaling={"rope_type": "linear", "factor": 2.0}, max_position_embeddings=2048)),
    # Qwen2: q/k/v biases, GQA 7, fp16.
    "tiny-qwen2": dict(arch="qwen2", dtype="float16", batch=2, prompt=100, config=dict(
        vocab_size=1000, hidden_size=224, intermediate_size=480, num_hidden_layers=2, num_attention_heads=7,
        num_key_value_heads=1, head_dim=32, tie_word_embeddings=False, rope_theta=1000000.0,
        max_position_embeddings=2048)),
    # LLaMA-3.2-1B shape: GQA 4, head dim 64, tied, llama3 RoPE scaling, bf16.
    "llama-1b": dict(arch="llama", dtype="bfloat16", batch=2, prompt=100, config=dict(
        vocab_size=128256, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
        num_key_value_heads=8, head_dim=64, tie_word_embeddings=True, rope_theta=500000.0,
        rope_scaling={"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                      "original_max_position_embeddings": 8192}, max_position_embeddings=131072,
        rms_norm_eps=1e-5)),
    # LLaMA-2-7B shape: multi-head attention, fp16.
    "llama2-7b": dict(arch="llama", dtype="float16", batch=1, prompt=100, config=dict(
        vocab_size=32000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32,
        num_key_value_heads=32, head_dim=128, tie_word_embeddings=False, rope_theta=10000.0,
        max_position_embeddings=4096, rms_norm_eps=1e-5)),
}


def build_config(config_class, fields):
    """RoPE as transformers 5 spells it (rope_parameters) or as 4.x does (rope_theta, rope_scaling)."""
    fields = dict(fields)
    theta, scaling = fields.pop("rope_theta"), fields.pop("rope_scaling", None)
    if int(transformers.__version__.split(".")[0]) >= 5:
        return config_class(rope_parameters={"rope_type": "default", "rope_theta": theta, **(scaling or {})}, **fields)
    return config_class(rope_theta=theta, rope_scaling=scaling, **fields)


@torch.no_grad()
def make(out_dir, name, seed=1):
    spec = SHAPES[name]
    dtype = getattr(torch, spec["dtype"])
    config_class, model_class = (Qwen2Config, Qwen2ForCausalLM) if spec["arch"] == "qwen2" else (LlamaConfig, LlamaForCausalLM)
    config = build_config(config_class, spec["config"])
    torch.manual_seed(seed)
    with torch.device("cuda"):
        model = model_class(config)
    for pname, p in model.named_parameters():
        if pname.endswith("norm.weight"):
            p.copy_(1 + 0.1 * torch.randn_like(p))
        elif pname.endswith(".bias"):
            p.copy_(0.1 * torch.randn_like(p))
        elif pname.endswith(("q_proj.weight", "k_proj.weight")):
            p.normal_(0.0, config.hidden_size ** -0.5)
    model.to(dtype)
    path = os.path.join(out_dir, name)
    model.save_pretrained(path)
    g = torch.Generator().manual_seed(seed + 1)
    prompt = torch.randint(0, config.vocab_size, (spec["batch"], spec["prompt"]), generator=g)
    with open(os.path.join(path, "prompt.json"), "w", encoding="utf-8") as f:
        json.dump({"tokens": prompt.tolist()}, f)
    del model
    torch.cuda.empty_cache()
    return path


def main():
    out_dir, names = sys.argv[1], sys.argv[2].split(",")
    for name in names:
        start = time.time()
        path = make(out_dir, name)
        print(f"checkpoint {name}: {path} ({time.time() - start:.1f}s)", flush=True)


if __name__ == "__main__":
    main()
