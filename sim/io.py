"""Small file helpers: atomic writes (a temporary sibling renamed into place) and the git
commit of the checkout, for provenance records (`sim.evaluate.store`)."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

TMP_PREFIX = ".tmp-"


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Have `write(tmp)` fill a temporary sibling of `path`, then rename it to `path`;
    on an exception nothing is left behind and `path` is untouched. The temporary name
    keeps `path`'s suffix, for writers that pick a format by it."""
    tmp = path.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex[:8]}-{path.name}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename."""
    write_atomic(path, lambda tmp: tmp.write_text(text))


@functools.cache
def git_commit(folder: Path) -> str | None:
    """Commit of the git checkout holding `folder` (with '+dirty' if modified), or None.

    Asked once per process: a sweep worker does not call git for every run."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=folder, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty.strip() else "")


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
