"""Check a saved checkpoint with HF transformers on the GPU: bits per byte in fp32 and fp64, retrieval, text.

Why: later GPU calls (the engine cross-check, selector runs) need the dense reference numbers of
the committed checkpoint without retraining; fp64 next to fp32 shows how much of a difference
between engines can be rounding. Needs only the checkpoint and the files train.py wrote.

Usage: python3 check_hf.py CHECKPOINT_DIR [--sample heldout-sample.tar.gz] [--retrieval retrieval-task.json[.gz]]
                           [--prompt TEXT] [--steps N] [--out RESULT_JSON]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402

from dense_eval import bits_per_byte, continue_text, retrieval_accuracy  # noqa: E402
from heldout_sample import read_sample_archive  # noqa: E402


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Options; missing or unreadable files exit 2 naming the argument."""
    here = Path(__file__).resolve().parent
    p = argparse.ArgumentParser(description="Evaluate a checkpoint with HF transformers in fp32 and fp64.")
    p.add_argument("checkpoint", type=Path)
    p.add_argument("--sample", type=Path, default=here / "heldout-sample.tar.gz")
    p.add_argument("--retrieval", type=Path, default=here / "retrieval-task.json")
    p.add_argument("--prompt", default="import os\nimport sys\n\n\ndef main(")
    p.add_argument("--steps", type=int, default=200, help="greedy continuation length")
    p.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = p.parse_args(argv)
    if not (args.checkpoint / "config.json").is_file():
        p.error(f"checkpoint: {args.checkpoint} has no config.json")
    if not args.sample.is_file():
        p.error(f"--sample: {args.sample} is not a file")
    if not args.retrieval.is_file():
        p.error(f"--retrieval: {args.retrieval} is not a file")
    if args.steps < 1:
        p.error("--steps must be >= 1")
    return args


def load(checkpoint: Path, dtype: torch.dtype) -> torch.nn.Module:
    """The checkpoint on the GPU in the given dtype (SDPA attention)."""
    model = AutoModelForCausalLM.from_pretrained(str(checkpoint), dtype=dtype, attn_implementation="sdpa")
    return model.to(device="cuda", dtype=dtype).eval()


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    torch.set_float32_matmul_precision("highest")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        windows = read_sample_archive(args.sample.read_bytes()).window_tokens()
        # The committed task is stored gzip-compressed (retrieval-task.json.gz); train.py's own output is plain.
        raw = args.retrieval.read_bytes()
        task = json.loads(gzip.decompress(raw) if args.retrieval.suffix == ".gz" else raw)
    except (OSError, ValueError, KeyError) as err:
        print(f"check_hf.py: cannot read the sample or task: {err}", file=sys.stderr)
        return 2
    results: dict[str, object] = {"checkpoint": str(args.checkpoint), "card": torch.cuda.get_device_name(0)}
    # fp64 attention runs on SDPA's math backend, which materialises the score matrix: small batches.
    for label, dtype, batch in (("fp32", torch.float32, 8), ("fp64", torch.float64, 2)):
        model = load(args.checkpoint, dtype)
        bpb = bits_per_byte(model, windows, batch, "cuda")
        print(f"{label}: held-out bits/byte {bpb['bitsPerByte']:.6f} (bits/token {bpb['bitsPerToken']:.6f})",
              flush=True)
        retrieval = retrieval_accuracy(model, task, 2 * batch, "cuda")
        print(f"{label}: retrieval exact {retrieval['exactMatch']:.3f} letters {retrieval['letterAccuracy']:.3f}",
              flush=True)
        results[label] = {"heldout": bpb, "retrieval": retrieval}
        del model
        torch.cuda.empty_cache()
    fp32 = load(args.checkpoint, torch.float32)
    text = continue_text(fp32, args.prompt, args.steps, "cuda")
    print(f"greedy continuation of {args.prompt!r}:\n{args.prompt}{text}")
    results["greedy"] = {"prompt": args.prompt, "text": text}
    if args.out is not None:
        try:
            tmp = args.out.with_name(args.out.name + ".tmp")
            tmp.write_text(json.dumps(results, indent=1))
            tmp.replace(args.out)
        except OSError as err:
            print(f"check_hf.py: --out {args.out}: {err}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
