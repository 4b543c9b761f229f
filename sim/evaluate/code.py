"""Which code made a run: one digest of the model's sources, data files and package version.

`sim.jit.sources_digest()` covers the modules compiled code depends on; a run also depends
on Python code that is not compiled (the constructor in `sim/model.py`, the platform
layout, the run summary) and on the default data files. `model_sources()` follows the
`sim.*` imports of `sim/model.py` through the package (so a new model module is picked up
without a list to maintain) and adds everything under `sim/data/`. Run keys include
`code_digest()`, so results of other code are never reused.
"""

from __future__ import annotations

import ast
import functools
import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sim.jit import PACKAGE_DIR, sources_digest

ROOT_MODULE = "model"


def package_version() -> str:
    try:
        return version("partnership-sim")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def _imported_modules(path: Path) -> set[str]:
    """Module names (without `sim.`) that the file imports from the package, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "sim" and len(parts) > 1:
                found.add(parts[1])
            elif parts == ["sim"]:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "sim" and len(parts) > 1:
                    found.add(parts[1])
    return found


@functools.cache
def model_sources() -> tuple[Path, ...]:
    """Source files the model's results depend on: `sim/model.py`, every package module it
    imports (transitively), and the files under `sim/data/`, in a stable order."""
    seen: set[str] = set()
    todo = [ROOT_MODULE]
    files: list[Path] = []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        module = PACKAGE_DIR / f"{name}.py"
        package = PACKAGE_DIR / name / "__init__.py"
        path = module if module.is_file() else package if package.is_file() else None
        if path is None:
            continue
        files.append(path)
        todo.extend(sorted(_imported_modules(path) - seen))
    data = PACKAGE_DIR / "data"
    if data.is_dir():
        files.extend(p for p in data.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return tuple(sorted(files))


@functools.cache
def code_digest() -> str:
    """SHA-256 (hex, 16 characters) of the package version, the kernel sources digest and
    the model's sources and data files (names and contents)."""
    digest = hashlib.sha256()
    digest.update(package_version().encode())
    digest.update(sources_digest().encode())
    for path in model_sources():
        digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
