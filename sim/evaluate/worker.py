"""Run a chunk of runs in one process and return their tidy tables: what every backend calls.

A run is `PartnershipModel(rng=seed, **params)` stepped `steps` months, nothing else: no
configuration is composed, no file is written and no Mesa agent is built. The summary row
is the run's key and seed, its months, every parameter, `sim.metrics.run_summary` and the
outcomes of `sim.outcomes` that are derived from the monthly table.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.evaluate.batch import Run
from sim.metrics import SUMMARY_TAIL_MONTHS
from sim.outcomes import DERIVED


@dataclass(frozen=True)
class Chunk:
    """Runs handed to one worker call; `name` names the dataset part its results become."""

    name: str
    runs: tuple[Run, ...]


@dataclass
class ChunkResult:
    """The tables of a chunk's runs: summary rows, monthly table (or None), model seconds."""

    name: str
    rows: list[dict[str, Any]]
    steps: pd.DataFrame | None
    model_seconds: float
    pid: int


def compensated_sum(values: np.ndarray) -> tuple[float, int]:
    """Kahan-compensated sum of the non-NaN values and their count: the arithmetic of pandas'
    groupby sum and mean, so a derived outcome equals grouping a sweep's monthly table by
    run, to the last bit."""
    total = compensation = 0.0
    count = 0
    for value in values.tolist():
        if value != value:  # NaN
            continue
        y = value - compensation
        t = total + y
        compensation = t - total - y
        if compensation != compensation:  # an infinite value
            compensation = 0.0
        total = t
        count += 1
    return total, count


def _reduce(frame: pd.DataFrame, columns: list[str], how: str) -> dict[str, float]:
    """Column sums or means (compensated) of one run's monthly table."""
    out = {}
    for column in columns:
        total, count = compensated_sum(frame[column].to_numpy(dtype=np.float64))
        out[column] = total if how == "sum" else (total / count if count else float("nan"))
    return out


def derived_outcomes(summary: dict[str, Any], series: pd.DataFrame,
                     n_orgs_total: int) -> dict[str, float]:
    """The outcomes of `sim.outcomes.DERIVED` for one run (see that module for each kind)."""
    out: dict[str, float] = {}
    per_org = [o.derive[1] for o in DERIVED if o.derive[0] == "per_org"]
    ends = [o.derive[1] for o in DERIVED if o.derive[0] == "end"]
    if per_org and len(series):
        totals = _reduce(series, per_org, "sum")
        out.update({f"{m}_per_org": float(totals[m]) / n_orgs_total for m in per_org})
    if ends and len(series):
        steps = np.arange(1, len(series) + 1)
        tail = series[steps > len(series) - SUMMARY_TAIL_MONTHS]
        means = _reduce(tail, ends, "mean")
        out.update({f"{m}_end": float(means[m]) for m in ends})
    for o in DERIVED:
        if o.derive[0] == "sum":
            out[o.name] = float(summary[o.derive[1]]) + float(summary[o.derive[2]])
        out.setdefault(o.name, float("nan"))
    return out


def summary_row(run: Run, summary: dict[str, Any], derived: dict[str, float]) -> dict[str, Any]:
    """One tidy row: key, seed, months, every parameter, then the run summary and derived
    outcomes (sector tuples as JSON lists)."""
    row: dict[str, Any] = {"run_key": run.key, "seed": run.seed, "steps": run.steps}
    for name, value in run.params.items():
        if name not in summary:
            row[name] = json.dumps(list(value)) if isinstance(value, tuple) else value
    for name, value in summary.items():
        row.setdefault(name, value)
    row.update(derived)
    return row


def simulate(run: Run, per_step: bool = True, progress: bool = False
             ) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Build and run the model of `run`; its summary row and (if `per_step`) monthly table."""
    from sim.model import PartnershipModel

    model = PartnershipModel(rng=run.seed, **run.params)
    from sim.console import RunProgress

    with RunProgress(run.steps, enabled=progress, engine=model.params.engine) as bar:
        for _ in range(run.steps):
            model.step()
            bar.update()
    summary = model.summary()
    series = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    derived = derived_outcomes(summary, series, model.n_total)
    row = summary_row(run, summary, derived)
    if not per_step:
        return row, None
    series.insert(0, "step", range(1, len(series) + 1))
    series.insert(0, "seed", run.seed)
    series.insert(0, "run_key", run.key)
    return row, series


def run_chunk(chunk: Chunk, per_step: bool, progress: bool = False) -> ChunkResult:
    """Run every run of `chunk` in this process, in order (`progress`: a bar over months)."""
    rows, frames = [], []
    started = time.perf_counter()
    for run in chunk.runs:
        row, series = simulate(run, per_step, progress)
        rows.append(row)
        if series is not None:
            frames.append(series)
    steps = pd.concat(frames, ignore_index=True) if frames else None
    return ChunkResult(chunk.name, rows, steps, time.perf_counter() - started, os.getpid())


__all__ = ["Chunk", "ChunkResult", "run_chunk", "simulate", "summary_row", "derived_outcomes"]
