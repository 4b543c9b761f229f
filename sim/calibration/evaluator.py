"""Running parameter sets: the evaluator interface, a local implementation, a resumable store.

The calibration asks for runs in one shape only, the evaluation layer's:

    evaluate(batch: DataFrame, *, steps: int) -> DataFrame

`batch` has one row per run (model parameters as columns, plus `seed`); the result has one
run-summary row per run, in the same order, with a `run_key` column. `LayerEvaluator` runs
it through the evaluation layer (`sim.evaluate`: local processes, Ray or SLURM); any other
object with this method will do. `StoredEvaluator` wraps any evaluator and keeps
every finished run in a folder of Parquet chunks keyed by the run's request (parameters,
seed, steps), so a killed calibration that is started again skips the runs it has.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd


class Evaluator(Protocol):
    """What the calibration needs from whatever runs the model."""

    def evaluate(self, batch: pd.DataFrame, *, steps: int) -> pd.DataFrame:
        """One run-summary row per row of `batch` (same order), with `run_key`."""
        ...


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    return value


def request_key(params: dict[str, Any], seed: int, steps: int) -> str:
    """Digest of one run's request: equal keys mean the same run of the same code."""
    text = json.dumps({"model": {k: _plain(v) for k, v in params.items()}, "seed": int(seed),
                       "steps": int(steps)}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _row_params(row: pd.Series) -> dict[str, Any]:
    return {k: _plain(v) for k, v in row.items() if k not in ("seed", "request_key")}


class LayerEvaluator:
    """Runs a batch through the evaluation layer (`sim.evaluate.evaluate`): on this machine
    in `workers` processes (1: in this process), or on Ray or SLURM (`backend`, `address`,
    `options`, as `sim.evaluate.evaluate` takes them)."""

    def __init__(self, workers: int = 1, backend: str = "local", address: str | None = None,
                 options: dict[str, Any] | None = None):
        if workers < 1:
            raise ValueError(f"workers={workers}: must be at least 1")
        self.workers = workers
        self.backend = backend
        self.address = address
        self.options = options

    def evaluate(self, batch: pd.DataFrame, *, steps: int) -> pd.DataFrame:
        from sim.evaluate import evaluate

        batch = batch.drop(columns=[c for c in ("request_key",) if c in batch.columns])
        return evaluate(batch.reset_index(drop=True), steps=steps, backend=self.backend,
                        workers=self.workers, address=self.address, options=self.options)

    def outputs(self) -> set[str]:
        """The run summary's columns (from one tiny run in this process)."""
        from sim.evaluate import evaluate

        return set(evaluate(pd.DataFrame([{"n_orgs": 50, "seed": 0}]), steps=2).columns)


def summary_outputs(evaluator: Evaluator) -> set[str]:
    """The columns `evaluator` reports: its `outputs()` if it has one, else a tiny run's."""
    outputs = getattr(evaluator, "outputs", None)
    if callable(outputs):
        return set(outputs())
    batch = pd.DataFrame([{"n_orgs": 50, "seed": 0}])
    return set(evaluator.evaluate(batch, steps=2).columns)


class StoredEvaluator:
    """Evaluate through `inner`, keeping each finished chunk of runs in `folder`.

    Runs already in the folder (same parameters, seed and steps) are read back instead of
    run again; new runs are evaluated `chunk` at a time and each chunk is written (through
    a temporary file and a rename) as soon as it finishes.
    """

    def __init__(self, inner: Evaluator, folder: Path, chunk: int = 16):
        self.inner = inner
        self.folder = Path(folder)
        self.chunk = max(1, int(chunk))
        self.folder.mkdir(parents=True, exist_ok=True)
        self._rows: dict[str, dict[str, Any]] = {}
        self.runs_done = 0  # runs evaluated by this object (not read back)
        for path in sorted(self.folder.glob("chunk-*.parquet")):
            for row in pd.read_parquet(path).to_dict("records"):
                self._rows[row["request_key"]] = row

    def __len__(self) -> int:
        return len(self._rows)

    def outputs(self) -> set[str]:
        return summary_outputs(self.inner)

    def evaluate(self, batch: pd.DataFrame, *, steps: int) -> pd.DataFrame:
        keys = [request_key(_row_params(row), int(row["seed"]), steps)
                for _, row in batch.iterrows()]
        todo = [k for k, key in enumerate(keys) if key not in self._rows]
        # a request repeated inside the batch is run once
        todo = list({keys[k]: k for k in reversed(todo)}.values())[::-1]
        for start in range(0, len(todo), self.chunk):
            part = todo[start:start + self.chunk]
            result = self.inner.evaluate(batch.iloc[part].reset_index(drop=True), steps=steps)
            if len(result) != len(part):
                raise RuntimeError(f"the evaluator returned {len(result)} rows for "
                                   f"{len(part)} runs")
            result = result.copy()
            result["request_key"] = [keys[k] for k in part]
            self._write(result)
            for row in result.to_dict("records"):
                self._rows[row["request_key"]] = row
            self.runs_done += len(part)
        return pd.DataFrame([self._rows[key] for key in keys])

    def _write(self, frame: pd.DataFrame) -> None:
        from sim.io import write_atomic

        path = self.folder / f"chunk-{uuid.uuid4().hex[:12]}.parquet"
        write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
