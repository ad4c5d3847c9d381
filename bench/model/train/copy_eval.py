"""Teacher-forced copy accuracy: does the model predict a random name it saw far back?

Why: the retrieval task (retrieval_task.py) is one format at one distance and scores 0 or 1 per
prompt; this measure says whether copying far back works at all, and how it falls with distance,
in the format the model was trained on. The held-out sample windows (never trained on) are
mixed by copy_mix.py with every window mixed and a fixed seed; for every recall of a definition,
the bytes of the recalled name after its first NAME_SKIP bytes are scored: argmax of the model's
next-token distribution given the true prefix. The first bytes are skipped because they pick
which of the window's few names is recalled; the rest can only be predicted by copying (the
names are random letters: without copying, a byte is right about 1 time in 26 or less).
"""
from __future__ import annotations

import numpy as np
import torch

from copy_mix import CopyEvent, CopyMixer, CopyMixSpec

COPY_EVAL_SEED = 11
NAME_SKIP = 2
DISTANCE_BANDS = ((0, 1000), (1000, 2000), (2000, 4096))


def mixed_windows(windows: np.ndarray, seed: int = COPY_EVAL_SEED) -> tuple[np.ndarray, list[list[CopyEvent]]]:
    """Every window mixed (fixed seed), and its recalls."""
    mixer = CopyMixer(CopyMixSpec(fraction=1.0), seed)
    results = [mixer.mix(window) for window in windows]
    return np.stack([r.window for r in results]), [r.events for r in results]


def _band(distance: int) -> str:
    for low, high in DISTANCE_BANDS:
        if low <= distance < high:
            return f"{low}-{high}"
    return f">={DISTANCE_BANDS[-1][1]}"


def _tally(predicted: np.ndarray, row: np.ndarray, events: list[CopyEvent], counts: dict[str, list[int]]) -> None:
    """Add each definition recall's scored name bytes to counts[band] = [bytes, right, names, names right]."""
    for event in events:
        span = event.name_span()
        if span is None or span[1] - span[0] <= NAME_SKIP:
            continue
        start, stop = span[0] + NAME_SKIP, span[1]
        right = predicted[start - 1: stop - 1] == row[start:stop]  # logits at p - 1 predict token p
        for key in (_band(event.recall_at - event.source_at), "all"):
            tally = counts.setdefault(key, [0, 0, 0, 0])
            tally[0] += right.size
            tally[1] += int(right.sum())
            tally[2] += 1
            tally[3] += int(right.all())


@torch.no_grad()
def copy_recall_accuracy(model: torch.nn.Module, windows: np.ndarray, batch: int, device: str) -> dict[str, object]:
    """Per distance band: scored name bytes and their accuracy, recalled names and the exact-name rate."""
    model.eval()
    mixed, events = mixed_windows(windows)
    counts: dict[str, list[int]] = {}
    for start in range(0, mixed.shape[0], batch):
        chunk = torch.from_numpy(mixed[start: start + batch]).to(device)
        predicted = model(input_ids=chunk[:, :-1], use_cache=False).logits.argmax(dim=-1).cpu().numpy()
        for i, row_events in enumerate(events[start: start + batch]):
            _tally(predicted[i], mixed[start + i], row_events, counts)
    return {
        "scoring": f"teacher-forced argmax on recalled name bytes after the first {NAME_SKIP}",
        "windows": int(mixed.shape[0]),
        "seed": COPY_EVAL_SEED,
        "byDistance": {key: {"bytes": b, "byteAccuracy": r / b if b else None, "names": n,
                             "exactNames": e / n if n else None}
                       for key, (b, r, n, e) in sorted(counts.items())},
    }
