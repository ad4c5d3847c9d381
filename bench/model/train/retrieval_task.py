"""A long-range retrieval task: continue a random identifier defined ~3000 bytes earlier.

Why: sparse attention selectors must keep the few keys that matter far back in the context.
Each prompt is a 4096-token context built from held-out text in which one Python-like line
defines `_zqx_` + 8 random lowercase letters; the context ends with `print(_zqx_`, so the next
8 bytes should be those letters. Only that one earlier line holds them, so a model can answer
only by attending to it. The set is generated with numpy alone and a fixed seed, and saved as
JSON (prompt token ids, expected ids), so the TypeScript engine can replay it unchanged.

Layout of one prompt (token positions): [BOS] filler_a "\n" DEF filler_b CUE, where DEF =
"_zqx_<letters> = <digits>\n" begins `distance` tokens before the end of the full context
(prompt plus the 8 expected tokens) and CUE = "\nprint(_zqx_". Fillers are slices of the
standard library's held-out token stream (with its BOS/EOS separators; one licence, PSF, for
the committed file) that do not contain the marker.

Usage (numpy only): python3 retrieval_task.py OUT_JSON [--count 64] [--seed 7]
(builds the corpus of this interpreter to take the held-out text).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BOS = 256
MARKER = b"_zqx_"
CUE = b"\nprint(" + MARKER
IDENTIFIER_LETTERS = 8
DEFAULT_COUNT = 64
DEFAULT_SEED = 7
DEFAULT_CONTEXT = 4096
DEFAULT_DISTANCE = 3000


@dataclass(frozen=True)
class RetrievalSpec:
    """How many prompts, from which seed, at which context length and definition distance."""

    count: int = DEFAULT_COUNT
    seed: int = DEFAULT_SEED
    context: int = DEFAULT_CONTEXT
    distance: int = DEFAULT_DISTANCE


def _bytes_ids(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint8).astype(np.int64)


def _contains(haystack: np.ndarray, needle: bytes) -> bool:
    """Whether the token slice contains the byte string (tokens >= 256 never match a byte)."""
    pattern = _bytes_ids(needle)
    if haystack.size < pattern.size:
        return False
    windows = np.lib.stride_tricks.sliding_window_view(haystack, pattern.size)
    return bool(np.any(np.all(windows == pattern, axis=1)))


def _filler(stream: np.ndarray, length: int, rng: np.random.Generator) -> np.ndarray:
    """A slice of the held-out stream that does not contain the marker (redrawn if it does)."""
    if length <= 0:
        return np.zeros(0, dtype=np.int64)
    if stream.size <= length:
        raise ValueError(f"held-out stream has {stream.size} tokens, a filler of {length} is needed")
    for _ in range(1000):
        start = int(rng.integers(0, stream.size - length))
        piece = stream[start: start + length].astype(np.int64)
        if not _contains(piece, MARKER[1:4]):  # "zqx" anywhere would give a second candidate
            return piece
    raise ValueError("no filler without the marker found in 1000 draws")


def make_prompt(stream: np.ndarray, spec: RetrievalSpec, rng: np.random.Generator) -> dict[str, object]:
    """One prompt: ids (length context - 8), the expected 8 ids and where the definition is."""
    letters = bytes(int(c) + ord("a") for c in rng.integers(0, 26, IDENTIFIER_LETTERS))
    value = int(rng.integers(1000, 1_000_000))
    definition = MARKER + letters + b" = " + str(value).encode() + b"\n"
    prompt_length = spec.context - IDENTIFIER_LETTERS
    def_at = spec.context - spec.distance
    filler_a = _filler(stream, def_at - 2, rng)  # BOS and "\n" take the other two positions
    head = np.concatenate([[BOS], filler_a, _bytes_ids(b"\n"), _bytes_ids(definition)])
    filler_b = _filler(stream, prompt_length - head.size - len(CUE), rng)
    ids = np.concatenate([head, filler_b, _bytes_ids(CUE)]).astype(np.int64)
    if ids.size != prompt_length or int(ids[def_at]) != MARKER[0]:
        raise AssertionError("retrieval prompt layout is wrong")
    return {
        "promptIds": [int(t) for t in ids],
        "expectedIds": [int(t) for t in letters],
        "expectedText": letters.decode("ascii"),
        "definitionAt": def_at,
        "definition": definition.decode("ascii"),
    }


def make_retrieval_task(heldout_stream: np.ndarray, spec: RetrievalSpec) -> dict[str, object]:
    """The whole seeded task set, as the JSON object that is saved."""
    if spec.count < 1:
        raise ValueError(f"count must be >= 1, got {spec.count}")
    if not 64 <= spec.distance <= spec.context - 64:
        raise ValueError(f"distance must be in [64, context - 64], got {spec.distance}")
    rng = np.random.default_rng(spec.seed)
    prompts = [make_prompt(heldout_stream, spec, rng) for _ in range(spec.count)]
    return {
        "task": "continue an identifier defined once, `distance` tokens before the end of the context",
        "seed": spec.seed,
        "context": spec.context,
        "distance": spec.distance,
        "identifierLetters": IDENTIFIER_LETTERS,
        "marker": MARKER.decode("ascii"),
        "cue": CUE.decode("ascii"),
        "scoring": "greedy decoding of identifierLetters tokens after promptIds; exact match of all of them",
        "prompts": prompts,
    }


def main(argv: list[str]) -> int:
    """Write the task set for this interpreter's held-out corpus."""
    from corpus import build_corpus, token_stream

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_json", type=Path)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error(f"--count must be >= 1, got {args.count}")
    corpus = build_corpus(packages=())  # the split is by name, so packages do not change it
    stdlib_heldout = token_stream([d for d in corpus.heldout_docs if d.source == "python-stdlib"])
    task = make_retrieval_task(stdlib_heldout, RetrievalSpec(count=args.count, seed=args.seed))
    try:
        tmp = args.out_json.with_name(args.out_json.name + ".tmp")
        tmp.write_text(json.dumps(task))
        tmp.replace(args.out_json)
    except OSError as err:
        print(f"out_json: cannot write {args.out_json}: {err}", file=sys.stderr)
        return 2
    print(f"wrote {len(task['prompts'])} prompts to {args.out_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
