"""Diagnostics a referee reads: what the calibrated ensemble says and how far to trust it.

- Parameters: prior range against the posterior's credible interval (weighted quantiles in
  the unit cube; for a categorical parameter, the smallest set of choices holding that much
  weight), their width ratio, and whether the targets identify the parameter (ratio below
  `identified_below`); with the identical twin, the truth and whether it lies inside.
- Posterior-predictive check: sets drawn from the ensemble by weight, run again with fresh
  seeds; per target (held-back validation targets included) the share of sets whose
  statistic falls inside the range, against the same share over the first wave's design
  (the prior).
- Leave one target out: with the first wave's emulators over a uniform pool of the prior,
  the non-implausible share and each parameter's interval width with every target, without
  each one, and with each one alone (which targets constrain which parameters).
- Correlations between parameters in the ensemble (weighted Pearson, unit-cube coordinates).
- Emulator quality: cross-validated R^2 per wave and target.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.history import HistoryMatch, implausibility
from sim.calibration.space import ParameterSpace
from sim.calibration.targets import Target


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: np.ndarray | float) -> np.ndarray:
    """Quantiles of `x` under weights `w` (interpolated on the weighted CDF)."""
    order = np.argsort(x)
    x, w = np.asarray(x, float)[order], np.asarray(w, float)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, x)


def credible_set(codes: np.ndarray, w: np.ndarray, n_choices: int, mass: float) -> list[int]:
    """The fewest choices (codes) holding at least `mass` of the weight, most likely first."""
    prob = np.bincount(codes.astype(int), weights=w, minlength=n_choices) / w.sum()
    order = np.argsort(-prob)
    held = np.cumsum(prob[order])
    return [int(c) for c in order[: int(np.searchsorted(held, mass - 1e-12)) + 1]]


def _in_set(p, kept: list[int]):
    return lambda v: p.choices.index(v) in kept


def _in_interval(p, lo: float, hi: float):
    return lambda v: lo - 1e-9 <= p.coordinate(v) <= hi + 1e-9


def parameter_table(space: ParameterSpace, ensemble: pd.DataFrame, interval: float,
                    identified_below: float, truth: dict[str, Any] | None = None
                    ) -> pd.DataFrame:
    """One row per parameter: prior, posterior interval, width ratio, identified, truth."""
    points = space.points(ensemble)
    w = ensemble["weight"].to_numpy(float)
    lo_q, hi_q = (1 - interval) / 2, (1 + interval) / 2
    rows = []
    for k, p in enumerate(space.parameters):
        row: dict[str, Any] = {"parameter": p.name, "kind": p.kind, "prior": p.range_text()}
        if p.categorical:
            kept = credible_set(points[:, k], w, len(p.choices), interval)
            prob = np.bincount(points[:, k].astype(int), weights=w,
                               minlength=len(p.choices)) / w.sum()
            row.update(posterior=" / ".join(f"{c}: {q:.2f}" for c, q in zip(p.choices, prob,
                                                                           strict=True)),
                       interval=" / ".join(str(p.choices[c]) for c in kept),
                       width_ratio=len(kept) / len(p.choices), mean=np.nan)
            inside = _in_set(p, kept)
        else:
            q_lo, q_mid, q_hi = weighted_quantile(points[:, k], w, [lo_q, 0.5, hi_q])
            values = [p.value(q) for q in (q_lo, q_mid, q_hi)]
            row.update(posterior=f"{values[1]:.4g}", interval=f"{values[0]:.4g}..{values[2]:.4g}",
                       lower=values[0], median=values[1], upper=values[2],
                       width_ratio=(q_hi - q_lo) / interval,
                       mean=p.value(float(np.average(points[:, k], weights=w))))
            inside = _in_interval(p, q_lo, q_hi)
        row["identified"] = bool(row["width_ratio"] < identified_below)
        if truth is not None:
            row["truth"] = truth[p.name]
            row["truth_inside"] = bool(inside(truth[p.name]))
        rows.append(row)
    return pd.DataFrame(rows)


def posterior_predictive(space: ParameterSpace, ensemble: pd.DataFrame, runner, seeds: list[int],
                         n_sets: int, seed: int) -> pd.DataFrame:
    """Statistics of `n_sets` ensemble members (drawn by weight) run with fresh `seeds`."""
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(ensemble), n_sets, replace=True, p=ensemble["weight"].to_numpy())
    points = space.points(ensemble.iloc[pick])
    return runner.statistics(points, seeds)


def ppc_table(targets: list[Target], posterior_stats: pd.DataFrame,
              prior_stats: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for t in targets:
        post = posterior_stats[t.name].to_numpy(float)
        prior = prior_stats[t.name].to_numpy(float) if t.name in prior_stats else np.array([])
        rows.append({"target": t.name, "output": t.output, "use": t.use, "strength": t.strength,
                     "low": t.low, "high": t.high,
                     "prior_share_inside": float(np.mean([t.inside(v) for v in prior]))
                     if prior.size else np.nan,
                     "posterior_share_inside": float(np.mean([t.inside(v) for v in post])),
                     "posterior_median": float(np.nanmedian(post)) if np.isfinite(post).any()
                     else np.nan,
                     "posterior_q05": float(np.nanquantile(post, 0.05))
                     if np.isfinite(post).any() else np.nan,
                     "posterior_q95": float(np.nanquantile(post, 0.95))
                     if np.isfinite(post).any() else np.nan,
                     "source": t.citation()})
    return pd.DataFrame(rows)


def leave_one_out(space: ParameterSpace, hm: HistoryMatch, pool: int, interval: float,
                  seed: int) -> pd.DataFrame:
    """Non-implausible share and interval widths with all targets, without each, each alone
    (first wave's emulators, maximum implausibility, over a uniform pool of the prior)."""
    rng = np.random.default_rng(seed)
    points = space.uniform(pool, rng)
    imp = implausibility(hm.waves[0].emulators, space.features(points), hm.discrepancy)
    names = [em.target.name for em in hm.waves[0].emulators]
    conditions = {"all targets": np.ones(len(names), bool)}
    for j, n in enumerate(names):
        conditions[f"without {n}"] = np.arange(len(names)) != j
    for j, n in enumerate(names):
        conditions[f"only {n}"] = np.arange(len(names)) == j
    lo_q, hi_q = (1 - interval) / 2, (1 + interval) / 2
    rows = []
    for label, use in conditions.items():
        keep = (imp[:, use] <= hm.cutoff).all(axis=1) if use.any() else np.ones(pool, bool)
        row: dict[str, Any] = {"condition": label, "nroy_share": float(keep.mean())}
        for k, p in enumerate(space.parameters):
            x = points[keep, k]
            if p.categorical or x.size < 5:
                row[p.name] = (np.nan if x.size < 5 else
                               len(np.unique(x)) / len(p.choices))
            else:
                a, b = np.quantile(x, [lo_q, hi_q])
                row[p.name] = (b - a) / interval
        rows.append(row)
    return pd.DataFrame(rows)


def correlations(space: ParameterSpace, ensemble: pd.DataFrame) -> pd.DataFrame:
    """Weighted Pearson correlations of the continuous parameters' unit-cube coordinates."""
    cont = [p.name for p in space.continuous]
    points = space.points(ensemble)[:, [space.names.index(n) for n in cont]]
    w = ensemble["weight"].to_numpy(float)
    if len(cont) < 2 or len(points) < 3:
        return pd.DataFrame(index=cont, columns=cont, dtype=float)
    cov = np.cov(points.T, aweights=w)
    sd = np.sqrt(np.clip(np.diag(cov), 1e-300, None))
    return pd.DataFrame(cov / np.outer(sd, sd), index=cont, columns=cont)


def strongest_pairs(corr: pd.DataFrame, threshold: float = 0.3) -> list[tuple[str, str, float]]:
    pairs = []
    names = list(corr.columns)
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            r = float(corr.iloc[a, b])
            if np.isfinite(r) and abs(r) >= threshold:
                pairs.append((names[a], names[b], r))
    return sorted(pairs, key=lambda x: -abs(x[2]))


def run_diagnostics(plan, space: ParameterSpace, hm: HistoryMatch, targets: list[Target],
                    held_back: list[Target], ensemble: pd.DataFrame, waves: pd.DataFrame,
                    runner, fresh_seeds: list[int], folder: Path,
                    provenance: dict[str, Any]) -> dict[str, Any]:
    """Compute every diagnostic, write its table into `folder`, return the summary."""
    from sim.calibration.report import write_report
    from sim.io import write_text_atomic

    folder.mkdir(parents=True, exist_ok=True)
    dg = plan.diagnostics
    truth = provenance.get("twin_truth")
    params = parameter_table(space, ensemble, dg["interval"], dg["identified_below"], truth)
    post_stats = posterior_predictive(space, ensemble, runner, fresh_seeds, dg["ppc_sets"],
                                      plan.seed)
    first = waves[waves["wave"] == 1]
    prior_stats = first[[c for c in first.columns if c.startswith("stat_")]]
    prior_stats.columns = [c[len("stat_"):] for c in prior_stats.columns]
    ppc = ppc_table([*targets, *held_back], post_stats, prior_stats)
    loto = leave_one_out(space, hm, dg["loto_pool"], dg["interval"], plan.seed)
    corr = correlations(space, ensemble)
    emulators = pd.DataFrame([{"wave": w.index, "target": name, "cv_r2": r2,
                               "trained_on": w.n_train, "nroy_share": w.nroy_fraction}
                              for w in hm.waves for name, r2 in w.cv_r2.items()])
    tables = {"parameters": params, "posterior_predictive": ppc, "leave_one_out": loto,
              "emulators": emulators}
    for name, table in tables.items():
        write_text_atomic(folder / f"{name}.csv", table.to_csv(index=False))
    write_text_atomic(folder / "correlations.csv", corr.to_csv())
    write_text_atomic(folder / "ppc_statistics.csv", post_stats.to_csv(index=False))
    summary = {
        "name": plan.name, "size": plan.size,
        "parameters": len(space.names), "targets": [t.name for t in targets],
        "held_back": [t.name for t in held_back],
        "identified": params.loc[params["identified"], "parameter"].tolist(),
        "unidentified": params.loc[~params["identified"], "parameter"].tolist(),
        "ppc_share_inside": dict(zip(ppc["target"], ppc["posterior_share_inside"],
                                     strict=True)),
        "prior_share_inside": dict(zip(ppc["target"], ppc["prior_share_inside"], strict=True)),
        "strong_correlations": [list(x) for x in strongest_pairs(corr)],
        "nroy_share": [w.nroy_fraction for w in hm.waves],
        "abc": provenance["method"]["abc_result"],
        "runs_evaluated_now": provenance["runs_evaluated_now"],
        "seconds_per_run": provenance["seconds_per_run"],
        "posterior_wall_time_s": provenance["wall_time_s"],
        "code_digest": None,
    }
    if truth is not None:
        ident = params[params["identified"]]
        summary["twin"] = {"truth": truth,
                           "identified_truth_inside": bool(ident["truth_inside"].all()),
                           "outside": ident.loc[~ident["truth_inside"], "parameter"].tolist()}
    from sim.calibration.posterior import code_digest

    summary["code_digest"] = code_digest()
    write_report(folder / "report.md", plan, summary, tables, corr, provenance)
    return summary
