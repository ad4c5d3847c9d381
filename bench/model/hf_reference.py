"""HF transformers reference logits for the CUDA engine's cross-check (bench/model/cudaEngineCheck.ts).

For one checkpoint folder and one prompt, runs AutoModelForCausalLM on the GPU twice with the same
weights: in float64 (the checkpoint's fp16/bf16 values widened exactly), choosing N greedy tokens,
then in the checkpoint's own dtype, fed the float64 run's tokens (teacher forcing), so both runs
and our engine score the same sequence at every step. Step 0 is the prompt's last position; step s
follows the s-th greedy token. The model is loaded once in its dtype, widened to float64 on the
GPU for the first run and narrowed back (exactly) for the second: no 7B float64 copy on the host.

Writes OUT.safetensors: logits_fp64 F64 [steps, batch, vocab], logits_half F32 [steps, batch,
vocab] (HF's fp16/bf16 logits, exact in F32). Attention is SDPA (transformers' default: the math
kernel in float64, a fused fp32-accumulating kernel in fp16/bf16), tokens F64 [batch, steps] (the float64 run's greedy
tokens), prompt F64 [batch, prompt]; metadata: dtype, attention implementation, transformers and
torch versions, device, seconds.

Usage: python3 hf_reference.py STEPS CHECKPOINT_DIR OUT.safetensors [CHECKPOINT_DIR OUT.safetensors ...]
The prompt is CHECKPOINT_DIR/prompt.json: {"tokens": [[ids of sequence 0], ...]} (equal lengths).
Checkpoints run one after the other in one process (one import of torch), each freed before the next.
"""
import json
import os
import sys
import time

import torch
import transformers
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM


def load(directory):
    """The checkpoint in its own dtype on the GPU (straight to the card where transformers can)."""
    for kwargs in ({"dtype": "auto", "device_map": "cuda"}, {"dtype": "auto"}, {"torch_dtype": "auto"}):
        try:
            model = AutoModelForCausalLM.from_pretrained(directory, attn_implementation="sdpa", **kwargs)
            break
        except (TypeError, ValueError, ImportError) as error:  # older keywords, or no accelerate for device_map
            print(f"hf_reference: from_pretrained({kwargs}) failed ({error}); trying the next form", flush=True)
    else:
        raise RuntimeError(f"could not load {directory}")
    return model.to("cuda").eval()


def convert(model, dtype):
    """model.to(dtype), keeping the RoPE inverse frequencies as HF computed them (fp32): .to() would
    round them to fp16/bf16 too, which a model loaded in that dtype never does."""
    saved = {n: b.detach().clone() for n, b in model.named_buffers() if n.endswith("inv_freq")}
    model.to(dtype)
    for name, value in saved.items():
        owner, _, attribute = name.rpartition(".")
        setattr(model.get_submodule(owner), attribute, value)


@torch.no_grad()
def run(model, prompt, steps, forced=None):
    """Logits [steps, batch, vocab] (float64 on the host) and the greedy tokens [batch, steps]."""
    out = model(input_ids=prompt, use_cache=True)
    cache = out.past_key_values
    logits, tokens = [], []
    for s in range(steps):
        step_logits = out.logits[:, -1, :].to(torch.float64)
        logits.append(step_logits.cpu())
        token = step_logits.argmax(dim=-1) if forced is None else forced[:, s]
        tokens.append(token)
        if s + 1 < steps:
            out = model(input_ids=token[:, None].to(prompt.device), past_key_values=cache, use_cache=True)
            cache = out.past_key_values
    return torch.stack(logits), torch.stack(tokens, dim=1).cpu()


def reference(directory, steps, out_path):
    with open(os.path.join(directory, "prompt.json"), encoding="utf-8") as f:
        prompt = torch.tensor(json.load(f)["tokens"], dtype=torch.int64, device="cuda")
    start = time.time()
    model = load(directory)
    dtype = model.dtype
    convert(model, torch.float64)
    logits64, tokens = run(model, prompt, steps)
    convert(model, dtype)  # exact: every weight came from this dtype
    torch.cuda.empty_cache()
    logits_half, _ = run(model, prompt, steps, forced=tokens)
    err = (logits_half - logits64).abs().amax(dim=-1)
    print(f"hf_reference {directory}: {steps} steps, batch {prompt.shape[0]}, prompt {prompt.shape[1]}, "
          f"HF {dtype} max |logit error| vs fp64 per step: max {err.max().item():.3e}, median {err.median().item():.3e}, "
          f"{time.time() - start:.1f}s", flush=True)
    save_file(
        {
            "logits_fp64": logits64.contiguous(),
            "logits_half": logits_half.to(torch.float32).contiguous(),
            "tokens": tokens.to(torch.float64).contiguous(),
            "prompt": prompt.cpu().to(torch.float64).contiguous(),
        },
        out_path,
        metadata={
            "dtype": str(dtype).replace("torch.", ""),
            "attention": "sdpa",
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "device": torch.cuda.get_device_name(),
            "seconds": f"{time.time() - start:.1f}",
        },
    )
    del model
    torch.cuda.empty_cache()


def main():
    steps, jobs = int(sys.argv[1]), sys.argv[2:]
    if not jobs or len(jobs) % 2:
        sys.exit("usage: hf_reference.py STEPS CHECKPOINT_DIR OUT.safetensors [...]")
    for i in range(0, len(jobs), 2):
        reference(jobs[i], steps, jobs[i + 1])


if __name__ == "__main__":
    main()
