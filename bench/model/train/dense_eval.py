"""Dense evaluations shared by train.py and check_hf.py: bits per byte, retrieval accuracy, greedy text.

Why plain forward passes without a KV cache: these run once per checkpoint on a few hundred
thousand tokens, so the cost is seconds, and a full forward over the exact token ids is the
simplest computation for another engine to reproduce.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

BYTE_TOKENS = 256


@torch.no_grad()
def bits_per_byte(model: torch.nn.Module, windows: np.ndarray, batch: int, device: str) -> dict[str, float]:
    """Mean -log2 p(target) over byte targets (and over all targets) of [n, C+1] windows.

    Runs in the model's own dtype with no autocast, so an fp32 or fp64 model is evaluated in fp32
    or fp64 throughout."""
    model.eval()
    nll_bytes = 0.0
    count_bytes = 0
    nll_all = 0.0
    count_all = 0
    for start in range(0, windows.shape[0], batch):
        chunk = torch.from_numpy(windows[start: start + batch]).to(device)
        inputs, targets = chunk[:, :-1], chunk[:, 1:]
        logits = model(input_ids=inputs, use_cache=False).logits
        nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).to(torch.float64),
                              targets.reshape(-1), reduction="none")
        is_byte = targets.reshape(-1) < BYTE_TOKENS
        nll_bytes += float(nll[is_byte].sum())
        count_bytes += int(is_byte.sum())
        nll_all += float(nll.sum())
        count_all += nll.numel()
    return {
        "bitsPerByte": nll_bytes / count_bytes / math.log(2),
        "bitsPerToken": nll_all / count_all / math.log(2),
        "byteTargets": count_bytes,
        "allTargets": count_all,
    }


@torch.no_grad()
def greedy_continue(model: torch.nn.Module, prompts: torch.Tensor, steps: int) -> torch.Tensor:
    """[b, steps] greedy next tokens after equal-length [b, L] prompts (full recompute per step)."""
    model.eval()
    ids = prompts
    produced = []
    for _ in range(steps):
        logits = model(input_ids=ids, use_cache=False).logits[:, -1, :]
        nxt = logits.argmax(dim=-1, keepdim=True)
        produced.append(nxt)
        ids = torch.cat([ids, nxt], dim=1)
    return torch.cat(produced, dim=1)


def retrieval_accuracy(model: torch.nn.Module, task: dict, batch: int, device: str) -> dict[str, object]:
    """Exact-match rate of the greedy identifier continuation, and the per-letter rate."""
    prompts = task["prompts"]
    letters = int(task["identifierLetters"])
    exact = 0
    letter_hits = 0
    answers: list[str] = []
    for start in range(0, len(prompts), batch):
        group = prompts[start: start + batch]
        ids = torch.tensor([p["promptIds"] for p in group], dtype=torch.long, device=device)
        expected = torch.tensor([p["expectedIds"] for p in group], dtype=torch.long, device=device)
        got = greedy_continue(model, ids, letters)
        hits = got == expected
        exact += int(hits.all(dim=1).sum())
        letter_hits += int(hits.sum())
        answers.extend(bytes(min(int(t), 255) for t in row).decode("latin-1") for row in got.cpu())
    return {
        "prompts": len(prompts),
        "exactMatch": exact / len(prompts),
        "letterAccuracy": letter_hits / (len(prompts) * letters),
        "answers": answers,
    }


def continue_text(model: torch.nn.Module, text: str, steps: int, device: str, bos: int = 256) -> str:
    """Greedy continuation of a text prompt (BOS + its UTF-8 bytes), decoded leniently."""
    ids = torch.tensor([[bos] + list(text.encode("utf-8"))], dtype=torch.long, device=device)
    out = greedy_continue(model, ids, steps)[0].tolist()
    return bytes(t for t in out if t < BYTE_TOKENS).decode("utf-8", errors="replace")
