"""A dataset of runs on disk: two partitioned Parquet tables and one provenance file.

    <dataset>/
      dataset.json          provenance: code digest, package version, and one record per
                            batch written into it (git commit, versions, host, times, backend)
      summary/part-*.parquet   one row per run: run_key, seed, labels, months, parameters,
                               outcomes (pandas, polars and DuckDB read the folder as one table)
      steps/part-*.parquet     one row per run and month: run_key, seed, step, reporters
      .staging/             parts being written (never read; cleared when a batch starts)
      .lock                 held by the one batch writing at a time

Each finished chunk of runs is committed as one part per table: written under `.staging/`,
then renamed into `steps/` and last into `summary/`, so a run counts as done exactly when
its summary part exists. A batch that was killed leaves at most staging files and a steps
part without its summary part; the next batch removes both, saying so, and runs only the
runs that have no summary row. A dataset holds runs of one code digest only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import platform
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sim.evaluate.code import code_digest, package_version
from sim.io import git_commit, write_text_atomic
from sim.jit import sources_digest
from sim.params import PARAM_FIELDS

log = logging.getLogger("sim.evaluate")

FORMAT = "partnership-sim dataset 1"
MANIFEST = "dataset.json"
SUMMARY, STEPS = "summary", "steps"
STAGING = ".staging"
LOCK = ".lock"
PART = "part-{batch}-{chunk:05d}.parquet"


class DatasetError(RuntimeError):
    """A dataset cannot be used as asked; the message names the folder and what to do."""


class StaleDatasetError(DatasetError):
    """The dataset holds runs made by other code than the code running now."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _param_type(name: str) -> pa.DataType | None:
    kind = PARAM_FIELDS[name].type if name in PARAM_FIELDS else None
    return {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string(),
            "str | None": pa.string(), "tuple[float, ...]": pa.string()}.get(kind or "")


def summary_table(rows: list[dict[str, Any]], schema: pa.Schema | None = None) -> pa.Table:
    """Summary rows as an Arrow table: parameters typed by the schema of `sim.params`, other
    columns inferred (a column that is missing everywhere becomes a string column); cast to
    `schema` when given (the dataset's)."""
    table = pa.Table.from_pylist(rows)
    if schema is not None:
        return table.select(schema.names).cast(schema)
    fields = []
    for f in table.schema:
        wanted = _param_type(f.name) or (pa.string() if pa.types.is_null(f.type) else f.type)
        fields.append(pa.field(f.name, wanted))
    return table.cast(pa.schema(fields))


def steps_table(frame: pd.DataFrame, schema: pa.Schema | None = None) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table.cast(schema) if schema is not None else table


