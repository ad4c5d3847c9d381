"""Tests of the teacher-forced copy accuracy (needs torch; skipped without it).
Run with: python3 -m pytest bench/model/train"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from copy_eval import NAME_SKIP, copy_recall_accuracy, mixed_windows  # noqa: E402
from test_copy_mix import code_window  # noqa: E402


class NextTokenModel(torch.nn.Module):
    """Predicts, for each row it knows, the true next token (an oracle), else always `fallback`."""

    def __init__(self, rows: np.ndarray, fallback: int | None) -> None:
        super().__init__()
        self.next_of = {r[:-1].tobytes(): r[1:] for r in rows.astype(np.int64)}
        self.fallback = fallback

    def forward(self, input_ids: torch.Tensor, use_cache: bool = False) -> SimpleNamespace:
        logits = torch.zeros(*input_ids.shape, 258)
        for i, row in enumerate(input_ids.numpy().astype(np.int64)):
            if self.fallback is None:
                logits[i, torch.arange(row.size), torch.from_numpy(self.next_of[row.tobytes()])] = 1.0
            else:
                logits[i, :, self.fallback] = 1.0
        return SimpleNamespace(logits=logits)


def windows() -> np.ndarray:
    return np.stack([code_window(offset=o) for o in range(0, 24000, 4000)])


def test_an_oracle_copies_every_name_and_a_constant_model_none() -> None:
    base = windows()
    mixed, events = mixed_windows(base)
    oracle = copy_recall_accuracy(NextTokenModel(mixed, None), base, batch=4, device="cpu")
    scored = oracle["byDistance"]["all"]
    expected_names = sum(1 for evs in events for e in evs if e.name is not None and len(e.name) > NAME_SKIP)
    assert scored["names"] == expected_names > 10
    assert scored["byteAccuracy"] == 1.0 and scored["exactNames"] == 1.0
    assert set(oracle["byDistance"]) >= {"all", "1000-2000", "2000-4096"}
    blank = copy_recall_accuracy(NextTokenModel(mixed, ord("#")), base, batch=4, device="cpu")
    assert blank["byDistance"]["all"]["byteAccuracy"] == 0.0 and blank["byDistance"]["all"]["exactNames"] == 0.0
