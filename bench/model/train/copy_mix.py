"""Long-range copying mixed into training windows, so a small model grows copy/induction heads.

Why: seven minutes of plain source code did not teach the 12 M model to retrieve an identifier
defined 3000 tokens back (retrieval_task.py). Natural code repeats names mostly within a few
hundred bytes, so long-range copying is rarely rewarded. In a fraction of the training windows
this module inserts, near the window start, a few random definitions, and repeats them (or a
natural line of the window itself) 1000 to 3500 tokens later, where predicting the repeat needs
attention that far back.

What is inserted into one mixed window (all of it seeded, numpy only):
- 2 to 5 definition lines in the first quarter of the window, in one of four forms
  (`<name> = <value>`, `self.<name> = <value>`, `<name>: int = <value>`, `'<name>': <value>,`),
  with names in six styles built from random prefixes and random letter bodies of varied
  lengths and cases (`ab_xyzw`, `__xyzwv`, `AB_XYZ`, `abXyz`, `xyzw12`, `_ab_xyzw`), and values
  that are integers, hex numbers, floats or quoted random strings;
- 0 to 2 natural lines of the window itself (from its first quarter) chosen as sources too;
- each source is recalled once or twice at a distance drawn from [min_distance, max_distance]
  (a share near_share of recalls is drawn from [near_min_distance, min_distance) instead: short
  copies are the easy first step towards induction heads); a recall is the whole line again or,
  for a definition, a use of its name such as `print(<name>)`, `return <name>`,
  `assert <name> == <value>`.
Insertions go right after a newline of the surrounding text (or start with one), so they are
whole lines, and the window keeps its length (the natural text at the end is pushed out).

Never the evaluation's template: retrieval_task.py's identifiers start `_zqx_`; no inserted text
contains `zqx` in any case, and `mix` asserts that the mixed window does not contain `_zqx_`.
The held-out files never reach the mixer: it only sees windows of the training stream.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np

NEWLINE = 10
BYTE_TOKENS = 256
EVAL_MARKER = b"_zqx_"
FORBIDDEN_IN_INSERTS = b"zqx"
LOWER = b"abcdefghijklmnopqrstuvwxyz"
UPPER = LOWER.upper()
DIGITS = b"0123456789"
HEX = b"0123456789abcdef"
SNAP_SLACK = 96  # how far to look for a newline to insert after
MIN_LINE_BYTES = 12
MAX_LINE_BYTES = 100


@dataclass(frozen=True)
class CopyMixSpec:
    """What the mixer inserts and how far apart (recorded verbatim in training.json)."""

    fraction: float = 0.0
    min_definitions: int = 2
    max_definitions: int = 5
    max_line_sources: int = 2
    max_recalls_per_source: int = 2
    min_distance: int = 1000
    max_distance: int = 3500
    near_share: float = 0.15
    near_min_distance: int = 64
    source_region: float = 0.25  # sources are placed in this leading fraction of the window

    def check(self) -> None:
        """Raise ValueError naming the field that is out of range."""
        rules = [
            ("fraction", 0.0 <= self.fraction <= 1.0),
            ("min_definitions", 0 <= self.min_definitions <= self.max_definitions),
            ("max_line_sources", self.max_line_sources >= 0),
            ("max_recalls_per_source", self.max_recalls_per_source >= 1),
            ("min_distance", 1 <= self.min_distance <= self.max_distance),
            ("near_share", 0.0 <= self.near_share <= 1.0),
            ("near_min_distance", 1 <= self.near_min_distance < self.min_distance),
            ("source_region", 0.0 < self.source_region < 1.0),
        ]
        for name, ok in rules:
            if not ok:
                raise ValueError(f"copy mix {name} out of range: {asdict(self)}")


@dataclass
class CopyEvent:
    """One recall placed in a mixed window: where its source and the copy start."""

    kind: str  # "line-of-definition", "name-of-definition" or "natural-line"
    source_at: int
    recall_at: int
    payload: bytes
    name: bytes | None  # the random name a definition recall repeats; None for a natural line

    def name_span(self) -> tuple[int, int] | None:
        """Window positions [start, stop) of the recalled name's bytes, or None for a natural line."""
        if self.name is None:
            return None
        # The whole identifier, not a piece of another word (`resu` inside `result`).
        match = re.search(rb"(?<![A-Za-z0-9_])" + re.escape(self.name) + rb"(?![A-Za-z0-9_])", self.payload)
        if match is None:
            raise AssertionError(f"recall {self.payload!r} does not contain its name {self.name!r}")
        return self.recall_at + match.start(), self.recall_at + match.end()


@dataclass
class MixStats:
    """Counts over all windows seen, for training.json."""

    windows: int = 0
    mixed: int = 0
    recalls: Counter = field(default_factory=Counter)
    distances: list[int] = field(default_factory=list)

    def record(self) -> dict[str, object]:
        d = np.asarray(self.distances, dtype=np.int64)
        quantiles = {f"p{q}": int(np.percentile(d, q)) for q in (0, 10, 50, 90, 100)} if d.size else {}
        return {"windows": self.windows, "mixedWindows": self.mixed, "recallsByKind": dict(self.recalls),
                "recallDistance": quantiles}


