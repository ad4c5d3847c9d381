"""Check an attention kernel's outputs with prhs (``prhs check-output``) from Python.

``check_attention(q, k, v, out, ...)`` writes the kernel's inputs and outputs to a safetensors
file, runs ``prhs check-output --json`` on it and raises ``AssertionError`` with a per-head summary
when a verdict fails, so it drops into a pytest suite. ``load_cases(dir)`` reads the edge cases
that ``prhs cases export --out DIR`` writes.
"""
from .check import CheckOutputError, check_attention, find_cli
from .cases import load_cases
from .safetensors_io import read_safetensors, write_safetensors

__all__ = ["check_attention", "CheckOutputError", "find_cli", "load_cases", "read_safetensors", "write_safetensors"]
