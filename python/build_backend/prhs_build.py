"""A PEP 517 build backend for prhs-check that needs nothing but the standard library.

Why not setuptools: pip builds in an isolated environment and fetches the backend named in
``build-system.requires`` from PyPI; setuptools before 70.1 also needs ``wheel``. On a machine
without network access (prhs's own machines, many clusters) ``pip install ./python`` then fails.
This backend is declared in-tree (``backend-path``) with ``requires = []``, so pip builds the
wheel offline. It builds what this package is: pure Python modules under ``src/prhs_check``, a
``py3-none-any`` wheel, and an sdist of the folder; the metadata comes from ``pyproject.toml``.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "prhs_check"
# Fixed timestamp for reproducible archives (the earliest a zip can hold).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _load_project() -> dict:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib  # Python >= 3.11
    except ModuleNotFoundError:
        return _parse_project_table(text)
    return tomllib.loads(text)["project"]


def _parse_project_table(text: str) -> dict:
    """The [project] keys this package uses, for Pythons without tomllib: strings and string lists."""
    project: dict = {}
    table = None
    for line in text.splitlines():
        header = re.fullmatch(r"\s*\[([^\]]+)\]\s*", line)
        if header:
            table = header.group(1).strip()
            if table == "project.optional-dependencies":
                project.setdefault("optional-dependencies", {})
            continue
        match = re.fullmatch(r"\s*([A-Za-z0-9_-]+)\s*=\s*(.+?)\s*", line)
        if not match or table not in ("project", "project.optional-dependencies"):
            continue
        key, raw = match.groups()
        value = re.findall(r'"([^"]*)"', raw) if raw.startswith("[") else raw.strip('"')
        if table == "project.optional-dependencies":
            project["optional-dependencies"][key] = value
        elif raw.startswith("{"):
            project[key] = dict(re.findall(r'(\w+)\s*=\s*"([^"]*)"', raw))
        else:
            project[key] = value
    return project


def _metadata(project: dict) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
        f"Summary: {project['description']}",
        f"License: {project.get('license', {}).get('text', 'UNKNOWN')}",
        f"Requires-Python: {project['requires-python']}",
    ]
    lines += [f"Requires-Dist: {dep}" for dep in project.get("dependencies", [])]
    for extra, deps in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {dep}; extra == "{extra}"' for dep in deps]
    lines.append("Description-Content-Type: text/markdown")
    readme = (ROOT / project.get("readme", "README.md")).read_text(encoding="utf-8")
    return "\n".join(lines) + "\n\n" + readme


def _dist_name(project: dict) -> str:
    return f"{re.sub(r'[-_.]+', '_', project['name'])}-{project['version']}"


def _module_files() -> list[Path]:
    return sorted(p for p in (ROOT / "src" / PACKAGE).rglob("*.py") if "__pycache__" not in p.parts)


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _write_wheel(path: Path, entries: list[tuple[str, bytes]]) -> None:
    """Writes the zip beside its final name and renames it, so no half-written wheel is left."""
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in entries:
            wheel.writestr(zipfile.ZipInfo(name, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    os.replace(partial, path)


# PEP 517 hooks ---------------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings=None) -> list[str]:
    return []


def get_requires_for_build_sdist(config_settings=None) -> list[str]:
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None) -> str:
    project = _load_project()
    dist = _dist_name(project)
    info = f"{dist}.dist-info"
    entries = [(f"{PACKAGE}/{p.relative_to(ROOT / 'src' / PACKAGE).as_posix()}", p.read_bytes()) for p in _module_files()]
    entries.append((f"{info}/METADATA", _metadata(project).encode("utf-8")))
    entries.append((f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: prhs_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"))
    record = "\n".join(_record_line(name, data) for name, data in entries) + f"\n{info}/RECORD,,\n"
    entries.append((f"{info}/RECORD", record.encode("utf-8")))
    filename = f"{dist}-py3-none-any.whl"
    _write_wheel(Path(wheel_directory) / filename, entries)
    return filename


def build_sdist(sdist_directory, config_settings=None) -> str:
    project = _load_project()
    dist = _dist_name(project)
    files = [ROOT / "pyproject.toml", ROOT / "README.md", *sorted((ROOT / "build_backend").glob("*.py")), *_module_files()]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as sdist:
        for path in files:
            data = path.read_bytes()
            member = tarfile.TarInfo(f"{dist}/{path.relative_to(ROOT).as_posix()}")
            member.size = len(data)
            sdist.addfile(member, io.BytesIO(data))
        pkg_info = _metadata(project).encode("utf-8")
        member = tarfile.TarInfo(f"{dist}/PKG-INFO")
        member.size = len(pkg_info)
        sdist.addfile(member, io.BytesIO(pkg_info))
    filename = f"{dist}.tar.gz"
    target = Path(sdist_directory) / filename
    partial = target.with_name(filename + ".partial")
    partial.write_bytes(buffer.getvalue())
    os.replace(partial, target)
    return filename
