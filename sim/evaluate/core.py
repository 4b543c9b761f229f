"""`evaluate`: a table of runs in, one tidy summary row per run out (and written, with `out`).

The one way runs are made here: experiments, the sensitivity analysis, `python -m sim`
(single runs and `-m` sweeps), the benchmarks and the calibration all call it.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from sim.evaluate.backends import Backend, chunk_sizes, execute, make_backend
from sim.evaluate.batch import Batch, make_batch
from sim.evaluate.store import (
    Dataset,
    DatasetError,
    opened,
    read_steps,
    read_summary,
    steps_table,
    summary_table,
)
from sim.evaluate.worker import Chunk, ChunkResult


@dataclass
class BatchResult:
    """What a batch returns: the summary (one row per batch row, in order), the monthly
    table of its runs (when asked), and how many runs were made or found already done."""

    summary: pd.DataFrame
    steps: pd.DataFrame | None
    ran: int
    reused: int
    wall_s: float
    model_s: float


class _Collector:
    """Receives finished chunks: adds labels, types the tables, commits or keeps them."""

    def __init__(self, batch: Batch, data: Dataset | None, progress: Any) -> None:
        self.data = data
        self.progress = progress
        self.labels: dict[str, dict[str, Any]] = {}
        for key, row in zip(batch.row_keys, batch.labels.to_dict("records"), strict=True):
            self.labels.setdefault(key, row)
        self.summary_schema = data.summary_schema() if data else None
        self.steps_schema = data.steps_schema() if data else None
        self.tables: list[tuple[pa.Table, pa.Table | None]] = []
        self.model_s = 0.0
        self.ran = 0

    def _labelled(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            labels = self.labels[row["run_key"]]
            out.append({"run_key": row["run_key"], "seed": row["seed"], **labels,
                        **{k: v for k, v in row.items() if k not in ("run_key", "seed")}})
        return out

    def _check_columns(self, table: pa.Table, schema: pa.Schema | None, what: str) -> None:
        if schema is None or set(table.column_names) == set(schema.names):
            return
        extra = sorted(set(table.column_names) - set(schema.names))
        missing = sorted(set(schema.names) - set(table.column_names))
        where = self.data.folder if self.data else "this batch"
        raise DatasetError(f"{where}: the {what} columns differ from the dataset's (new: "
                           f"{', '.join(extra) or 'none'}; missing: {', '.join(missing) or 'none'}"
                           "); write to a new folder")

    def __call__(self, result: ChunkResult) -> None:
        rows = self._labelled(result.rows)
        probe = summary_table(rows)
        self._check_columns(probe, self.summary_schema, "summary")
        summary = summary_table(rows, self.summary_schema) if self.summary_schema else probe
        self.summary_schema = summary.schema
        steps = None
        if result.steps is not None:
            steps = steps_table(result.steps)
            self._check_columns(steps, self.steps_schema, "monthly")
            steps = steps.select(self.steps_schema.names).cast(self.steps_schema) \
                if self.steps_schema else steps
            self.steps_schema = steps.schema
        if self.data is not None:
            self.data.commit(result.name, summary, steps)
        else:
            self.tables.append((summary, steps))
        self.model_s += result.model_seconds
        self.ran += len(rows)
        self.progress.update(len(rows))


class _Progress:
    """Prints `runs: done/total` lines to stderr, at most every few seconds (no threads, so
    worker processes can be forked while it is on)."""

    EVERY_S = 5.0

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.done = total, enabled, 0
        self.started = self.last = time.perf_counter()

    def update(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if self.enabled and (now - self.last >= self.EVERY_S or self.done == self.total):
            self.last = now
            rate = self.done / max(now - self.started, 1e-9)
            print(f"runs: {self.done}/{self.total} ({rate:.1f} runs/s)", file=sys.stderr,
                  flush=True)


def _aligned(summary: pd.DataFrame, batch: Batch) -> pd.DataFrame:
    """Summary rows in batch order (a run repeated in the batch repeats), with each row's own
    labels."""
    by_key = summary.drop_duplicates("run_key").set_index("run_key", drop=False)
    out = by_key.loc[list(batch.row_keys)].reset_index(drop=True)
    for column in batch.labels.columns:
        out[column] = batch.labels[column].to_numpy()
    return out


def run_batch(batch: pd.DataFrame | Iterable[dict[str, Any]], *, steps: int | None = None,
              out: str | Path | None = None, backend: str | Backend = "local",
              workers: int | None = None, per_step: bool = False, labels: Iterable[str] = (),
              address: str | None = None, options: dict[str, Any] | None = None,
              chunk_size: int | None = None, retries: int = 2, replace_stale: bool = False,
              progress: bool = False, record: dict[str, Any] | None = None) -> BatchResult:
    """`evaluate`, returning the monthly table and counts too (see `evaluate`)."""
    started = time.perf_counter()
    keyed = make_batch(batch, steps, labels)
    folder = Path(out) if out is not None else None
    if isinstance(backend, str):
        job_folder = (folder / ".submitit") if folder is not None else \
            Path(tempfile.gettempdir()) / "sim-submitit"
        backend = make_backend(backend, workers, address, options, job_folder, retries)
    if folder is None:
        return _run(keyed, None, backend, per_step, chunk_size, progress, started)
    new = next((p for p in reversed([folder, *folder.parents]) if not p.exists()), None)
    try:
        result = _run_into(folder, keyed, backend, per_step, chunk_size, progress,
                           replace_stale, record, started)
    except BaseException:
        if new is not None and not any((folder / "summary").glob("*.parquet")):
            shutil.rmtree(new, ignore_errors=True)  # folders made for a dataset that got no run
        raise
    if not per_step:
        result.steps = None
    return result


def _run_into(folder: Path, keyed: Batch, backend: Backend, per_step: bool,
              chunk_size: int | None, progress: bool, replace_stale: bool,
              record: dict[str, Any] | None, started: float) -> BatchResult:
    """Run the batch into the dataset in `folder`, recording it in the dataset's provenance."""
    with opened(folder, per_step, replace_stale) as data:
        data.start_batch({"backend": backend.name, "workers": backend.workers,
                          "address": backend.address, "runs_requested": len(keyed.runs),
                          "command": " ".join(sys.argv), **(record or {})})
        try:
            result = _run(keyed, data, backend, data.per_step, chunk_size, progress, started)
        except BaseException as err:
            data.finish_batch({"status": f"failed: {type(err).__name__}: {err}"[:500]})
            raise
        data.finish_batch({"status": "finished", "runs_made": result.ran,
                           "runs_already_done": result.reused,
                           "model_s": round(result.model_s, 3),
                           "wall_s": round(time.perf_counter() - started, 3)})
    return result


