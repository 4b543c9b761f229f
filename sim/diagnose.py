"""What went wrong and what to do next, for the mistakes a first-time user makes.

Configuration mistakes (a typo in a config group option or a key, a model parameter given
without its `model.` prefix) get a suggestion added to the one-line error of `sim.config`.
Failures while a single run works (an interrupted compile, a damaged numba cache, results
that cannot be written) are caught by `explained`, which wraps the Hydra task, and end in
one `error:` line on stderr naming the file or folder and the next step, instead of a
traceback. The Python version is checked by `sim.python_check`, before anything imports Mesa.
"""

from __future__ import annotations

import difflib
import functools
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

EXIT_FAILED = 1
EXIT_INTERRUPTED = 130  # what a shell reports for a command stopped by Ctrl-C (128 + SIGINT)


# --- configuration mistakes ------------------------------------------------------------------

def did_you_mean(word: str, options: Iterable[str], prefix: str = "") -> str | None:
    """`"did you mean national?"` for the closest of `options`, or None if none is close."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.75)
    return f"did you mean {prefix}{close[0]}?" if close else None


def unknown_key(key: str, value: str | None, top_level: Iterable[str],
                model_keys: Iterable[str]) -> str | None:
    """A hint for an unknown key `key` (`value` as given): the `model.` prefix it lacks, or
    the closest valid key; None when there is nothing useful to add."""
    model_keys = list(model_keys)
    parent, _, name = key.rpartition(".")
    if not parent and name in model_keys:
        return f"{name} is a model parameter: write model.{name}={value or 'VALUE'}"
    if parent == "model":
        return did_you_mean(name, model_keys, "model.")
    if not parent:
        return did_you_mean(name, top_level) or did_you_mean(name, model_keys, "model.")
    return None


def unwritable(folder: Path) -> str | None:
    """Why files cannot be created in existing `folder` (None if they can): the permission
    bits, or what creating a file there actually says (root passes every permission check,
    yet cannot write in a read-only file system or in /proc)."""
    import os
    import tempfile

    if not os.access(folder, os.W_OK | os.X_OK):
        return "permission denied"
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        return f"creating a file there fails: {error.strerror or error}"
    return None


# --- failures while a run works ---------------------------------------------------------------

def _numba_cache_file(error: BaseException) -> Path | None:
    """The numba cache file that `error` was raised while reading, if it was."""
    trace = error.__traceback__
    found = None
    while trace is not None:
        frame = trace.tb_frame
        if frame.f_code.co_filename.replace("\\", "/").endswith("numba/core/caching.py"):
            local = frame.f_locals
            path = local.get("path") or local.get("filepath")
            owner = local.get("self")
            if path is None and owner is not None:
                path = getattr(owner, "_index_path", None)
            if path is not None:
                found = Path(path)
        trace = trace.tb_next
    return found


def explain_failure(error: BaseException) -> tuple[str, int] | None:
    """One line saying what happened and what to do next, and the exit status; None for a
    failure that is not one of the common ones (its traceback is worth reading then)."""
    if isinstance(error, KeyboardInterrupt):
        return ("interrupted: nothing was written for this run. Kernels already compiled stay "
                "cached; run the same command again to continue (a first compile resumes "
                "where it stopped)", EXIT_INTERRUPTED)
    damaged = _numba_cache_file(error)
    if damaged is not None and not isinstance(error, MemoryError):
        folder = damaged.parent
        return (f"the numba kernel cache is damaged: {damaged.name} in {folder} cannot be read "
                f"({type(error).__name__}: {error}). This happens when a first compile is cut "
                "off mid-write, the disk fills up or several processes compile at once. "
                f"Delete the cache and run again (it recompiles once, about a minute): "
                f"rm -rf '{folder}'", EXIT_FAILED)
    from sim.runner import ResultsWriteError

    if isinstance(error, ResultsWriteError):
        return (f"{error}. Pick a folder you can write with results_dir=PATH, or free some "
                "disk space, and run again", EXIT_FAILED)
    return None


def explained(task: Callable[..., Any]) -> Callable[..., Any]:
    """`task` that ends a common failure with one `error:` line and its exit status."""

    @functools.wraps(task)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return task(*args, **kwargs)
        except (Exception, KeyboardInterrupt) as error:
            known = explain_failure(error)
            if known is None:
                raise
            message, status = known
            print(f"\nerror: {message}", file=sys.stderr, flush=True)
            raise SystemExit(status) from None

    return run


def interruptible(main: Callable[[], int]) -> int:
    """Run `main`; a Ctrl-C ends it with one line and status 130 instead of a traceback."""
    try:
        return main()
    except KeyboardInterrupt as error:
        message, status = explain_failure(error) or ("interrupted", EXIT_INTERRUPTED)
        print(f"\nerror: {message}", file=sys.stderr, flush=True)
        return status
