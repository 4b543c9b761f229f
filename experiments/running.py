"""Running an experiment: its Hydra config as one batch of the evaluation layer.

The experiment's runs are the jobs of `python -m sim -m +experiment=<name> seed=range(0,N)`
(plus `+size=tiny` and the experiment's `tiny_grid` at the tiny size): Hydra composes and
validates each distinct configuration once (`sim.config.validate_jobs`), and the runs go
through `sim.evaluate` into the experiment's dataset, `results/<name>/dataset/`, where a
rerun finds the runs already made and makes only the missing ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from experiments.spec import Experiment
from experiments.tables import ExperimentError

SIZES = ("tiny", "default")
TINY_SEEDS = 2
DATASET = "dataset"


def overrides(exp: Experiment, seeds: int, size: str, results: Path) -> list[str]:
    """The sweep's command-line overrides: `python -m sim -m <these>` runs the same runs."""
    shrink = ["+size=tiny", *exp.tiny_grid] if size == "tiny" else []
    return [f"+experiment={exp.name}", *shrink, f"seed=range(0,{seeds})",
            f"results_dir={results}"]


def experiment_batch(exp: Experiment, seeds: int, size: str, results: Path
                     ) -> tuple[pd.DataFrame, list[str]]:
    """The experiment's batch table and its label columns (the swept config groups)."""
    from sim.config import ConfigError, override_labels, validate_jobs
    from sim.runner import batch_of

    try:
        jobs = validate_jobs(overrides(exp, seeds, size, results), multirun=True)
    except ConfigError as err:
        raise ExperimentError(f"{exp.name}: {err}") from None
    labels = override_labels([job for _, job in jobs])
    return batch_of([settings for settings, _ in jobs], labels), list(labels[0]) if labels else []


def run_runs(exp: Experiment, seeds: int, size: str, workers: int, results: Path,
             backend: dict[str, Any] | None = None) -> tuple[pd.DataFrame, float]:
    """Make (or find) the experiment's runs; their summary rows in batch order and seconds.

    `backend`: options of `sim.evaluate.evaluate` (backend, address, options) to run the
    runs elsewhere than on `workers` local processes. A dataset made by other code is
    replaced (its runs would not be the runs of this code).
    """
    from sim.evaluate import BackendError, BatchError, DatasetError, run_batch

    batch, labels = experiment_batch(exp, seeds, size, results)
    try:
        result = run_batch(batch, out=results / exp.name / DATASET, per_step=True,
                           labels=labels, workers=workers, replace_stale=True, progress=True,
                           **(backend or {}))
    except (BatchError, DatasetError, BackendError) as err:
        raise ExperimentError(f"{exp.name}: {err}") from None
    print(f"{exp.name}: {result.ran} runs made, {result.reused} already done "
          f"({result.wall_s:.1f} s)", flush=True)
    return result.summary, result.wall_s


def load_runs(exp: Experiment, summaries: pd.DataFrame, dataset: Path
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs with their `arm` (runs outside the comparison dropped) and context columns,
    and their monthly table from the dataset."""
    from sim.evaluate import DatasetError, read_steps

    runs = summaries.copy()
    runs["arm"] = exp.arm(runs)
    runs = runs[runs["arm"].notna()].copy()
    for column, _ in exp.contexts:
        if column not in runs.columns:
            runs[column] = "all"
    try:
        steps = read_steps(dataset, list(runs["run_key"]))
    except DatasetError as err:
        raise ExperimentError(f"{err}; run the experiment first") from None
    return runs, steps


__all__ = ["SIZES", "TINY_SEEDS", "DATASET", "overrides", "experiment_batch", "run_runs",
           "load_runs"]
