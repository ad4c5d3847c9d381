"""Tests of prhs_check. Run with pytest, or without it: python3 tests/run_without_pytest.py.

They need the prhs CLI: PRHS_CLI (e.g. "node bin/prhs.js" from the repository root), else prhs on PATH.
"""
import json
import os
import subprocess
import tempfile

import numpy as np

from prhs_check import CheckOutputError, check_attention, find_cli, load_cases
from prhs_check.safetensors_io import Tensor, read_safetensors, write_safetensors

B, HQ, HKV, N, D = 2, 8, 2, 512, 64


def raises(kind, fn):
    try:
        fn()
    except kind as error:
        return error
    raise AssertionError(f"expected {kind.__name__}")


def inputs(seed=0, dtype=np.float16):
    rng = np.random.default_rng(seed)
    q = (1.5 * rng.standard_normal((B, HQ, D))).astype(dtype)
    k = rng.standard_normal((B, HKV, N, D)).astype(dtype)
    v = rng.standard_normal((B, HKV, N, D)).astype(dtype)
    return q, k, v


def attention(q, k, v, scale=None, indices=None, renormalise=True):
    """A numpy kernel: fp32 math on the stored values, max subtracted, GQA by repeating KV heads."""
    q, k, v = (np.asarray(x, dtype=np.float32) for x in (q, k, v))
    group = q.shape[1] // k.shape[1]
    k, v = np.repeat(k, group, axis=1), np.repeat(v, group, axis=1)
    scale = np.float32(1 / np.sqrt(q.shape[-1]) if scale is None else scale)
    z = np.einsum("bhd,bhnd->bhn", q, k) * scale
    p = np.exp(z - z.max(-1, keepdims=True))
    if indices is None:
        return (np.einsum("bhn,bhnd->bhd", p, v) / p.sum(-1, keepdims=True)).astype(np.float32)
    mask = np.zeros_like(p)
    for b in range(q.shape[0]):
        for h in range(q.shape[1]):
            mask[b, h, indices[b, h][indices[b, h] >= 0]] = 1
    kept = p * mask
    denominator = kept.sum(-1, keepdims=True) if renormalise else p.sum(-1, keepdims=True)
    return (np.einsum("bhn,bhnd->bhd", kept, v) / denominator).astype(np.float32)


def random_lists(selected=64, seed=1):
    rng = np.random.default_rng(seed)
    return np.stack([np.stack([np.sort(rng.choice(N, selected, replace=False)) for _ in range(HQ)]) for _ in range(B)]).astype(np.int64)


def test_correct_kernel_passes():
    q, k, v = inputs()
    report = check_attention(q, k, v, attention(q, k, v), accumulation="fp32")
    assert report["pass"] and report["schema"] == "prhs-check-output/1"
    assert len(report["heads"]) == B * HQ and report["dtype"] == "fp16"


def test_relative_error_fails_with_a_per_head_summary():
    q, k, v = inputs(2)
    error = raises(AssertionError, lambda: check_attention(q, k, v, attention(q, k, v) * np.float32(1 + 1e-3), accumulation="fp32"))
    message = str(error)
    assert "batch 0 head 0: max error" in message and "withinBound failed" in message, message


def test_sparse_without_renormalisation_fails():
    q, k, v = inputs(3)
    lists = random_lists()
    report = check_attention(q, k, v, attention(q, k, v, indices=lists), indices=lists, accumulation="fp32")
    assert report["kind"] == "sparse" and all(h["verdicts"]["deltaBound"] for h in report["heads"])
    error = raises(AssertionError, lambda: check_attention(q, k, v, attention(q, k, v, indices=lists, renormalise=False), indices=lists, accumulation="fp32"))
    assert "dropped mass" in str(error)


def test_bf16_storage_travels_as_bits():
    q, k, v = inputs(4, np.float32)

    def bf16(x):  # round to nearest even, keep the bits
        bits = x.view(np.uint32).astype(np.uint64)
        return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)

    def widen(bits):
        return (bits.astype(np.uint32) << 16).view(np.float32)

    qb, kb, vb = bf16(q), bf16(k), bf16(v)
    out = attention(widen(qb), widen(kb), widen(vb))
    report = check_attention(Tensor(qb, "BF16"), Tensor(kb, "BF16"), Tensor(vb, "BF16"), out, accumulation="fp32")
    assert report["dtype"] == "bf16" and report["pass"]


def test_bad_input_names_the_tensor():
    q, k, v = inputs(5)
    lists = random_lists()
    lists[1, 2, 3] = N
    error = raises(CheckOutputError, lambda: check_attention(q, k, v, attention(q, k, v), indices=lists))
    assert "indices[1, 2, 3]: expected a token index in [0, 512)" in str(error), str(error)


def test_npz_with_json_metadata():
    q, k, v = inputs(6)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "case.npz")
        np.savez(path, q=q, k=k, v=v, out=attention(q, k, v), meta=json.dumps({"accumulation": "fp32"}))
        child = subprocess.run(find_cli() + ["check-output", path, "--json"], capture_output=True, text=True)
        assert child.returncode == 0, child.stderr
        assert json.loads(child.stdout)["precision"]["accumulation"] == "fp32"
        np.savez_compressed(path, q=q, k=k, v=v, out=attention(q, k, v) * np.float32(1 + 1e-3), meta=json.dumps({"accumulation": "fp32"}))
        child = subprocess.run(find_cli() + ["check-output", path], capture_output=True, text=True)
        assert child.returncode == 1 and "FAIL" in child.stdout, child.stdout + child.stderr
        np.savez(path, q=q, k=k, v=v, out=attention(q, k, v), mask=np.zeros(3, dtype=bool))
        child = subprocess.run(find_cli() + ["check-output", path], capture_output=True, text=True)
        assert child.returncode == 2 and 'tensor "mask": dtype |b1 is not supported' in child.stderr, child.stderr


def test_safetensors_round_trip():
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "t.safetensors")
        a = np.arange(6, dtype=np.float16).reshape(2, 3)
        write_safetensors(path, {"a": a, "i": np.array([[1, -1]], dtype=np.int64)}, {"scale": 0.5})
        tensors, metadata = read_safetensors(path)
        assert metadata == {"scale": "0.5"} and (tensors["a"] == a).all() and tensors["i"].tolist() == [[1, -1]]


def test_exported_cases_run_through_a_kernel():
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "cases")
        subprocess.run(find_cli() + ["cases", "export", "--out", out, "--tokens", "64"], check=True, capture_output=True)
        cases = load_cases(out)
        attention_cases = [c for c in cases if c["kind"] == "edge-case"]
        assert {c["file"] for c in attention_cases} >= {"ties.safetensors", "huge.safetensors", "n1.safetensors"}
        for case in attention_cases:
            t = case["tensors"]
            scale = float(case["metadata"]["scale"])
            report = check_attention(t["q"], t["k"], t["v"], attention(t["q"], t["k"], t["v"], scale=scale), scale=scale, accumulation="fp32")
            assert report["pass"], case["file"]
