"""The experiment's tables from its runs: means with intervals, effects against the control
and winners, each a long DataFrame (one row per context, arm and outcome).

Differences between arms are paired by seed (seed k is the same population in every arm),
with the t-intervals of `experiments.stats`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from experiments.spec import Experiment
from experiments.stats import difference_interval, mean_interval

TIE = "tie"


class ExperimentError(RuntimeError):
    """A run or its analysis failed; the message says which and why, in one line."""


def _cells(exp: Experiment, runs: pd.DataFrame):
    """Iterate (context values, runs of that context), contexts in sorted order."""
    columns = [c for c, _ in exp.contexts]
    if not columns:
        yield {}, runs
        return
    for values, group in runs.groupby(columns, sort=True):
        values = values if isinstance(values, tuple) else (values,)
        yield dict(zip(columns, values, strict=True)), group


def arms_present(exp: Experiment, runs: pd.DataFrame) -> list[str]:
    order = {a: k for k, a in enumerate(exp.arms)}
    return sorted(runs["arm"].unique(), key=lambda a: (order.get(a, len(order)), a))


def mean_table(exp: Experiment, runs: pd.DataFrame) -> pd.DataFrame:
    """Long table: context, arm, outcome, mean, 95% t-interval and seeds counted."""
    rows = []
    for context, group in _cells(exp, runs):
        for arm in arms_present(exp, group):
            sub = group[group["arm"] == arm]
            for o in exp.outcome_specs:
                mean, lo, hi, n = mean_interval(sub[o.name].to_numpy())
                rows.append({**context, "arm": arm, "outcome": o.name, "label": o.label,
                             "mean": mean, "ci_low": lo, "ci_high": hi, "n": n})
    return pd.DataFrame(rows)


def by_seed(group: pd.DataFrame, arm: str, column: str) -> pd.Series:
    """One outcome of one arm's runs, indexed by seed (for differences paired by seed)."""
    sub = group[group["arm"] == arm]
    return pd.Series(sub[column].to_numpy(dtype=float), index=sub["seed"].to_numpy())


def paired_interval(exp: Experiment, context: dict[str, Any], group: pd.DataFrame, arm: str,
                    other: str, column: str) -> tuple[float, float, float]:
    """`arm` minus `other` on `column` in one context, paired by seed, with its 95% interval;
    an ExperimentError names the context if the arms cannot be paired."""
    try:
        return difference_interval(by_seed(group, arm, column), by_seed(group, other, column))
    except ValueError as err:
        from experiments.figures import describe

        where = f" at {describe(exp, context)}" if context else ""
        raise ExperimentError(f"{exp.name}: {arm} minus {other}{where}: {err} "
                              "(rerun with --seeds 2 or more)") from None


def effects_table(exp: Experiment, runs: pd.DataFrame) -> pd.DataFrame:
    """Long table: each arm minus the control arm in its context, with a 95% interval of the
    per-seed differences (seed k is the same population in every arm)."""
    rows = []
    for context, group in _cells(exp, runs):
        control = group[group["arm"] == exp.control_arm]
        if control.empty:
            continue
        for arm in arms_present(exp, group):
            if arm == exp.control_arm:
                continue
            for o in exp.outcome_specs:
                diff, lo, hi = paired_interval(exp, context, group, arm, exp.control_arm, o.name)
                rows.append({**context, "arm": arm, "control": exp.control_arm, "outcome": o.name,
                             "label": o.label, "difference": diff, "ci_low": lo, "ci_high": hi,
                             "separated": bool(lo > 0 or hi < 0)})
    return pd.DataFrame(rows)


def winners_table(exp: Experiment, runs: pd.DataFrame) -> pd.DataFrame:
    """Per context and outcome: the best arm, the runner-up, and whether they separate.

    `separated` is true when the 95% interval of best minus runner-up, paired by seed,
    excludes zero.
    When the best means are equal the best is `tie` and `runner_up` lists the tied arms.
    Arms without a finite value of the outcome (cost per partnership without platforms)
    do not compete on it.
    """
    rows = []
    for context, group in _cells(exp, runs):
        for o in exp.outcome_specs:
            means = {arm: float(np.nanmean(v)) for arm, v in
                     group.groupby("arm")[o.name].apply(np.asarray).items()
                     if np.isfinite(v).sum() > 0}
            if not means:
                continue
            ranked = sorted(means, key=means.get, reverse=o.higher_is_better)
            best = ranked[0]
            row = {**context, "outcome": o.name, "label": o.label, "best": best,
                   "best_mean": means[best], "runner_up": None, "runner_up_mean": np.nan,
                   "difference": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                   "separated": False}
            if len(ranked) > 1 and np.isclose(means[ranked[0]], means[ranked[1]], rtol=1e-9,
                                              atol=1e-12):
                tied = [a for a in ranked if np.isclose(means[a], means[best], rtol=1e-9,
                                                        atol=1e-12)]
                row.update(best=TIE, runner_up="=".join(tied), runner_up_mean=means[best],
                           difference=0.0)
            elif len(ranked) > 1:
                second = ranked[1]
                diff, lo, hi = paired_interval(exp, context, group, best, second, o.name)
                row.update(runner_up=second, runner_up_mean=means[second], difference=diff,
                           ci_low=lo, ci_high=hi, separated=bool(lo > 0 or hi < 0))
            rows.append(row)
    return pd.DataFrame(rows)


