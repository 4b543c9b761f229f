"""Gather a sweep's runs into two tidy Parquet tables: run summaries and per-step series.

`python -m sim.collect DIR` works on a sweep folder (its job folders point at their run
directories) or on a results folder (every finished run under `runs/`). It writes
`DIR/summaries.parquet` (one row per run) and `DIR/steps.parquet` (one row per run and
step), both keyed by `run_key`, `seed` and, for a sweep, the swept overrides. Per-step
tables are streamed to disk one run at a time. Hydra calls `CollectOnMultirunEnd` at the
end of every sweep.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from sim.io import TMP_PREFIX, is_complete, runs_dir
from sim.runner import POINTER_FILE

log = logging.getLogger("sim")
SUMMARIES = "summaries.parquet"
STEPS = "steps.parquet"


class CollectError(RuntimeError):
    """A run's files cannot be collected (missing, truncated or corrupt)."""


def _override_columns(overrides: list[str]) -> dict[str, Any]:
    """Swept keys and values of a job, values read as YAML (numbers stay numbers)."""
    columns: dict[str, Any] = {}
    for text in overrides:
        key, sep, value = text.lstrip("+~").partition("=")
        if sep and not key.startswith("hydra"):
            parsed = yaml.safe_load(value) if value else None
            columns[key] = json.dumps(parsed) if isinstance(parsed, (list, dict)) else parsed
    return columns


def find_runs(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Run directories under `folder` with the swept keys of each (empty outside a sweep)."""
    pointers = sorted(folder.glob(f"*/{POINTER_FILE}"), key=lambda p: (len(p.parent.name),
                                                                         p.parent.name))
    if pointers:
        found, seen = [], set()
        for pointer in pointers:
            try:
                record = json.loads(pointer.read_text())
            except (OSError, json.JSONDecodeError) as err:
                raise CollectError(f"{pointer}: unreadable job pointer ({err})") from err
            run_dir = Path(record["run_dir"])
            if run_dir not in seen:
                seen.add(run_dir)
                found.append((run_dir, _override_columns(record.get("overrides", []))))
        return _swept_only(found)
    base = runs_dir(folder) if runs_dir(folder).is_dir() else folder
    return [(d, {}) for d in sorted(base.iterdir())
            if d.is_dir() and not d.name.startswith(TMP_PREFIX)]


def _swept_only(found: list[tuple[Path, dict[str, Any]]]) -> list[tuple[Path, dict[str, Any]]]:
    """Keep the override keys whose values differ between jobs (the swept ones) and seed."""
    values: dict[str, set[str]] = {}
    for _, keys in found:
        for key, value in keys.items():
            values.setdefault(key, set()).add(json.dumps(value))
    swept = {k for k, v in values.items() if len(v) > 1 or k == "seed"}
    return [(run_dir, {k: v for k, v in keys.items() if k in swept}) for run_dir, keys in found]


def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as err:  # noqa: BLE001 - pyarrow raises several kinds for bad files
        raise CollectError(f"{path}: cannot read Parquet ({type(err).__name__}: {err})") from err


def _with_keys(frame: pd.DataFrame, keys: dict[str, Any]) -> pd.DataFrame:
    for position, (key, value) in enumerate(keys.items()):
        if key not in frame.columns:
            frame.insert(2 + position, key, value)
    return frame


def collect(folder: Path, skip_bad: bool = False) -> tuple[Path, Path, int]:
    """Write `folder/summaries.parquet` and `folder/steps.parquet`; return paths and run count.

    A missing, truncated or corrupt run file raises `CollectError` naming the file, unless
    `skip_bad`, which skips that run with a warning. Outputs appear only when complete.
    """
    folder = Path(folder)
    runs = find_runs(folder)
    summaries: list[pd.DataFrame] = []
    steps_tmp = folder / f"{TMP_PREFIX}{STEPS}"
    summaries_tmp = folder / f"{TMP_PREFIX}{SUMMARIES}"
    writer: pq.ParquetWriter | None = None
    try:
        for run_dir, keys in runs:
            try:
                if not is_complete(run_dir):
                    raise CollectError(f"{run_dir}: not a finished run directory")
                summary = _with_keys(_read(run_dir / "summary.parquet"), keys)
                steps = _with_keys(_read(run_dir / "steps.parquet"), keys)
            except CollectError as err:
                if not skip_bad:
                    raise
                warnings.warn(f"skipped: {err}", stacklevel=2)
                continue
            table = pa.Table.from_pandas(steps, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(steps_tmp, table.schema)
            writer.write_table(table.cast(writer.schema))
            summaries.append(summary)
        if writer is not None:
            writer.close()
            writer = None
        if not summaries:
            raise CollectError(f"{folder}: no finished runs to collect")
        pd.concat(summaries, ignore_index=True).to_parquet(summaries_tmp, index=False)
        summaries_tmp.replace(folder / SUMMARIES)
        steps_tmp.replace(folder / STEPS)
    finally:
        if writer is not None:
            writer.close()
        summaries_tmp.unlink(missing_ok=True)
        steps_tmp.unlink(missing_ok=True)
    return folder / SUMMARIES, folder / STEPS, len(summaries)


try:
    from hydra.experimental.callback import Callback as _HydraCallback
except ImportError:  # pragma: no cover - hydra is a dependency
    _HydraCallback = object


class CollectOnMultirunEnd(_HydraCallback):
    """Hydra callback: collect the sweep's runs when every job has finished."""

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        summaries, steps, n = collect(sweep_dir)
        log.info("collected %d runs into %s and %s", n, summaries, steps)
        print(f"collected {n} runs into {summaries} and {steps}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.collect", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a sweep folder or a results folder")
    parser.add_argument("--skip-bad", action="store_true",
                        help="skip unreadable runs with a warning instead of failing")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"error: folder={str(args.folder)!r}: not a folder", file=sys.stderr)
        return 2
    try:
        summaries, steps, n = collect(args.folder, skip_bad=args.skip_bad)
    except CollectError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"collected {n} runs into {summaries} and {steps}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
