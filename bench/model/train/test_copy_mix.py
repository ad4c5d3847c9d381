"""Tests of the copy-data mixer (numpy only). Run with: python3 -m pytest bench/model/train"""
from __future__ import annotations

import json
import sysconfig
from pathlib import Path

import numpy as np
import pytest

from copy_mix import (EVAL_MARKER, SNAP_SLACK, CopyEvent, CopyMixer, CopyMixSpec, definition_forms, natural_lines,
                      random_name, random_value)
from corpus import BOS, EOS

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def code_window(length: int = 4097, offset: int = 0) -> np.ndarray:
    """A window of real Python source (two standard-library modules), wrapped like the corpus stream."""
    text = (STDLIB / "argparse.py").read_bytes() + (STDLIB / "difflib.py").read_bytes()
    ids = np.concatenate([[BOS], np.frombuffer(text, dtype=np.uint8), [EOS]]).astype(np.int64)
    assert ids.size >= offset + length
    return ids[offset: offset + length]


def as_bytes(tokens: np.ndarray) -> bytes:
    return bytes(int(t) for t in tokens if t < 256)


def test_mixed_window_keeps_length_and_natural_text_order() -> None:
    window = code_window()
    mixer = CopyMixer(CopyMixSpec(fraction=1.0), seed=3)
    for offset in range(0, 40000, 4000):
        window = code_window(offset=offset)
        result = mixer.mix(window)
        assert result.window.shape == window.shape and result.window.dtype == window.dtype
        assert result.inserted.shape == window.shape
        natural = result.window[~result.inserted]
        assert 0 < result.inserted.sum() < 1200
        assert np.array_equal(natural, window[: natural.size])  # only insertions; the tail is pushed out


def test_recalls_copy_their_source_far_back_as_whole_lines() -> None:
    spec = CopyMixSpec(fraction=1.0, near_share=0.0)
    mixer = CopyMixer(spec, seed=5)
    seen = 0
    for offset in range(0, 40000, 2000):
        result = mixer.mix(code_window(offset=offset))
        out = result.window
        total_inserted = int(result.inserted.sum())
        for event in result.events:
            n = len(event.payload)
            assert as_bytes(out[event.recall_at: event.recall_at + n]) == event.payload
            assert out[event.recall_at - 1] == ord("\n") and event.payload.endswith(b"\n")
            source_line = as_bytes(out[event.source_at: event.source_at + 200]).split(b"\n")[0] + b"\n"
            if event.kind == "name-of-definition":
                name = source_line.split(b"=")[0].split(b":")[0].strip().strip(b"'").removeprefix(b"self.")
                assert name == event.name and name in event.payload
            else:
                assert source_line == event.payload
            span = event.name_span()
            assert (span is None) == (event.kind == "natural-line")
            if span is not None:
                assert as_bytes(out[span[0]: span[1]]) == event.name and event.name in source_line
            distance = event.recall_at - event.source_at
            assert spec.min_distance <= distance <= spec.max_distance + SNAP_SLACK + total_inserted
            seen += 1
    assert seen >= 60


def test_near_share_gives_some_short_copies() -> None:
    mixer = CopyMixer(CopyMixSpec(fraction=1.0, near_share=0.5), seed=2)
    distances = [e.recall_at - e.source_at for off in range(0, 40000, 2000)
                 for e in mixer.mix(code_window(offset=off)).events]
    assert min(distances) < 1000 <= max(distances)
    assert min(distances) >= 64


def test_mixer_is_deterministic_and_fraction_is_respected() -> None:
    window = code_window()
    a = CopyMixer(CopyMixSpec(fraction=0.3), seed=9)
    b = CopyMixer(CopyMixSpec(fraction=0.3), seed=9)
    outs_a = [a.maybe_mix(window) for _ in range(2000)]
    outs_b = [b.maybe_mix(window) for _ in range(2000)]
    assert all(np.array_equal(x, y) for x, y in zip(outs_a, outs_b))
    mixed = sum(not np.array_equal(x, window) for x in outs_a)
    assert a.stats.mixed == mixed
    assert abs(mixed - 600) < 6 * (2000 * 0.3 * 0.7) ** 0.5  # binomial, 6 standard deviations
    record = a.stats.record()
    json.dumps(record)
    assert record["windows"] == 2000 and record["mixedWindows"] == mixed
    assert set(record["recallsByKind"]) == {"line-of-definition", "name-of-definition", "natural-line"}


def test_fraction_zero_leaves_windows_alone() -> None:
    window = code_window()
    mixer = CopyMixer(CopyMixSpec(fraction=0.0), seed=1)
    assert all(mixer.maybe_mix(window) is window for _ in range(100))
    assert mixer.stats.mixed == 0


def test_evaluation_marker_never_inserted() -> None:
    rng = np.random.default_rng(0)
    names = [random_name(rng) for _ in range(20000)]
    assert not any(b"zqx" in n.lower() for n in names)
    lines = [b"".join(definition_forms(n, random_value(rng), rng)) for n in names[:2000]]
    assert not any(EVAL_MARKER in line for line in lines)
    mixer = CopyMixer(CopyMixSpec(fraction=1.0), seed=4)
    for offset in range(0, 40000, 1000):
        assert EVAL_MARKER not in as_bytes(mixer.mix(code_window(offset=offset)).window)


def test_window_with_the_marker_is_refused() -> None:
    window = code_window().copy()
    window[2000:2005] = np.frombuffer(EVAL_MARKER, dtype=np.uint8)
    with pytest.raises(AssertionError, match="_zqx_"):
        CopyMixer(CopyMixSpec(fraction=1.0), seed=1).mix(window)


def test_surface_forms_vary() -> None:
    rng = np.random.default_rng(1)
    names = [random_name(rng) for _ in range(2000)]
    assert len(set(names)) > 1900
    assert len({len(n) for n in names}) >= 10
    assert any(n.startswith(b"_") for n in names) and any(n.isupper() for n in names)
    assert any(n[:1].islower() and b"_" not in n for n in names)
    assert any(n.startswith(b"_") and n.count(b"_") == 2 and n[1:2] != b"_" for n in names)
    values = [random_value(rng) for _ in range(2000)]
    assert any(v.startswith(b"0x") for v in values) and any(v[:1] in b"'\"" for v in values)
    assert any(b"." in v for v in values) and any(v.isdigit() for v in values)
    uses = {definition_forms(b"name", b"1", rng)[1].split(b"name")[0] for _ in range(500)}
    assert b"print(" in uses and len(uses) >= 5


def test_name_span_is_the_whole_identifier() -> None:
    event = CopyEvent("name-of-definition", 10, 2000, b"result = resu\n", b"resu")
    assert event.name_span() == (2009, 2013)
    assert CopyEvent("natural-line", 10, 2000, b"x = 1\n", None).name_span() is None


def test_natural_lines_are_whole_and_bounded() -> None:
    window = code_window()
    text = as_bytes(window[1:])
    for start, stop in natural_lines(window, 2000):
        line = as_bytes(window[start:stop])
        assert line.endswith(b"\n") and b"\n" not in line[:-1]
        assert 12 <= len(line) <= 100 and window[start - 1] == ord("\n") and line in text


def test_bad_spec_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="fraction"):
        CopyMixer(CopyMixSpec(fraction=1.5), seed=0)
    with pytest.raises(ValueError, match="min_distance"):
        CopyMixSpec(min_distance=4000, max_distance=3500).check()
    with pytest.raises(ValueError, match="near_min_distance"):
        CopyMixSpec(near_min_distance=2000).check()