def _run(batch: Batch, data: Dataset | None, backend: Backend, per_step: bool,
         chunk_size: int | None, progress: bool, started: float) -> BatchResult:
    done = data.done_keys() if data is not None else set()
    todo = [run for run in batch.runs if run.key not in done]
    chunks, start = [], 0
    for size in chunk_sizes(len(todo), backend.workers, chunk_size, backend.name):
        name = data.next_part() if data is not None else f"memory-{len(chunks):05d}"
        chunks.append(Chunk(name, tuple(todo[start:start + size])))
        start += size
    collector = _Collector(batch, data, _Progress(len(todo), progress and len(todo) > 1))
    execute(backend, chunks, per_step, collector, progress=progress and len(todo) == 1)
    keys = list(dict.fromkeys(batch.row_keys))
    if data is not None:
        summary = read_summary(data.folder, keys)
        steps = read_steps(data.folder, keys) if per_step else None
    else:
        summary = pa.concat_tables([s for s, _ in collector.tables]).to_pandas() \
            if collector.tables else pd.DataFrame({"run_key": pd.Series(dtype=str)})
        steps = pa.concat_tables([t for _, t in collector.tables]).to_pandas() \
            if per_step and collector.tables else None
    if steps is not None and len(steps):
        order = {k: i for i, k in enumerate(keys)}
        steps = steps.sort_values(["run_key", "step"], key=lambda c: c.map(order)
                                  if c.name == "run_key" else c, kind="stable")
        steps = steps.reset_index(drop=True)
    return BatchResult(_aligned(summary, batch) if len(batch) else summary, steps,
                       ran=collector.ran, reused=len(batch.runs) - len(todo),
                       wall_s=time.perf_counter() - started, model_s=collector.model_s)


def evaluate(batch: pd.DataFrame | Iterable[dict[str, Any]], *, steps: int | None = None,
             out: str | Path | None = None, backend: str | Backend = "local",
             workers: int | None = None, per_step: bool = False, labels: Iterable[str] = (),
             address: str | None = None, options: dict[str, Any] | None = None,
             chunk_size: int | None = None, retries: int = 2, replace_stale: bool = False,
             progress: bool = False) -> pd.DataFrame:
    """Run every row of `batch` (a run: model parameters and `seed`) and return the summary.

    `batch` has one row per run: a `seed` column, any parameter of `sim.params.Params` as a
    column (the others keep their defaults), optionally `steps` per row (else `steps`), and
    the columns named in `labels`, carried to the results but not given to the model.
    Returns one row per batch row, in the same order: `run_key`, `seed`, the labels,
    `steps`, every parameter and every outcome (`sim.metrics.run_summary` and the derived
    outcomes of `sim.outcomes`).

    With `out`, results are appended to the dataset in that folder (`sim.evaluate.store`),
    chunk by chunk as they finish; runs it already holds are not run again, so a killed
    batch rerun makes only the missing runs, each once. `per_step` also keeps the monthly
    table there (`read_steps(out)`). A dataset made by other code raises
    `StaleDatasetError` unless `replace_stale`.

    `backend`: "local" (`workers` processes; 1 runs in this process), "ray" (an existing
    cluster at `address`), "slurm" or "submitit_local" (submitit; `options` are its
    parameters, e.g. {"slurm_partition": "cpu", "timeout_min": 60}). `chunk_size` fixes
    the runs per worker call (default: guided, see `backends.chunk_sizes`); `retries` is
    how often work lost with a dead worker is retried.
    """
    return run_batch(batch, steps=steps, out=out, backend=backend, workers=workers,
                     per_step=per_step, labels=labels, address=address, options=options,
                     chunk_size=chunk_size, retries=retries, replace_stale=replace_stale,
                     progress=progress).summary


__all__ = ["evaluate", "run_batch", "BatchResult"]