def _letters(rng: np.random.Generator, alphabet: bytes, low: int, high: int) -> bytes:
    """Random letters from alphabet, length uniform in [low, high]."""
    n = int(rng.integers(low, high + 1))
    return bytes(alphabet[i] for i in rng.integers(0, len(alphabet), n))


def random_name(rng: np.random.Generator) -> bytes:
    """An identifier of a varied style: prefix (often empty) + random body, never containing zqx."""
    while True:
        style = int(rng.integers(0, 6))
        if style == 0:  # snake case with a short random prefix
            name = _letters(rng, LOWER, 1, 4) + b"_" + _letters(rng, LOWER, 3, 10)
        elif style == 1:  # private name
            name = b"_" * int(rng.integers(1, 3)) + _letters(rng, LOWER, 4, 12)
        elif style == 5:  # private name with a short random prefix (never zqx, checked below)
            name = b"_" + _letters(rng, LOWER, 2, 4) + b"_" + _letters(rng, LOWER, 3, 10)
        elif style == 2:  # constant
            name = _letters(rng, UPPER, 2, 5) + b"_" + _letters(rng, UPPER, 3, 8)
        elif style == 3:  # camel case
            name = _letters(rng, LOWER, 2, 6) + _letters(rng, UPPER, 1, 1) + _letters(rng, LOWER, 2, 8)
        else:  # plain word with digits
            name = _letters(rng, LOWER, 4, 10) + _letters(rng, DIGITS, 0, 2)
        if FORBIDDEN_IN_INSERTS not in name.lower():
            return name


def random_value(rng: np.random.Generator) -> bytes:
    """A literal of a varied kind and length."""
    kind = int(rng.integers(0, 4))
    if kind == 0:
        return str(int(rng.integers(0, 10 ** int(rng.integers(1, 10))))).encode()
    if kind == 1:
        return b"0x" + _letters(rng, HEX, 2, 8)
    if kind == 2:
        return f"{float(rng.random() * 10 ** int(rng.integers(0, 4))):.{int(rng.integers(1, 5))}f}".encode()
    quote = b"'" if rng.random() < 0.5 else b'"'
    return quote + _letters(rng, LOWER + UPPER + DIGITS, 3, 14) + quote


def definition_forms(name: bytes, value: bytes, rng: np.random.Generator) -> tuple[bytes, bytes]:
    """(definition line, name-use recall line) in one of a few Python surface forms."""
    form = int(rng.integers(0, 4))
    if form == 0:
        line = name + b" = " + value
    elif form == 1:
        line = b"self." + name + b" = " + value
    elif form == 2:
        line = name + b": " + (b"int" if value[:1].isdigit() else b"str") + b" = " + value
    else:
        line = b"    " + b"'" + name + b"': " + value + b","
    uses = [b"print(" + name + b")", b"return " + name, b"result = " + name, b"assert " + name + b" == " + value,
            b"log(" + name + b", " + value + b")", name + b" += 1"]
    return line + b"\n", uses[int(rng.integers(0, len(uses)))] + b"\n"


def _as_bytes(tokens: np.ndarray) -> bytes:
    """Token ids as bytes, BOS/EOS as NUL (they then match no text pattern)."""
    return np.where(tokens < BYTE_TOKENS, tokens, 0).astype(np.uint8).tobytes()


def natural_lines(window: np.ndarray, end: int) -> list[tuple[int, int]]:
    """(start, stop) of lines wholly in window[:end] of MIN..MAX bytes, with non-space text and no BOS/EOS."""
    text = _as_bytes(window[:end])
    lines = []
    start = text.find(b"\n") + 1  # the first, possibly partial, line is skipped
    while 0 < start < len(text):
        stop = text.find(b"\n", start)
        if stop < 0:
            break
        line = text[start:stop + 1]
        if MIN_LINE_BYTES <= len(line) <= MAX_LINE_BYTES and b"\x00" not in line and len(line.strip()) >= 8:
            lines.append((start, stop + 1))
        start = stop + 1
    return lines


def insertion_point(window: np.ndarray, at: int) -> tuple[int, bool]:
    """(position, needs a leading newline): just after the first newline in [at-1, at-1+slack)."""
    lo = max(0, at - 1)
    newlines = np.flatnonzero(window[lo: lo + SNAP_SLACK] == NEWLINE)
    if newlines.size:
        return lo + int(newlines[0]) + 1, False
    return at, True


@dataclass
class MixResult:
    """A mixed window, its recalls, and which of its tokens were inserted."""

    window: np.ndarray
    events: list[CopyEvent]
    inserted: np.ndarray  # bool, same length as window


