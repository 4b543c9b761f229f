"""Approximate Bayesian computation (ABC-SMC, pyabc) inside the non-implausible space.

The prior is uniform over the unit cube of the calibrated parameters (uniform codes for the
categorical ones), truncated to the part that history matching did not rule out: its
density is zero elsewhere, so pyabc never simulates a ruled-out point. A particle's
summary statistics are the targets' statistics over its seed replicates; its distance to
the targets is

    d = max_t |s_t - m_t| / h_t          (m_t, h_t: middle and half-width of the range)

so d <= 1 means every statistic lies inside its range. pyabc lowers the tolerance from
population to population (median of the last distances) down to `min_epsilon`; at 1 the
accepted ensemble is the set of parameter sets whose statistics fall in every range,
weighted by how the prior and the proposals met them. The run is stored in pyabc's
SQLite database, so a killed calibration continues from its last finished population.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.space import ParameterSpace
from sim.calibration.targets import Target


def distance_function(targets: list[Target]) -> Callable[[dict, dict], float]:
    """The max-norm distance of statistics to the ranges (NaN: infinitely far)."""

    def distance(x: dict, x0: dict) -> float:  # noqa: ARG001 (the ranges are the data)
        worst = 0.0
        for t in targets:
            value = float(x[t.name])
            if not np.isfinite(value):
                return float("inf")
            worst = max(worst, abs(value - t.middle) / t.half_width)
        return worst

    return distance


def _prior_class():
    import pyabc

    class TruncatedPrior(pyabc.DistributionBase):
        """Uniform on the unit cube (codes for categories), zero where `keep` says no."""

        def __init__(self, space: ParameterSpace, keep: Callable[[np.ndarray], np.ndarray],
                     max_tries: int = 100_000):
            self.space = space
            self.keep = keep
            self.max_tries = max_tries
            self.rng = np.random.default_rng(0)

        def rvs(self, *args, **kwargs) -> pyabc.Parameter:
            tried = 0
            while tried < self.max_tries:
                points = self.space.uniform(256, self.rng)
                ok = np.flatnonzero(self.keep(points))
                if ok.size:
                    return pyabc.Parameter(dict(zip(self.space.names, points[ok[0]],
                                                    strict=True)))
                tried += 256
            raise RuntimeError(f"no non-implausible point found in {self.max_tries} draws")

        def pdf(self, x) -> float:
            point = np.array([[float(x[n]) for n in self.space.names]])
            for k, p in enumerate(self.space.parameters):
                v = point[0, k]
                if p.categorical:
                    if v != int(v) or not 0 <= v < len(p.choices):
                        return 0.0
                elif not 0.0 <= v <= 1.0:
                    return 0.0
            return 1.0 if bool(self.keep(point)[0]) else 0.0

    return TruncatedPrior


def transition(space: ParameterSpace):
    """Gaussian moves for the continuous coordinates, discrete jumps for the categories."""
    import pyabc

    cont = [p.name for p in space.continuous]
    if not space.categorical:
        return pyabc.MultivariateNormalTransition()
    mapping: dict = {}
    if cont:
        mapping[tuple(cont)] = pyabc.MultivariateNormalTransition()
    for p in space.categorical:
        mapping[p.name] = pyabc.DiscreteJumpTransition(
            domain=np.arange(len(p.choices)).astype(float), p_stay=0.7)
    return pyabc.AggregatedTransition(mapping=mapping)


def run_abc(space: ParameterSpace, targets: list[Target],
            simulate: Callable[[np.ndarray], dict[str, float]],
            keep: Callable[[np.ndarray], np.ndarray], db_path: Path, *, population: int,
            generations: int, min_epsilon: float, max_simulations: int, seed: int,
            workers: int = 1) -> tuple[pd.DataFrame, dict]:
    """Run (or continue) ABC-SMC; return the last population (unit-cube points as columns,
    `weight`) and facts about the run (populations, epsilons, simulations)."""
    import logging

    import pyabc

    for name in ("ABC", "ABC.History", "ABC.Sampler", "ABC.Epsilon", "ABC.Distance",
                 "ABC.Predictor", "ABC.Transition", "ABC.Population"):
        logging.getLogger(name).setLevel(logging.WARNING)

    def model(par) -> dict[str, float]:
        point = np.array([float(par[n]) for n in space.names])
        return simulate(point)

    sampler = (pyabc.sampler.SingleCoreSampler() if workers == 1 else
               pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers))
    prior = _prior_class()(space, keep)
    abc = pyabc.ABCSMC(model, prior, distance_function(targets), population_size=population,
                       transitions=transition(space), sampler=sampler)
    db = f"sqlite:///{Path(db_path).resolve()}"
    observed = {t.name: t.middle for t in targets}
    np.random.seed(seed)  # pyabc draws from NumPy's global generator
    prior.rng = np.random.default_rng(seed)
    done = 0
    if Path(db_path).is_file():
        history = pyabc.History(db)
        if history.n_populations > 0:
            abc.load(db, 1)
            done = history.n_populations
            np.random.seed(seed + done)
    if done == 0:
        Path(db_path).unlink(missing_ok=True)
        abc.new(db, observed)
    history = abc.history
    total_sims = int(history.total_nr_simulations) if done else 0
    last_eps = _last_epsilon(history) if done else float("inf")
    if done < generations and last_eps > min_epsilon and total_sims < max_simulations:
        history = abc.run(minimum_epsilon=min_epsilon, max_nr_populations=generations - done,
                          max_total_nr_simulations=max_simulations - total_sims)
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    frame = frame.reset_index(drop=True)[space.names]
    frame["weight"] = np.asarray(weights, float) / np.sum(weights)
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    facts = {"populations": int(len(pops)),
             "epsilons": [float(e) for e in pops["epsilon"]],
             "simulations": int(history.total_nr_simulations),
             "final_epsilon": float(pops["epsilon"].iloc[-1]),
             "reached_min_epsilon": bool(pops["epsilon"].iloc[-1] <= min_epsilon),
             "resumed_from_population": done}
    return frame, facts


def _last_epsilon(history) -> float:
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    return float(pops["epsilon"].iloc[-1]) if len(pops) else float("inf")
