"""Turn runs into per-sample outputs and compute Morris and Sobol' indices with intervals.

Outputs per sample (each the mean over seed replicates): every headline outcome under
each design (`national:partnerships_per_1000`, ...), the paired difference between the
two designs at equal budget and the same seed (`diff:partnerships_per_1000`, ...), and
`design_gap`, the relative difference in total goal outcome (direct + indirect),
2 (a - b) / (a + b), the headline measure of which design wins and by how much.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.sensitivity.ranges import Factor, salib_problem
from sim.sensitivity.runs import OUTCOMES

HEADLINE = "design_gap"
CONF_LEVEL = 0.95


def output_names(designs: tuple[str, ...]) -> list[str]:
    """The analysed output columns: the design gap, differences, then levels per design."""
    outcomes = [*OUTCOMES, "outcome_total"]
    return ([HEADLINE] + [f"diff:{o}" for o in outcomes]
            + [f"{d}:{o}" for d in designs for o in outcomes])


def sample_outputs(samples: pd.DataFrame, runs: pd.DataFrame,
                   designs: tuple[str, ...]) -> pd.DataFrame:
    """One row per sample: its outputs, averaged over seeds, and the seed-to-seed spread."""
    a, b = designs
    outcomes = [*OUTCOMES, "outcome_total"]
    wide = runs.pivot_table(index=["config", "seed"], columns="design", values=outcomes)
    per_run = pd.DataFrame(index=wide.index)
    for o in outcomes:
        for d in designs:
            per_run[f"{d}:{o}"] = wide[(o, d)]
        per_run[f"diff:{o}"] = wide[(o, a)] - wide[(o, b)]
    total_a, total_b = wide[("outcome_total", a)], wide[("outcome_total", b)]
    per_run[HEADLINE] = 2.0 * (total_a - total_b) / (total_a + total_b)
    means = per_run.groupby(level="config").mean()
    means[f"{HEADLINE}_seed_sd"] = per_run[HEADLINE].groupby(level="config").std(ddof=1)
    means[f"{a}_wins_share"] = (per_run[HEADLINE] > 0).groupby(level="config").mean()
    out = samples.merge(means, left_on="config", right_index=True, how="left")
    missing = out[HEADLINE].isna()
    if missing.any():
        raise ValueError(f"{int(missing.sum())} samples have no runs for both designs "
                         f"(first: config {out.loc[missing, 'config'].iloc[0]})")
    return out


def finite_outputs(outputs: pd.DataFrame, name: str) -> np.ndarray:
    """Output `name` per sample, with undefined values (NaN, e.g. no partnership ended, or
    +/-inf) replaced by the mean of the finite ones (0 if none), as SALib needs finite
    outputs."""
    y = outputs[name].to_numpy(dtype=float)
    finite = np.isfinite(y)
    if not finite.all():
        y = np.where(finite, y, float(y[finite].mean()) if finite.any() else 0.0)
    return y


def morris_indices(factors: list[Factor], matrix: np.ndarray, outputs: pd.DataFrame,
                   names: list[str], levels: int, seed: int,
                   resamples: int = 1000) -> pd.DataFrame:
    """Morris mu, mu*, sigma and the bootstrap interval of mu*, per output and factor."""
    from SALib.analyze import morris

    problem = salib_problem(factors)
    frames = []
    for name in names:
        y = finite_outputs(outputs, name)
        res = morris.analyze(problem, matrix, y, num_resamples=resamples,
                             conf_level=CONF_LEVEL, num_levels=levels, seed=seed)
        frame = pd.DataFrame({"output": name, "factor": problem["names"],
                              "mu": res["mu"], "mu_star": res["mu_star"],
                              "sigma": res["sigma"], "mu_star_conf": res["mu_star_conf"]})
        top = frame["mu_star"].max()
        frame["mu_star_norm"] = frame["mu_star"] / top if top > 0 else 0.0
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def select_factors(morris: pd.DataFrame, k: int, exclude: tuple[str, ...] = ()) -> list[str]:
    """The `k` factors that matter most: design gap first, then by normalised mu* overall.

    Half the places (rounded up) go to the top factors for the design gap; the rest to the
    highest normalised mu* over every other output.
    """
    table = morris[~morris["factor"].isin(exclude)]
    gap = table[table["output"] == HEADLINE].sort_values("mu_star", ascending=False)
    chosen = [f for f in gap["factor"] if gap.set_index("factor").at[f, "mu_star"] > 0]
    chosen = chosen[: (k + 1) // 2]
    rest = (table[table["output"] != HEADLINE].groupby("factor")["mu_star_norm"].max()
            .sort_values(ascending=False))
    for name in list(rest.index) + list(gap["factor"]):
        if len(chosen) >= k:
            break
        if name not in chosen:
            chosen.append(name)
    return chosen


def sobol_indices(factors: list[Factor], outputs: pd.DataFrame, names: list[str], seed: int,
                  resamples: int = 1000) -> pd.DataFrame:
    """Sobol' first-order (S1) and total (ST) indices with bootstrap intervals."""
    from SALib.analyze import sobol

    problem = salib_problem(factors)
    frames = []
    for name in names:
        y = finite_outputs(outputs, name)
        if np.std(y) == 0:
            zero = np.zeros(len(factors))
            res = {"S1": zero, "S1_conf": zero, "ST": zero, "ST_conf": zero}
        else:
            res = sobol.analyze(problem, y, calc_second_order=False, num_resamples=resamples,
                                conf_level=CONF_LEVEL, seed=seed)
        frames.append(pd.DataFrame({"output": name, "factor": problem["names"],
                                    "S1": res["S1"], "S1_conf": res["S1_conf"],
                                    "ST": res["ST"], "ST_conf": res["ST_conf"]}))
    return pd.concat(frames, ignore_index=True)


def noise_share(outputs: pd.DataFrame, n_seeds: int) -> float:
    """Share of the variance of the seed-averaged design gap that is seed-to-seed noise.

    The noise variance of a mean over `n_seeds` replicates is the mean within-sample
    variance divided by `n_seeds`; NaN with a single seed (no replicates to measure it).
    """
    if n_seeds < 2 or len(outputs) < 2:
        return float("nan")
    noise = float((outputs[f"{HEADLINE}_seed_sd"] ** 2).mean()) / n_seeds
    total = float(outputs[HEADLINE].var(ddof=1))
    return min(1.0, noise / total) if total > 0 else float("nan")
