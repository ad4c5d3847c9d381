"""The fixed held-out evaluation sample: which held-out files, in which order, cut into which windows.

Why a fixed sample: bits per byte must be recomputable later by the project's own engine on the
CPU machine, which has neither torch nor this corpus. So the sample is a small set of held-out
files chosen by a fixed seed (independent of the training seed, so runs with different seeds are
evaluated on the same text), stored in a deterministic tar.gz together with sample.json, which
says how to rebuild the evaluation windows from it.

Windows: the sample's documents form a token stream (BOS + bytes + EOS each, in sample order);
window i is stream[i*C : (i+1)*C + 1]; the model reads its first C tokens and predicts the
last C. Bits per byte is the mean of -log2 p(target) over the targets that are bytes (< 256).
"""
from __future__ import annotations

import gzip
import io
import json
import tarfile
from dataclasses import dataclass

import numpy as np

from corpus import Document, token_stream

SAMPLE_SEED = 20261206
SAMPLE_MAX_FILE_BYTES = 48 * 1024  # many small files rather than a few large ones: more variety
SAMPLE_JSON = "sample.json"
STDLIB_PREFIX = "python-stdlib/"


@dataclass
class HeldoutSample:
    """The chosen documents (in evaluation order) and the window geometry."""

    documents: list[Document]
    windows: int
    context: int

    def stream(self) -> np.ndarray:
        """The sample's token stream, exactly as the windows are cut from it."""
        return token_stream(self.documents)

    def window_tokens(self) -> np.ndarray:
        """[windows, context + 1] token ids: inputs are [:, :-1], targets [:, 1:]."""
        stream = self.stream()
        need = self.windows * self.context + 1
        if stream.size < need:
            raise ValueError(f"held-out sample has {stream.size} tokens, {need} needed")
        rows = [stream[i * self.context: (i + 1) * self.context + 1] for i in range(self.windows)]
        return np.stack(rows).astype(np.int64)

    def description(self) -> dict[str, object]:
        """sample.json: enough to rebuild the windows from the files in the archive."""
        return {
            "seed": SAMPLE_SEED,
            "windows": self.windows,
            "context": self.context,
            "tokens": {"bos": 256, "eos": 257, "bytes": "0..255"},
            "rule": ("stream = concatenation over files (in this order) of BOS + file bytes + EOS; "
                     "window i = stream[i*context : (i+1)*context + 1]; inputs window[:-1], targets window[1:]; "
                     "bits per byte = mean of -log2 p(target) over targets < 256"),
            "files": [{"name": d.name, "bytes": len(d.data), "sha256": d.sha256} for d in self.documents],
        }


def choose_sample(heldout: list[Document], windows: int, context: int,
                  name_prefix: str = STDLIB_PREFIX) -> HeldoutSample:
    """Held-out files in a seeded order, small ones only, until the windows are covered.

    Only standard-library files by default: the archive is committed, and one licence (PSF)
    then covers all of it; the standard library also has fewer near-copies of its files than
    the large packages, so the held-out number is less flattered by training-set look-alikes."""
    need = windows * context + 1
    eligible = [d for d in heldout if d.name.startswith(name_prefix) and len(d.data) <= SAMPLE_MAX_FILE_BYTES]
    order = np.random.default_rng(SAMPLE_SEED).permutation(len(eligible))
    chosen: list[Document] = []
    tokens = 0
    for index in order:
        doc = eligible[int(index)]
        chosen.append(doc)
        tokens += len(doc.data) + 2
        if tokens >= need:
            return HeldoutSample(chosen, windows, context)
    raise ValueError(f"held-out {name_prefix} files give only {tokens} tokens of small files, {need} needed")


def _add_member(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    """A tar member with fixed metadata, so the archive's bytes depend only on the content."""
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    archive.addfile(info, io.BytesIO(data))


def sample_archive(sample: HeldoutSample) -> bytes:
    """Deterministic tar.gz of sample.json and the sample's files under their corpus names."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        description = json.dumps(sample.description(), indent=1).encode("utf-8")
        _add_member(archive, SAMPLE_JSON, description)
        for doc in sample.documents:
            _add_member(archive, doc.name, doc.data)
    packed = io.BytesIO()
    with gzip.GzipFile(fileobj=packed, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def read_sample_archive(data: bytes) -> HeldoutSample:
    """Rebuild the sample from its archive (checks each file against its recorded sha256)."""
    import hashlib

    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        members = {m.name: m for m in archive.getmembers()}
        description = json.loads(archive.extractfile(members[SAMPLE_JSON]).read())  # type: ignore[union-attr]
        documents = []
        for entry in description["files"]:
            content = archive.extractfile(members[entry["name"]]).read()  # type: ignore[union-attr]
            digest = hashlib.sha256(content).hexdigest()
            if digest != entry["sha256"]:
                raise ValueError(f"sample file {entry['name']} has sha256 {digest}, recorded {entry['sha256']}")
            documents.append(Document(entry["name"], "heldout-sample", content, digest))
    return HeldoutSample(documents, int(description["windows"]), int(description["context"]))