class Dataset:
    """An open dataset folder; `Dataset.open` checks and cleans it, `lock` guards writing."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.summary_dir = self.folder / SUMMARY
        self.steps_dir = self.folder / STEPS
        self.staging = self.folder / STAGING
        self._lock_file = None
        self.manifest: dict[str, Any] = {}
        self.batch_id = uuid.uuid4().hex[:8]
        self._chunks = 0

    # --- opening, checking, cleaning ---
    @classmethod
    def create_or_open(cls, folder: Path, per_step: bool, replace_stale: bool = False
                       ) -> Dataset:
        """Open `folder` for a new batch (creating it), locked; clean what a killed batch
        left; raise `StaleDatasetError` if it holds another code's runs (unless
        `replace_stale`, which removes them, saying so)."""
        data = cls(folder)
        if data.folder.exists() and not data.folder.is_dir():
            raise DatasetError(f"{data.folder}: is a file, not a dataset folder")
        data.folder.mkdir(parents=True, exist_ok=True)
        data._acquire()
        try:
            data._check_code(replace_stale)
            data._clean()
            if not data.manifest:
                data.manifest = {"format": FORMAT, "code_digest": code_digest(),
                                 "package_version": package_version(),
                                 "kernel_sources_digest": sources_digest(),
                                 "per_step": per_step, "created": _now(), "batches": []}
            elif per_step and not data.manifest.get("per_step"):
                raise DatasetError(f"{data.folder}: this dataset has no monthly table (it was "
                                   "made with per_step=False); write to a new folder")
            data.summary_dir.mkdir(exist_ok=True)
            if data.manifest["per_step"]:
                data.steps_dir.mkdir(exist_ok=True)
        except BaseException:
            data.close()
            raise
        return data

    @property
    def per_step(self) -> bool:
        return bool(self.manifest.get("per_step"))

    def _acquire(self) -> None:
        handle = (self.folder / LOCK).open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise DatasetError(f"{self.folder}: another batch is writing to this dataset; "
                               "wait for it or use another folder") from None
        self._lock_file = handle

    def close(self) -> None:
        """Release the lock (and remove the staging folder if the batch left it empty)."""
        with contextlib.suppress(OSError):
            self.staging.rmdir()
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def _check_code(self, replace_stale: bool) -> None:
        path = self.folder / MANIFEST
        if not path.is_file():
            if any(self.summary_dir.glob("*.parquet")):
                raise DatasetError(f"{self.folder}: summary parts without {MANIFEST}; not a "
                                   "dataset this code wrote (remove it or use another folder)")
            return
        manifest = json.loads(path.read_text())
        if manifest.get("format") != FORMAT:
            raise DatasetError(f"{path}: format {manifest.get('format')!r}, expected {FORMAT!r}")
        if manifest["code_digest"] == code_digest():
            self.manifest = manifest
            return
        message = (f"{self.folder}: holds runs of other code (code digest "
                   f"{manifest['code_digest']}, package {manifest.get('package_version')}; "
                   f"this code is {code_digest()})")
        if not replace_stale:
            raise StaleDatasetError(message + "; remove the folder or write to another one")
        log.warning("%s: removed them, runs are made again", message)
        for name in (SUMMARY, STEPS, STAGING, MANIFEST):
            target = self.folder / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()

    def _clean(self) -> None:
        """Remove what a killed batch left: staging files and monthly parts whose summary
        part was never committed (their runs are not done and run again)."""
        if self.staging.exists():
            leftovers = list(self.staging.iterdir())
            if leftovers:
                log.warning("%s: removed %d unfinished part file(s) left by an interrupted "
                            "batch", self.folder, len(leftovers))
            shutil.rmtree(self.staging)
        if self.steps_dir.is_dir():
            committed = {p.name for p in self.summary_dir.glob("*.parquet")}
            orphans = [p for p in self.steps_dir.glob("*.parquet") if p.name not in committed]
            for part in orphans:
                part.unlink()
            if orphans:
                log.warning("%s: removed %d monthly part(s) without a summary part (an "
                            "interrupted commit); their runs are run again", self.folder,
                            len(orphans))

    # --- what is done ---
    def done_keys(self) -> set[str]:
        """Keys of the runs with a committed summary row."""
        parts = sorted(self.summary_dir.glob("*.parquet"))
        if not parts:
            return set()
        keys = pq.ParquetDataset(parts).read(columns=["run_key"]).column("run_key")
        found = keys.to_pylist()
        done = set(found)
        if len(done) != len(found):
            raise DatasetError(f"{self.folder}: a run appears in two summary parts; the "
                               "dataset was written by two batches at once")
        return done

    def summary_schema(self) -> pa.Schema | None:
        part = next(iter(sorted(self.summary_dir.glob("*.parquet"))), None)
        return pq.read_schema(part) if part else None

    def steps_schema(self) -> pa.Schema | None:
        part = next(iter(sorted(self.steps_dir.glob("*.parquet"))), None) \
            if self.steps_dir.is_dir() else None
        return pq.read_schema(part) if part else None

    # --- writing ---
    def start_batch(self, record: dict[str, Any]) -> None:
        """Record a new batch in dataset.json (its provenance), before any run."""
        self.manifest["batches"].append({
            "batch": self.batch_id, "started": _now(), "ended": None,
            "git_commit": git_commit(Path(__file__).resolve().parent),
            "python": platform.python_version(), "host": platform.node(),
            "versions": _versions(), **record})
        self._write_manifest()

    def finish_batch(self, record: dict[str, Any]) -> None:
        self.manifest["batches"][-1].update({"ended": _now(), **record})
        self._write_manifest()

    def _write_manifest(self) -> None:
        write_text_atomic(self.folder / MANIFEST,
                          json.dumps(self.manifest, indent=1, default=str) + "\n")

    def next_part(self) -> str:
        self._chunks += 1
        return PART.format(batch=self.batch_id, chunk=self._chunks)

    def commit(self, name: str, summary: pa.Table, steps: pa.Table | None) -> None:
        """Write one chunk's parts: monthly part first, the summary part (the commit) last."""
        self.staging.mkdir(exist_ok=True)
        staged = []
        try:
            if self.per_step:
                if steps is None:
                    raise DatasetError(f"{self.folder}: chunk {name} has no monthly table")
                pq.write_table(steps, self.staging / f"{STEPS}-{name}")
                staged.append((self.staging / f"{STEPS}-{name}", self.steps_dir / name))
            pq.write_table(summary, self.staging / f"{SUMMARY}-{name}")
            staged.append((self.staging / f"{SUMMARY}-{name}", self.summary_dir / name))
            for source, target in staged:
                os.replace(source, target)
        finally:
            for source, _ in staged:
                source.unlink(missing_ok=True)


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("mesa", "numba", "numpy", "pandas", "pyarrow")}


