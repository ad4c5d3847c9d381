"""load_cases: the edge cases and counterexamples that ``prhs cases export --out DIR`` writes."""
import json
import os

from .safetensors_io import read_safetensors


def load_cases(directory):
    """Returns one dict per case in manifest order: the manifest entry plus "tensors" and "metadata"."""
    with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    if manifest.get("schema") != "prhs-cases/1":
        raise ValueError(f"{directory}/manifest.json: expected schema prhs-cases/1, found {manifest.get('schema')!r}")
    cases = []
    for entry in manifest["cases"]:
        tensors, metadata = read_safetensors(os.path.join(directory, entry["file"]))
        cases.append(dict(entry, tensors=tensors, metadata=metadata))
    return cases