class _Splice:
    """A window being spliced: its tokens and a mask of the inserted ones."""

    def __init__(self, out: np.ndarray, inserted: np.ndarray) -> None:
        self.out = out
        self.inserted = inserted

    def fits(self, target: int, payload: bytes, length: int) -> bool:
        """Whether payload inserted at target (after snapping) still ends inside the window."""
        at, pad = insertion_point(self.out, target)
        return at + len(payload) + (1 if pad else 0) <= length

    def insert(self, target: int, payload: bytes, trackers: list[list[list[object]]]) -> int:
        """Insert payload as a whole line near target; shift tracked positions; return where it starts."""
        if EVAL_MARKER in payload:
            raise AssertionError("an inserted line contains the evaluation marker _zqx_")
        at, pad = insertion_point(self.out, target)
        data = (b"\n" if pad else b"") + payload
        ids = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
        self.out = np.concatenate([self.out[:at], ids, self.out[at:]])
        self.inserted = np.concatenate([self.inserted[:at], np.ones(ids.size, dtype=bool), self.inserted[at:]])
        for tracked in trackers:
            for item in tracked:
                item[0] += ids.size if item[0] >= at else 0
        return at + (1 if pad else 0)


class CopyMixer:
    """Mixes long-range copies into a fraction of windows; its own seeded generator."""

    def __init__(self, spec: CopyMixSpec, seed: int) -> None:
        spec.check()
        self.spec = spec
        self.rng = np.random.default_rng(np.random.SeedSequence([seed, 0xC0B1]))
        self.stats = MixStats()

    def maybe_mix(self, window: np.ndarray) -> np.ndarray:
        """The window, mixed with probability spec.fraction (same length and dtype)."""
        self.stats.windows += 1
        if self.spec.fraction <= 0 or self.rng.random() >= self.spec.fraction:
            return window
        result = self.mix(window)
        self.stats.mixed += 1
        for event in result.events:
            self.stats.recalls[event.kind] += 1
            self.stats.distances.append(event.recall_at - event.source_at)
        return result.window

    def _distance(self, room: int) -> int | None:
        """A recall distance that fits in `room` tokens after the source, or None."""
        s = self.spec
        near = self.rng.random() < s.near_share
        low, high = (s.near_min_distance, s.min_distance - 1) if near else (s.min_distance, s.max_distance)
        high = min(high, room)
        return int(self.rng.integers(low, high + 1)) if high >= low else None

    def mix(self, window: np.ndarray) -> MixResult:
        """Insert definitions near the start and recalls later; the window keeps its length."""
        length = window.size
        state = _Splice(window.astype(np.int64), np.zeros(window.size, dtype=bool))
        region = int(length * self.spec.source_region)
        sources: list[list[object]] = []  # [position, kind, whole line, name-use line, name]
        for _ in range(int(self.rng.integers(self.spec.min_definitions, self.spec.max_definitions + 1))):
            name = random_name(self.rng)
            line, use = definition_forms(name, random_value(self.rng), self.rng)
            at = state.insert(int(self.rng.integers(1, max(2, region))), line, [sources])
            sources.append([at, "definition", line, use, name])
        defined_at = {int(src[0]) for src in sources}
        lines = [span for span in natural_lines(state.out, region) if span[0] not in defined_at]
        picks = self.rng.permutation(len(lines))[: int(self.rng.integers(0, self.spec.max_line_sources + 1))]
        for i in picks:
            start, stop = lines[int(i)]
            sources.append([start, "natural-line", _as_bytes(state.out[start:stop]), None, None])
        pending = self._plan_recalls(sources, length)
        placed: list[list[object]] = []  # [recall position, source, kind, payload], shifted like the rest
        while pending:
            pending.sort(key=lambda p: p[0])
            target, src, kind, payload = pending.pop(0)
            if state.fits(target, payload, length):
                at = state.insert(target, payload, [sources, pending, placed])
                placed.append([at, src, kind, payload])
        events = [CopyEvent(kind, int(src[0]), int(at), payload, src[4]) for at, src, kind, payload in placed]
        out = state.out[:length].astype(window.dtype)
        if EVAL_MARKER in _as_bytes(out):
            raise AssertionError("a mixed training window contains the evaluation marker _zqx_")
        return MixResult(out, events, state.inserted[:length])

    def _plan_recalls(self, sources: list[list[object]], length: int) -> list[list[object]]:
        """[target, source, kind, payload] for each recall that fits before the end of the window."""
        pending = []
        for src in sources:
            position, kind, line, use, _ = src
            for _ in range(int(self.rng.integers(1, self.spec.max_recalls_per_source + 1))):
                distance = self._distance(length - 2 * MAX_LINE_BYTES - int(position))
                if distance is None:
                    continue
                if kind == "definition" and self.rng.random() < 0.5:
                    pending.append([int(position) + distance, src, "name-of-definition", use])
                else:
                    recall_kind = "line-of-definition" if kind == "definition" else "natural-line"
                    pending.append([int(position) + distance, src, recall_kind, line])
        return pending
