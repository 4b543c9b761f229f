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


#: Label column of the posterior set a run uses (with `--posterior`).
POSTERIOR_SET = "posterior_set"


def with_posterior(batch: pd.DataFrame, name: str, root: Path | str | None = None,
                   own: tuple[str, ...] = ()) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Lay a calibrated ensemble (`sim.calibration.load_posterior(name)`) over the batch:
    the run with seed `s` takes set `s` of a weighted draw of as many sets as there are
    seeds, so the arms compared at a seed share one parameter set (paired). A calibrated
    parameter the experiment compares or groups by (`own`: its arm and context columns) or
    that the batch varies between its rows is the experiment's own lever and keeps the
    experiment's values. Returns the batch, with the label column
    `posterior_set`, and what was done (for the experiment's meta.json)."""
    from sim.calibration.posterior import PosteriorError, load_posterior

    try:
        posterior = load_posterior(name, root)
    except PosteriorError as err:
        raise ExperimentError(f"posterior={name!r}: {err}") from None
    levers = [p.name for p in posterior.space.parameters if p.name in own or (
        p.name in batch.columns and batch[p.name].astype(str).nunique() > 1)]
    seeds = sorted(batch["seed"].unique())
    drawn = posterior.sample(len(seeds), seed=0)
    overrides = posterior.overrides(drawn)
    index = {seed: k for k, seed in enumerate(seeds)}
    out = batch.copy()
    out[POSTERIOR_SET] = [index[s] for s in out["seed"]]
    for name_ in posterior.space.names:
        if name_ in levers:
            continue
        values = [overrides[k][name_] for k in out[POSTERIOR_SET]]
        out[name_] = pd.Series(values, index=out.index, dtype=object)
    facts = {"posterior": name, "posterior_sets": len(seeds),
             "posterior_calibrated": [n for n in posterior.space.names if n not in levers],
             "posterior_kept_from_experiment": levers,
             "posterior_targets": posterior.provenance.get("targets_file"),
             "posterior_code_digest": posterior.provenance.get("code_digest")}
    return out, facts


def run_runs(exp: Experiment, seeds: int, size: str, workers: int, results: Path,
             backend: dict[str, Any] | None = None, posterior: str | None = None,
             posterior_root: Path | str | None = None
             ) -> tuple[pd.DataFrame, float, dict[str, Any]]:
    """Make (or find) the experiment's runs; their summary rows in batch order, seconds and
    the facts of the posterior used (empty without one).

    `backend`: options of `sim.evaluate.evaluate` (backend, address, options) to run the
    runs elsewhere than on `workers` local processes. `posterior`: the name of a calibrated
    ensemble to run the experiment over (`with_posterior`). A dataset made by other code
    is replaced (its runs would not be the runs of this code).
    """
    from sim.evaluate import BackendError, BatchError, DatasetError, run_batch

    batch, labels = experiment_batch(exp, seeds, size, results)
    facts: dict[str, Any] = {}
    if posterior is not None:
        own = tuple(c for c in (exp.arm_column, *(c for c, _ in exp.contexts)) if c)
        batch, facts = with_posterior(batch, posterior, posterior_root, own)
        labels = [*labels, POSTERIOR_SET]
    try:
        result = run_batch(batch, out=results / exp.name / DATASET, per_step=True,
                           labels=labels, workers=workers, replace_stale=True, progress=True,
                           **(backend or {}))
    except (BatchError, DatasetError, BackendError) as err:
        raise ExperimentError(f"{exp.name}: {err}") from None
    print(f"{exp.name}: {result.ran} runs made, {result.reused} already done "
          f"({result.wall_s:.1f} s)", flush=True)
    return result.summary, result.wall_s, facts


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


__all__ = ["SIZES", "TINY_SEEDS", "DATASET", "POSTERIOR_SET", "overrides", "experiment_batch",
           "with_posterior", "run_runs", "load_runs"]
