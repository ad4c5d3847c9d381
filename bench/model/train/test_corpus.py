"""Tests of the torch-free parts: corpus filtering, split, token streams, sample archive, retrieval
task, model size. Run with: python3 -m pytest bench/model/train (numpy and pytest only)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from corpus import BOS, EOS, Document, collect_sources, is_heldout, is_permissive, token_stream
from heldout_sample import choose_sample, read_sample_archive, sample_archive
from model_spec import (MAX_CHECKPOINT_BYTES, SHAPES, SMALL_MAX_CHECKPOINT_BYTES, SMOKE_SPEC, ModelSpec,
                        llama_config_kwargs, parameter_count)
from retrieval_task import CUE, IDENTIFIER_LETTERS, MARKER, RetrievalSpec, make_retrieval_task


def doc(name: str, data: bytes) -> Document:
    return Document(name, "test", data, hashlib.sha256(data).hexdigest())


def write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_collect_keeps_utf8_text_and_rejects_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "b.py", b"print('b')\n")
    write(tmp_path, "a.py", "s = 'caf\u00e9'\n".encode())
    write(tmp_path, "copy_of_b.py", b"print('b')\n")  # same content: dropped, first name kept
    write(tmp_path, "latin1.py", b"s = 'caf\xe9'\n")
    write(tmp_path, "blob.py", b"x\x00y")
    write(tmp_path, "big.py", b"#" * (256 * 1024 + 1))
    write(tmp_path, "empty.py", b"")
    write(tmp_path, "data.bin", b"abc")
    write(tmp_path, "__pycache__/c.py", b"print('c')\n")
    write(tmp_path, "site-packages/d.py", b"print('d')\n")
    sources = collect_sources(tmp_path, packages=())
    names = [d.name for d in sources.documents]
    assert names == ["python-stdlib/a.py", "python-stdlib/b.py"]
    assert sources.rejected == {"duplicate-content": 1, "not-utf8": 1, "binary": 1,
                                "larger-than-256KiB": 1, "empty": 1}


def test_missing_package_is_recorded_not_fatal(tmp_path: Path) -> None:
    write(tmp_path, "a.py", b"x = 1\n")
    sources = collect_sources(tmp_path, packages=("no-such-distribution-xyz",))
    assert sources.rejected["package-absent:no-such-distribution-xyz"] == 1


def test_licence_filter() -> None:
    def lic(expression: str = "", text: str = "", classifiers: str = "") -> dict[str, str]:
        return {"licenseExpression": expression, "license": text, "classifiers": classifiers, "version": "1"}
    assert is_permissive(lic("BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0"))
    assert is_permissive(lic(text="Apache 2.0 License"))
    assert is_permissive(lic(classifiers="License :: OSI Approved :: BSD License"))
    assert not is_permissive(lic("GPL-3.0-or-later"))
    assert not is_permissive(lic("MIT AND LGPL-2.1"))
    assert not is_permissive(lic())
    assert not is_permissive(lic(text="Proprietary; limited use"))  # "MIT" only inside a word
    assert is_permissive(lic(text="Apache 2.0; use only in compliance with the License"))  # not "MPL"
    assert not is_permissive(lic(classifiers="License :: OSI Approved :: GNU General Public License v3 (GPLv3)"))


def test_split_is_by_name_hash_and_about_one_in_twenty() -> None:
    names = [f"python-stdlib/m{i}.py" for i in range(20000)]
    held = [n for n in names if is_heldout(n)]
    assert 800 < len(held) < 1200  # 1000 expected; 6 standard deviations either side
    expected = [n for n in names if int.from_bytes(hashlib.sha256(n.encode()).digest()[:8], "big") % 20 == 0]
    assert held == expected


def test_token_stream_wraps_each_document() -> None:
    stream = token_stream([doc("a", b"hi"), doc("b", b"\xff")])
    assert stream.tolist() == [BOS, ord("h"), ord("i"), EOS, BOS, 255, EOS]
    assert stream.dtype == np.uint16


def sample_docs(count: int, size: int) -> list[Document]:
    rng = np.random.default_rng(0)
    return [doc(f"python-stdlib/f{i}.py", bytes(rng.integers(32, 127, size).astype(np.uint8))) for i in range(count)]


def test_heldout_sample_windows_and_archive_round_trip() -> None:
    docs = sample_docs(40, 3000)
    sample = choose_sample(docs, windows=8, context=1024)
    windows = sample.window_tokens()
    assert windows.shape == (8, 1025)
    stream = sample.stream()
    assert np.array_equal(windows[1], stream[1024:2049])
    archive = sample_archive(sample)
    assert archive == sample_archive(sample)  # byte-identical: no timestamps
    again = read_sample_archive(archive)
    assert [d.name for d in again.documents] == [d.name for d in sample.documents]
    assert np.array_equal(again.window_tokens(), windows)


def test_heldout_sample_too_small_is_an_error() -> None:
    with pytest.raises(ValueError, match="needed"):
        choose_sample(sample_docs(2, 100), windows=8, context=1024)


def test_heldout_sample_takes_only_small_stdlib_files() -> None:
    docs = sample_docs(40, 3000) + [doc("site-packages/x.py", b"x" * 3000), doc("python-stdlib/big.py", b"y" * 60000)]
    sample = choose_sample(docs, windows=8, context=1024)
    assert all(d.name.startswith("python-stdlib/f") for d in sample.documents)


def test_retrieval_prompts_have_the_stated_layout() -> None:
    stream = token_stream(sample_docs(60, 4000)).astype(np.int64)
    spec = RetrievalSpec(count=5, seed=3, context=4096, distance=3000)
    task = make_retrieval_task(stream, spec)
    assert task == make_retrieval_task(stream, spec)  # deterministic
    json.dumps(task)
    for prompt in task["prompts"]:
        ids = prompt["promptIds"]
        assert len(ids) == 4096 - IDENTIFIER_LETTERS and ids[0] == BOS
        text = bytes(t for t in ids if t < 256)
        assert text.count(MARKER) == 2 and text.endswith(CUE)
        at = prompt["definitionAt"]
        assert at == 4096 - 3000
        ident = bytes(ids[at + len(MARKER): at + len(MARKER) + IDENTIFIER_LETTERS])
        assert ident.decode() == prompt["expectedText"] and list(ident) == prompt["expectedIds"]
        assert ident.isalpha() and ident.islower()


def test_model_fits_the_checkpoint_budget() -> None:
    spec = ModelSpec()
    params = parameter_count(spec)
    assert 2 * params <= MAX_CHECKPOINT_BYTES
    # hand count: 8 x (2*384*384 + 2*384*128 + 3*384*960 + 2*384) + 2*258*384 + 384
    assert params == 8 * (294912 + 98304 + 1105920 + 768) + 198144 + 384
    kwargs = llama_config_kwargs(spec)
    assert kwargs["num_attention_heads"] * kwargs["head_dim"] == kwargs["hidden_size"]
    assert kwargs["rope_parameters"] == {"rope_type": "default", "rope_theta": 10000.0}
    llama_config_kwargs(SMOKE_SPEC)


def test_small_shape_fits_its_budget() -> None:
    spec = SHAPES["small"].spec
    params = parameter_count(spec)
    # hand count: 4 x (2*256*256 + 2*256*128 + 3*256*640 + 2*256) + 2*258*256 + 256
    assert params == 4 * (131072 + 65536 + 491520 + 512) + 132096 + 256 == 2_886_912
    assert 2 * params <= SMALL_MAX_CHECKPOINT_BYTES == SHAPES["small"].max_checkpoint_bytes
    assert (spec.num_hidden_layers, spec.hidden_size, spec.num_attention_heads, spec.num_key_value_heads,
            spec.head_dim, spec.max_position_embeddings) == (4, 256, 4, 2, 64, 4096)
    llama_config_kwargs(spec)
    assert SHAPES["12m"].spec == ModelSpec() and SHAPES["12m"].default_lr == 2e-3


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError):
        llama_config_kwargs(ModelSpec(hidden_size=400))
    with pytest.raises(ValueError):
        llama_config_kwargs(ModelSpec(num_key_value_heads=4))
