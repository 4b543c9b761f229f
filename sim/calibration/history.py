"""History matching: Gaussian-process emulators per target, implausibility, waves.

Each wave runs a space-filling design of parameter sets (inside what earlier waves left),
fits one emulator per target (a scikit-learn Gaussian process on the unit-cube point,
categorical parameters one-hot, with a white-noise term that learns the run-to-run spread
of the statistic) and rules out every point whose implausibility exceeds the cut-off:

    I_t(x) = |E[f_t(x)] - m_t| / sqrt(Var[f_t(x)] + (h_t / 3)^2 + (d h_t)^2)

where m_t and h_t are the middle and half-width of target t's range, Var[f_t(x)] is the
emulator's predictive variance (its uncertainty plus the learned noise of a seed-average),
the range is read as the target's +/-3 sigma, and d is a model-discrepancy share of the
half-width. A point stays "not ruled out yet" (NROY) while its `rank`-th largest I_t is at
most `cutoff` (3, Pukelsheim's three-sigma rule) under every wave's emulators. See
Vernon et al. (2010) and McCulloch et al. (2022) for the method.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.calibration.space import ParameterSpace
from sim.calibration.targets import Target


class Emulator:
    """A Gaussian-process emulator of one target's statistic over the parameter space."""

    def __init__(self, target: Target, seed: int = 0):
        self.target = target
        self.seed = seed
        self.gp = None
        self.constant: float | None = None
        self.cv_r2 = float("nan")
        self.n_train = 0

    def fit(self, features: np.ndarray, y: np.ndarray) -> Emulator:
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        keep = np.isfinite(y)
        X, y = features[keep], y[keep]
        self.n_train = int(keep.sum())
        if self.n_train < 3 or np.ptp(y) == 0:
            # too few or constant values: a flat emulator with the observed spread
            self.constant = float(np.mean(y)) if self.n_train else float("nan")
            self.spread = float(np.std(y)) if self.n_train > 1 else float("inf")
            return self
        d = X.shape[1]
        kernel = (ConstantKernel(1.0, (1e-3, 1e3))
                  * Matern(length_scale=np.full(d, 0.5), length_scale_bounds=(0.03, 30.0),
                           nu=2.5)
                  + WhiteKernel(0.05, (1e-6, 1.0)))

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence warnings at the bounds
            self.gp = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=2,
                                               random_state=self.seed).fit(X, y)
        self.cv_r2 = _loo_r2(self.gp, X, y)
        return self

    def predict(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predictive mean and standard deviation (noise of a seed-average included)."""
        if self.gp is None:
            n = len(features)
            return np.full(n, self.constant), np.full(n, self.spread)
        mean, sd = self.gp.predict(features, return_std=True)
        return mean, sd


def _loo_r2(gp, X: np.ndarray, y: np.ndarray) -> float:
    """Leave-one-out R^2 of a fitted emulator, in closed form with its fitted kernel
    (residual i = [K^-1 y]_i / [K^-1]_ii): how much of the statistic it predicts."""
    K = gp.kernel_(X) + gp.alpha * np.eye(len(X))
    y_n = (y - gp._y_train_mean) / gp._y_train_std
    K_inv = np.linalg.inv(K)
    residual = (K_inv @ y_n) / np.diag(K_inv)
    total = np.sum((y_n - y_n.mean()) ** 2)
    return float(1.0 - np.sum(residual ** 2) / total) if total > 0 else float("nan")


def implausibility(emulators: list[Emulator], features: np.ndarray,
                   discrepancy: float = 0.0) -> np.ndarray:
    """Implausibility of each point (rows) for each target (columns)."""
    out = np.empty((len(features), len(emulators)))
    for j, em in enumerate(emulators):
        mean, sd = em.predict(features)
        t = em.target
        var = sd ** 2 + (t.half_width / 3.0) ** 2 + (discrepancy * t.half_width) ** 2
        out[:, j] = np.abs(mean - t.middle) / np.sqrt(var)
    return np.where(np.isfinite(out), out, np.inf)


def ranked(values: np.ndarray, rank: int) -> np.ndarray:
    """The `rank`-th largest value of each row (1: the maximum)."""
    rank = min(rank, values.shape[1])
    return np.sort(values, axis=1)[:, -rank]


@dataclass
class Wave:
    """One wave: its emulators and what they left."""

    index: int
    emulators: list[Emulator]
    n_design: int
    n_train: int
    nroy_fraction: float  # share of the whole prior still NROY after this wave
    cv_r2: dict[str, float] = field(default_factory=dict)


@dataclass
class HistoryMatch:
    """The waves so far and the test that a point is not ruled out yet."""

    space: ParameterSpace
    targets: list[Target]
    cutoff: float = 3.0
    rank: int = 1
    discrepancy: float = 0.0
    waves: list[Wave] = field(default_factory=list)

    def max_implausibility(self, points: np.ndarray, waves: list[Wave] | None = None
                           ) -> np.ndarray:
        """The largest (ranked) implausibility of each point over the given waves."""
        feats = self.space.features(points)
        worst = np.zeros(len(points))
        for wave in self.waves if waves is None else waves:
            imp = implausibility(wave.emulators, feats, self.discrepancy)
            worst = np.maximum(worst, ranked(imp, self.rank))
        return worst

    def nroy(self, points: np.ndarray) -> np.ndarray:
        """Whether each point is not ruled out yet by any wave."""
        if not self.waves:
            return np.ones(len(points), bool)
        return self.max_implausibility(points) <= self.cutoff

    def candidates(self, n: int, rng: np.random.Generator, pool: int,
                   max_pool: int) -> np.ndarray:
        """Up to `n` NROY points drawn from uniform pools of `pool` points at a time (at
        most `max_pool` tried)."""
        found: list[np.ndarray] = []
        tried = 0
        while sum(len(f) for f in found) < n and tried < max_pool:
            points = self.space.uniform(pool, rng)
            found.append(points[self.nroy(points)])
            tried += pool
        points = np.concatenate(found) if found else np.zeros((0, len(self.space.names)))
        if len(points) > n:
            points = points[rng.choice(len(points), n, replace=False)]
        return points

    def add_wave(self, points: np.ndarray, stats: pd.DataFrame, n_design: int,
                 rng: np.random.Generator, pool: int, seed: int) -> Wave:
        """Fit this wave's emulators on `points` (NROY runs so far) and their statistics."""
        feats = self.space.features(points)
        emulators = [Emulator(t, seed).fit(feats, stats[t.name].to_numpy(float))
                     for t in self.targets]
        wave = Wave(len(self.waves) + 1, emulators, n_design, len(points), float("nan"),
                    {em.target.name: em.cv_r2 for em in emulators})
        self.waves.append(wave)
        probe = self.space.uniform(pool, rng)
        wave.nroy_fraction = float(self.nroy(probe).mean())
        return wave
