"""The training corpus: text that is already on the training machine and whose licence allows it.

Why this shape: no data set can be downloaded on the GPU machine, and anyone must be able to
rebuild the exact corpus from a Python installation. So the corpus is the CPython standard
library sources of the running interpreter (PSF licence) plus the Python sources of a few
installed packages whose installed metadata declares a permissive licence. Everything here is
numpy-only so it can be tested on a machine without torch.

Tokens are bytes (0..255) plus BOS (256) and EOS (257); every document is BOS + bytes + EOS.
The held-out split is by file: a file is held out when sha256(its relative name) mod 20 == 0,
so the split does not depend on the corpus' size, order or the training seed.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

BOS = 256
EOS = 257
VOCAB_SIZE = 258
MAX_FILE_BYTES = 256 * 1024
TEXT_SUFFIXES = (".py", ".pyi", ".rst", ".md")
HELDOUT_MODULUS = 20
SKIPPED_DIR_NAMES = frozenset({"__pycache__", "site-packages", "dist-packages", "lib-dynload"})
DEFAULT_PACKAGES = ("numpy", "torch", "transformers", "safetensors", "huggingface_hub")
# A licence string is accepted when it names one of these and no copyleft licence. Whole words
# only: "MIT" is inside "LIMITED" and "MPL" inside "COMPLIANCE".
PERMISSIVE_PATTERN = re.compile(r"\b(MIT|0?BSD|APACHE|PSF|ISC)\b|PYTHON SOFTWARE FOUNDATION")
COPYLEFT_PATTERN = re.compile(r"\b(AGPL|LGPL|GPL|MPL|EUPL|CDDL)|GENERAL PUBLIC LICEN|MOZILLA PUBLIC")


@dataclass(frozen=True)
class SourceFile:
    """One corpus document: its stable relative name (used for the split) and where it is."""

    name: str
    path: Path
    source: str  # "python-stdlib" or the distribution name


@dataclass
class Document:
    """A document's accepted bytes and its bookkeeping."""

    name: str
    source: str
    data: bytes
    sha256: str


@dataclass
class CorpusSources:
    """What went into the corpus and why other files did not."""

    documents: list[Document]
    licences: dict[str, dict[str, str]]
    rejected: dict[str, int] = field(default_factory=dict)


def is_heldout(name: str) -> bool:
    """Held out by file: a hash of the relative name, independent of everything else."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % HELDOUT_MODULUS == 0


def stdlib_files(stdlib_dir: Path) -> list[SourceFile]:
    """Text sources of the standard library, named relative to its directory (sorted walk)."""
    found: list[SourceFile] = []
    for root, dirs, files in os.walk(stdlib_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIR_NAMES)
        for file_name in sorted(files):
            if file_name.endswith(TEXT_SUFFIXES):
                path = Path(root) / file_name
                rel = path.relative_to(stdlib_dir).as_posix()
                found.append(SourceFile(f"python-stdlib/{rel}", path, "python-stdlib"))
    return found


def licence_of(dist: importlib.metadata.Distribution) -> dict[str, str]:
    """The licence fields the installed metadata declares (kept verbatim for the record)."""
    meta = dist.metadata
    classifiers = [c for c in (meta.get_all("Classifier") or []) if c.startswith("License")]
    licence = (meta.get("License") or "").strip()
    # Some packages paste the whole licence text into License; its first line names it.
    first_line = licence.splitlines()[0][:200] if licence else ""
    return {
        "licenseExpression": (meta.get("License-Expression") or "").strip(),
        "license": first_line,
        "classifiers": "; ".join(classifiers),
        "version": dist.version,
    }


def is_permissive(licence: dict[str, str]) -> bool:
    """True when the declared licence is permissive (and names no copyleft licence)."""
    text = " ".join(licence[k] for k in ("licenseExpression", "license", "classifiers")).upper()
    if COPYLEFT_PATTERN.search(text):
        return False
    return PERMISSIVE_PATTERN.search(text) is not None


def package_files(dist_name: str) -> tuple[list[SourceFile], dict[str, str] | None]:
    """Text sources a distribution installed (from its RECORD), or none if it is absent."""
    try:
        dist = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        return [], None
    found = []
    for entry in dist.files or []:
        rel = entry.as_posix()
        parts = rel.split("/")
        if not rel.endswith(TEXT_SUFFIXES) or "__pycache__" in parts or parts[0].endswith(".dist-info"):
            continue
        if rel.startswith("..") or os.path.isabs(rel):
            continue  # scripts installed outside site-packages
        found.append(SourceFile(f"site-packages/{rel}", Path(str(dist.locate_file(entry))), dist_name))
    return found, licence_of(dist)


def read_accepted(source: SourceFile) -> tuple[bytes | None, str]:
    """The file's bytes if it is usable text, else None and the reason (for the record)."""
    try:
        if source.path.is_symlink() or not source.path.is_file():
            return None, "not-a-regular-file"
        size = source.path.stat().st_size
        if size == 0:
            return None, "empty"
        if size > MAX_FILE_BYTES:
            return None, "larger-than-256KiB"
        data = source.path.read_bytes()
    except OSError:
        return None, "unreadable"
    if b"\x00" in data:
        return None, "binary"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not-utf8"
    return data, ""


