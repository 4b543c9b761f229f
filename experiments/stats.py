"""Interval statistics over seeds: t-intervals of means and Welch intervals of differences."""

from __future__ import annotations

import math

import numpy as np

# Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
_Z975 = 1.959964


def t975(df: float) -> float:
    """Return the 97.5% quantile of Student's t with `df` degrees of freedom (NaN if df < 1)."""
    if not df >= 1:
        return float("nan")
    if df <= 30 and float(df).is_integer():
        return _T975[int(df) - 1]
    if df < 30:  # Welch's fractional df: interpolate between neighbours
        lo = _T975[int(df) - 1]
        hi = _T975[int(df)]
        return lo + (hi - lo) * (df - int(df))
    z = _Z975  # Cornish-Fisher expansion, accurate to 1e-3 beyond 30 df
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


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


def difference_interval(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Return mean(a) - mean(b) and its Welch 95% interval (NaN when either has < 2 values)."""
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if x.size < 2 or y.size < 2:
        diff = float(x.mean() - y.mean()) if x.size and y.size else float("nan")
        return diff, float("nan"), float("nan")
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    diff = float(x.mean() - y.mean())
    se = math.sqrt(vx + vy)
    if se == 0.0:
        return diff, diff, diff
    df = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
    half = t975(df) * se
    return diff, diff - half, diff + half
