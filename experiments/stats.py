"""Interval statistics over seeds: t-intervals of means and of differences paired by seed.

Seeds are paired across arms: seed k builds the same population of organisations in every
arm (`sim/model.py` draws the organisations from the seed first), so an arm's effect is
estimated from the per-seed differences, with a one-sample t-interval of their mean.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95


def t975(df: float) -> float:
    """Return the 97.5% quantile of Student's t with `df` degrees of freedom (NaN if df < 1)."""
    if not df >= 1:
        return float("nan")
    return float(stats.t.ppf(0.5 + LEVEL / 2, df))


def mean_interval(values: np.ndarray) -> tuple[float, float, float, int]:
    """Return mean, 95% t-interval bounds and the count of finite values (NaNs dropped)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    mean = float(x.mean())
    if n == 1:
        return mean, float("nan"), float("nan"), 1
    half = t975(n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half, n


def paired_differences(a: pd.Series, b: pd.Series) -> pd.Series:
    """Return a - b per seed, over the seeds both series have (each indexed by seed).

    Raises ValueError if a seed repeats within a series or fewer than 2 seeds are shared:
    a paired interval needs at least 2 pairs.
    """
    for name, s in (("first", a), ("second", b)):
        if s.index.has_duplicates:
            seed = s.index[s.index.duplicated()][0]
            raise ValueError(f"seed {seed} appears more than once in the {name} arm; "
                             "paired differences need one run per seed and arm")
    shared = a.index.intersection(b.index)
    if len(shared) < 2:
        raise ValueError(f"paired differences need at least 2 seeds run in both arms; "
                         f"got {len(shared)}")
    return a.loc[shared].astype(float) - b.loc[shared].astype(float)


def difference_interval(a: pd.Series, b: pd.Series) -> tuple[float, float, float]:
    """Return the mean of a - b over seeds and its 95% paired t-interval.

    `a` and `b` are one outcome per seed (indexed by seed) in two arms of one context.
    Seeds where either value is NaN (an outcome undefined in that run) are dropped; with
    fewer than 2 finite pairs the bounds are NaN. Raises ValueError (see
    `paired_differences`) if the arms share fewer than 2 seeds.
    """
    d = paired_differences(a, b).to_numpy()
    d = d[np.isfinite(d)]
    if d.size == 0:
        return float("nan"), float("nan"), float("nan")
    diff = float(d.mean())
    if d.size < 2:
        return diff, float("nan"), float("nan")
    sd = float(d.std(ddof=1))
    if sd == 0.0:
        # Every seed gives the same difference: the interval collapses to that value, so a
        # constant nonzero difference over >= 2 seeds counts as separated from zero (and a
        # constant zero difference does not). This is exact, not a rounding artefact: the
        # arms differ by the same amount on the same populations.
        return diff, diff, diff
    half = t975(d.size - 1) * sd / math.sqrt(d.size)
    return diff, diff - half, diff + half
