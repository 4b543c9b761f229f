"""Result files: run keys, atomic run directories, Parquet tables and provenance.

A run's directory is `<results_dir>/runs/<run_key>/` where `run_key` is a digest of the
resolved configuration (parameters, seed, steps, engine). It is written under a temporary
name and renamed into place only when complete, so a directory with the final name always
holds a finished run and a killed run leaves at most a `.tmp-*` folder behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import platform
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.config import RunSettings

RUN_FILES = ("steps.parquet", "summary.parquet", "config.yaml", "provenance.json")
TMP_PREFIX = ".tmp-"


def resolved_config(settings: RunSettings) -> dict[str, Any]:
    """The run's full resolved configuration as plain JSON-able values."""
    params = {k: (list(v) if isinstance(v, tuple) else v)
              for k, v in dataclasses.asdict(settings.params).items()}
    return {"seed": settings.seed, "steps": settings.steps, "engine": settings.engine,
            "model": params}


def run_key(settings: RunSettings) -> str:
    """Digest of the resolved configuration: equal keys mean the same run."""
    text = json.dumps(resolved_config(settings), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def runs_dir(results_dir: Path) -> Path:
    return Path(results_dir) / "runs"


def is_complete(run_dir: Path) -> bool:
    """Whether `run_dir` holds every file of a finished run."""
    return run_dir.is_dir() and all((run_dir / name).is_file() for name in RUN_FILES)


@contextlib.contextmanager
def atomic_directory(final: Path) -> Iterator[Path]:
    """Yield a temporary sibling of `final` to fill; rename it to `final` on success.

    On an exception the temporary folder is removed and the exception propagates. If
    another process finished the same directory first, its copy is kept.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f"{TMP_PREFIX}{final.name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        yield tmp
        try:
            os.rename(tmp, final)
        except OSError:
            if not is_complete(final):
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


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


def provenance(settings: RunSettings, key: str, started: float, ended: float,
               overrides: list[str]) -> dict[str, Any]:
    """Where a run came from: seed, versions, git commit, times, machine, overrides."""
    import datetime as dt
    from importlib.metadata import version

    def iso(t: float) -> str:
        return dt.datetime.fromtimestamp(t, dt.UTC).isoformat()

    return {
        "run_key": key, "seed": settings.seed, "overrides": overrides,
        "package_version": version("partnership-sim"),
        "git_commit": git_commit(Path(__file__).resolve().parent),
        "python": platform.python_version(),
        "versions": {name: version(name) for name in ("mesa", "numba", "numpy", "pandas")},
        "host": platform.node(), "start": iso(started), "end": iso(ended),
        "wall_time_s": round(ended - started, 3),
    }


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