def collect_sources(stdlib_dir: Path, packages: tuple[str, ...]) -> CorpusSources:
    """Every accepted document, sorted by name, exact duplicates dropped (first name kept).

    Duplicates are dropped because large packages vendor or generate identical files, and a
    copy in both splits would leak held-out text into training."""
    candidates = stdlib_files(stdlib_dir)
    licences = {"python-stdlib": {"licenseExpression": "PSF-2.0", "license": "Python Software Foundation License",
                                  "classifiers": "", "version": sys.version.split()[0]}}
    rejected: dict[str, int] = {}
    for name in packages:
        files, licence = package_files(name)
        if licence is None:
            rejected[f"package-absent:{name}"] = 1
            continue
        if not is_permissive(licence):
            rejected[f"package-licence-not-permissive:{name}"] = len(files)
            continue
        licences[name] = licence
        candidates.extend(files)
    candidates.sort(key=lambda s: s.name)
    documents: list[Document] = []
    seen_digests: set[str] = set()
    seen_names: set[str] = set()
    for source in candidates:
        if source.name in seen_names:
            continue
        seen_names.add(source.name)
        data, reason = read_accepted(source)
        if data is None:
            rejected[reason] = rejected.get(reason, 0) + 1
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen_digests:
            rejected["duplicate-content"] = rejected.get("duplicate-content", 0) + 1
            continue
        seen_digests.add(digest)
        documents.append(Document(source.name, source.source, data, digest))
    return CorpusSources(documents, licences, rejected)


def token_stream(documents: list[Document]) -> np.ndarray:
    """BOS + bytes + EOS per document, concatenated in the given order, as uint16 token ids."""
    total = sum(len(d.data) + 2 for d in documents)
    stream = np.empty(total, dtype=np.uint16)
    at = 0
    for doc in documents:
        stream[at] = BOS
        stream[at + 1: at + 1 + len(doc.data)] = np.frombuffer(doc.data, dtype=np.uint8)
        stream[at + 1 + len(doc.data)] = EOS
        at += len(doc.data) + 2
    return stream


def stream_hashes(documents: list[Document], stream: np.ndarray) -> dict[str, object]:
    """sha256 of the raw concatenated file bytes and of the token stream (uint16 little-endian)."""
    raw = hashlib.sha256()
    for doc in documents:
        raw.update(doc.data)
    return {
        "files": len(documents),
        "bytes": int(sum(len(d.data) for d in documents)),
        "tokens": int(stream.size),
        "bytesSha256": raw.hexdigest(),
        "tokensSha256": hashlib.sha256(stream.astype("<u2").tobytes()).hexdigest(),
    }


@dataclass
class Corpus:
    """The split corpus: documents and token streams of both parts, with their record."""

    train_docs: list[Document]
    heldout_docs: list[Document]
    train_tokens: np.ndarray
    heldout_tokens: np.ndarray
    licences: dict[str, dict[str, str]]
    rejected: dict[str, int]

    def summary(self) -> dict[str, object]:
        """The recipe and hashes, small enough for training.json."""
        return {
            "recipe": (f"{TEXT_SUFFIXES} files of the interpreter's standard library and of the listed packages; "
                       f"UTF-8, no NUL, 1..{MAX_FILE_BYTES} bytes, exact duplicates dropped; sorted by name; "
                       f"document = BOS(256) + bytes + EOS(257); held out iff "
                       f"sha256(name) first 8 bytes big-endian mod {HELDOUT_MODULUS} == 0"),
            "python": sys.version.split()[0],
            "stdlib": sysconfig.get_paths()["stdlib"],
            "licences": self.licences,
            "rejected": self.rejected,
            "train": stream_hashes(self.train_docs, self.train_tokens),
            "heldout": stream_hashes(self.heldout_docs, self.heldout_tokens),
        }

    def manifest(self) -> dict[str, object]:
        """The full file lists (name, source, size, sha256) and the hashes."""
        def listing(docs: list[Document]) -> list[dict[str, object]]:
            return [{"name": d.name, "source": d.source, "bytes": len(d.data), "sha256": d.sha256} for d in docs]
        return {**self.summary(), "trainFiles": listing(self.train_docs), "heldoutFiles": listing(self.heldout_docs)}


def build_corpus(stdlib_dir: Path | None = None, packages: tuple[str, ...] = DEFAULT_PACKAGES) -> Corpus:
    """Collect, split by file and tokenise the corpus of this interpreter."""
    root = Path(stdlib_dir or sysconfig.get_paths()["stdlib"])
    sources = collect_sources(root, packages)
    train = [d for d in sources.documents if not is_heldout(d.name)]
    heldout = [d for d in sources.documents if is_heldout(d.name)]
    if not train or not heldout:
        raise ValueError(f"corpus under {root} has {len(train)} training and {len(heldout)} held-out files")
    return Corpus(train, heldout, token_stream(train), token_stream(heldout), sources.licences, sources.rejected)
