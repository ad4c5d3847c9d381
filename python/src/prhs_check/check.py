"""check_attention: write a kernel's inputs and outputs, run ``prhs check-output``, assert it passed."""
import json
import os
import shlex
import shutil
import subprocess
import tempfile

from .safetensors_io import write_safetensors


class CheckOutputError(RuntimeError):
    """prhs refused the input (exit 2: bad shapes, dtypes, indices...) or could not run."""


def find_cli():
    """The command that runs prhs: $PRHS_CLI (split like a shell), else ``prhs`` on PATH, else ``npx --no-install prhs``."""
    override = os.environ.get("PRHS_CLI")
    if override:
        return shlex.split(override)
    if shutil.which("prhs"):
        return ["prhs"]
    if shutil.which("npx"):
        return ["npx", "--no-install", "prhs"]
    raise CheckOutputError("prhs not found: set PRHS_CLI (e.g. 'node /path/to/prhs/bin/prhs.js'), or install prhs so `prhs` or `npx prhs` runs")


def _number(x):
    return x if isinstance(x, str) else f"{x:.3g}"


def _failed(verdicts):
    return ", ".join(f"{k} failed" for k, v in verdicts.items() if v is False)


def summarise(report, limit=20):
    """A readable summary of the failing heads and tensor checks of a check-output report."""
    lines = [f"prhs check-output: FAIL ({report['kind']} attention, storage {report['dtype']}, file {report['file']})"]
    if report["precision"] is None:
        lines.append("  no precision model declared (accumulation=...): derived-bound verdicts not applicable")
    heads = [h for h in report["heads"] if not h["pass"]]
    for h in heads[:limit]:
        bound = "" if h["bound"] is None else f", bound {_number(h['bound'])} (error/bound {_number(h['ratio'])})"
        extra = ""
        if "droppedMass" in h:
            extra = f", dropped mass {_number(h['droppedMass'])}, distance to dense {_number(h['denseGap'])}"
        lines.append(f"  batch {h['batch']} head {h['head']}: max error {_number(h['maxError'])}{bound}, naive {_number(h['naiveError'])}{extra}: {_failed(h['verdicts'])}")
    if len(heads) > limit:
        lines.append(f"  ... and {len(heads) - limit} more failing heads")
    for t in report["tensors"]:
        if not t["pass"]:
            naive = "" if t["naiveError"] is None else f", naive {_number(t['naiveError'])}"
            lines.append(f"  tensor {t['tensor']}: max error {_number(t['maxError'])}{naive}: {_failed(t['verdicts'])}")
    return "\n".join(lines)


def check_attention(q, k, v=None, out=None, indices=None, scale=None, dtype=None, accumulation=None,
                    sum_block=None, exp_error=None, probability=None, delta=None, scores=None, topk=None,
                    keep_file=None, cli=None, timeout=600):
    """Checks a kernel's outputs with prhs; returns the report (a dict) or raises AssertionError.

    Layouts (numpy arrays or torch tensors on any device; bf16 kept bit for bit):
    q [batch, queryHeads, headDim]; k [batch, kvHeads, tokens, headDim];
    v [batch, kvHeads, tokens, valueDim]; out [batch, queryHeads, valueDim];
    indices [batch, queryHeads, selected] (-1 = padding; then out is attention over each list);
    delta [batch, queryHeads]; scores [batch, queryHeads, tokens]; topk [batch, queryHeads, k].
    scale defaults to 1/sqrt(headDim); dtype (fp32/fp16/bf16) to q's dtype. accumulation
    (fp64/fp32/fp16/bf16), sum_block, exp_error and probability declare the kernel's precision
    model: without accumulation the derived-bound verdict is not applicable.
    keep_file: a path to write the file to (kept); otherwise a temporary file is removed.
    """
    tensors = {name: x for name, x in dict(q=q, k=k, v=v, out=out, indices=indices, delta=delta, scores=scores, topk=topk).items() if x is not None}
    metadata = {key: value for key, value in dict(scale=None if scale is None else repr(float(scale)), dtype=dtype, accumulation=accumulation,
                                                  sum_block=sum_block, exp_error=exp_error, probability=probability).items() if value is not None}
    folder = None
    if keep_file is None:
        folder = tempfile.mkdtemp(prefix="prhs-check-")
        path = os.path.join(folder, "case.safetensors")
    else:
        path = os.fspath(keep_file)
    try:
        write_safetensors(path, tensors, metadata)
        command = (cli if cli is not None else find_cli()) + ["check-output", path, "--json"]
        child = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    if child.returncode not in (0, 1):
        raise CheckOutputError(f"`{' '.join(command)}` exited {child.returncode}: {child.stderr.strip() or child.stdout.strip()}")
    try:
        report = json.loads(child.stdout)
    except ValueError:
        raise CheckOutputError(f"`{' '.join(command)}` printed no report: {(child.stderr or child.stdout).strip()[:2000]}") from None
    if not report["pass"]:
        raise AssertionError(summarise(report))
    return report