@contextlib.contextmanager
def opened(folder: Path, per_step: bool, replace_stale: bool = False) -> Iterator[Dataset]:
    data = Dataset.create_or_open(folder, per_step, replace_stale)
    try:
        yield data
    finally:
        data.close()


# --- reading ---------------------------------------------------------------------------------

def _parts(folder: Path, table: str) -> list[Path]:
    folder = Path(folder)
    if not (folder / MANIFEST).is_file():
        raise DatasetError(f"{folder}: not a dataset (no {MANIFEST})")
    return sorted((folder / table).glob("*.parquet")) if (folder / table).is_dir() else []


def read_table(folder: Path, table: str = SUMMARY, run_keys: list[str] | None = None,
               columns: list[str] | None = None) -> pd.DataFrame:
    """One table of a dataset (`summary` or `steps`), only the committed parts; optionally
    only the runs in `run_keys`. Parts are read in name order (batch, then chunk)."""
    parts = _parts(folder, table)
    if table == STEPS:
        committed = {p.name for p in _parts(folder, SUMMARY)}
        parts = [p for p in parts if p.name in committed]
    if not parts:
        return pd.DataFrame()
    dataset = ds.dataset(parts, format="parquet")
    where = ds.field("run_key").isin(run_keys) if run_keys is not None else None
    return dataset.to_table(columns=columns, filter=where).to_pandas()


def read_summary(folder: Path, run_keys: list[str] | None = None) -> pd.DataFrame:
    """The dataset's run-summary table (one row per run)."""
    return read_table(folder, SUMMARY, run_keys)


def read_steps(folder: Path, run_keys: list[str] | None = None) -> pd.DataFrame:
    """The dataset's monthly table (one row per run and month), committed runs only."""
    return read_table(folder, STEPS, run_keys)


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise DatasetError(f"{folder}: not a dataset (no {MANIFEST})")
    return json.loads(path.read_text())


__all__ = ["Dataset", "DatasetError", "StaleDatasetError", "opened", "read_summary",
           "read_steps", "read_table", "read_manifest", "summary_table", "steps_table",
           "SUMMARY", "STEPS", "MANIFEST"]
