"""The sensitivity pipeline end to end: Morris screening, Sobol' indices, regions, outputs.

1. Morris: trajectories over the plan's factors (every uncertain parameter, plus a dummy),
   each configuration run under both designs and every seed (paired), indices per output.
2. Sobol': the factors that matter most (design gap first), Saltelli sample, S1 and ST
   with bootstrap intervals per output; the other factors stay at their defaults.
3. Regions: a shallow tree over the independent Sobol' points (the A and B rows of the
   Saltelli matrix) says where each design wins.
Tables, figures and `summary.json` are written into the output folder at the end, each
file atomically. The runs of both stages are kept in one dataset, `<out>/runs/`
(`sim.evaluate`), so a rerun skips the runs already done.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.io import write_atomic
from sim.params import LEADS_THROUGH_NATIONAL, PLATFORM_DESIGNS
from sim.sensitivity import analyse, plots, regions
from sim.sensitivity.ranges import DUMMY, Factor, factors_by_name, uncertain_factors
from sim.sensitivity.runs import Base, run_jobs
from sim.sensitivity.sample import (
    morris_matrix,
    saltelli_base_rows,
    sample_table,
    sobol_matrix,
)

SIZES: tuple[str, ...] = ("small", "medium", "full")
HYBRID_ONLY: tuple[str, ...] = ("expertise_transfer", "coordination_cost")


def inert_factors(designs: tuple[str, ...]) -> tuple[str, ...]:
    """Factors whose Morris mu* must be exactly zero when `designs` are compared.

    The dummy never reaches the model (a step of it maps to the same configuration), so its
    zero checks only that per-sample outputs come back to the right rows. The hybrid-only
    parameters do reach the model as distinct configurations and must still change nothing
    (with seeds common to all samples) - but only when no design has goal leads acting
    through national platforms (hybrid, staged).
    """
    leads = set(designs) & set(LEADS_THROUGH_NATIONAL)
    return (DUMMY,) if leads else (DUMMY, *HYBRID_ONLY)


class PlanError(ValueError):
    """A sensitivity plan is invalid; the message names the key and what is allowed."""


@dataclass(frozen=True)
class Plan:
    """How big the analysis is: factors, trajectories, sample sizes, seeds, population."""

    size: str
    designs: tuple[str, str]
    seeds: tuple[int, ...]
    n_orgs: int
    steps: int
    sampling_seed: int
    resamples: int
    morris_factors: tuple[str, ...]
    morris_trajectories: int
    morris_levels: int
    sobol_top_k: int
    sobol_n: int
    tree_depth: int


def plan_path(size: str) -> Path:
    """The plan file of a size: `configs/sensitivity/<size>.yaml`."""
    from sim.config import config_dir

    return config_dir() / "sensitivity" / f"{size}.yaml"


def load_plan(size: str, path: Path | None = None) -> Plan:
    """Read and check a plan; raise `PlanError` naming the first bad key."""
    if size not in SIZES and path is None:
        raise PlanError(f"size={size!r}: allowed values are {', '.join(SIZES)}")
    path = path or plan_path(size)
    raw = yaml.safe_load(path.read_text())
    try:
        factors = raw["morris"]["factors"]
        names = ([f.name for f in uncertain_factors()] + [DUMMY] if factors == "all"
                 else list(factors))
        plan = Plan(size=size, designs=tuple(raw["designs"]), seeds=tuple(raw["seeds"]),
                    n_orgs=int(raw["n_orgs"]), steps=int(raw["steps"]),
                    sampling_seed=int(raw["sampling_seed"]), resamples=int(raw["resamples"]),
                    morris_factors=tuple(names),
                    morris_trajectories=int(raw["morris"]["trajectories"]),
                    morris_levels=int(raw["morris"]["levels"]),
                    sobol_top_k=int(raw["sobol"]["top_k"]), sobol_n=int(raw["sobol"]["n"]),
                    tree_depth=int(raw["tree_depth"]))
    except (KeyError, TypeError) as err:
        raise PlanError(f"{path}: missing or malformed key {err}") from err
    if len(plan.designs) != 2 or not set(plan.designs) <= set(PLATFORM_DESIGNS):
        raise PlanError(f"designs={list(plan.designs)}: expected two of "
                        f"{', '.join(PLATFORM_DESIGNS)}")
    if plan.designs[0] == plan.designs[1]:
        raise PlanError(f"designs={list(plan.designs)}: expected two different designs "
                        f"(of {', '.join(PLATFORM_DESIGNS)}); a design against itself has no gap")
    if not plan.seeds or any(not isinstance(s, int) or s < 0 for s in plan.seeds):
        raise PlanError(f"seeds={list(plan.seeds)}: expected a list of integers >= 0")
    try:
        factors_by_name(list(plan.morris_factors))
    except ValueError as err:
        raise PlanError(f"morris.factors: {err}") from err
    if not 2 <= plan.sobol_top_k <= len(plan.morris_factors):
        raise PlanError(f"sobol.top_k={plan.sobol_top_k}: allowed range is "
                        f"2..{len(plan.morris_factors)}")
    if plan.sobol_n < 2 or plan.sobol_n & (plan.sobol_n - 1):
        raise PlanError(f"sobol.n={plan.sobol_n}: must be a power of two (2, 4, 8, ...)")
    if plan.morris_trajectories < 2 or plan.morris_levels < 2 or plan.tree_depth < 1:
        raise PlanError("morris.trajectories and morris.levels must be at least 2, "
                        "tree_depth at least 1")
    return plan


RUNS = "runs"  # the dataset of every run, in the output folder


def _stage(name: str, factors: list[Factor], matrix: np.ndarray, plan: Plan, out: Path,
           workers: int, backend: dict[str, Any]
           ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Run one stage's sample; return per-sample outputs, the runs and timing."""
    samples, configs = sample_table(factors, matrix)
    base = Base(plan.designs, plan.seeds, plan.steps, plan.n_orgs)
    started = time.time()
    runs = run_jobs(configs, base, out / RUNS, workers, **backend)
    wall = time.time() - started
    outputs = analyse.sample_outputs(samples, runs, plan.designs)
    timing = {"samples": len(samples), "configs": len(configs), "runs": len(runs),
              "wall_s": round(wall, 1), "s_per_run": round(wall / max(len(runs), 1), 3)}
    print(f"{name}: {len(samples)} samples, {len(configs)} distinct configs, {len(runs)} runs "
          f"in {wall:.0f} s", flush=True)
    return outputs, runs, timing


def run(plan: Plan, out: Path, workers: int = 2, backend: str = "local",
        address: str | None = None, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the whole analysis into `out`; return the summary (also written as summary.json).

    `backend` (`local`, `ray` at `address`, `slurm` or `submitit_local` with submitit
    `options`) is where the runs go (`sim.evaluate`).
    """
    where = {"backend": backend, "address": address, "options": options}
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    m_factors = factors_by_name(list(plan.morris_factors))
    m_matrix = morris_matrix(m_factors, plan.morris_trajectories, plan.morris_levels,
                             plan.sampling_seed)
    m_out, m_runs, m_time = _stage("morris", m_factors, m_matrix, plan, out, workers, where)
    morris = analyse.morris_indices(m_factors, m_matrix, m_out,
                                    analyse.output_names(plan.designs), plan.morris_levels,
                                    plan.sampling_seed, plan.resamples)

    selected = analyse.select_factors(morris, plan.sobol_top_k, exclude=(DUMMY,))
    s_factors = factors_by_name(selected)
    s_matrix = sobol_matrix(s_factors, plan.sobol_n, plan.sampling_seed)
    s_out, s_runs, s_time = _stage("sobol", s_factors, s_matrix, plan, out, workers, where)
    for file, table in {"morris_runs.parquet": m_runs, "sobol_runs.parquet": s_runs}.items():
        write_atomic(out / file, lambda p, t=table: t.to_parquet(p, index=False))
    meta = {"workers": workers, "backend": backend, "cpu_count": os.cpu_count(),
            "timing": {"morris": m_time, "sobol": s_time,
                       "total_wall_s": round(time.time() - started, 1)}}
    return finish(plan, out, morris, m_out, s_factors, s_out, meta)


def reanalyse(out: Path) -> dict[str, Any]:
    """Recompute indices, regions, figures and summary from the sample tables in `out`.

    Uses `summary.json` for the plan and the timing of the runs; runs nothing.
    """
    old = json.loads((out / "summary.json").read_text())
    plan = Plan(**{k: tuple(v) if isinstance(v, list) else v for k, v in old["plan"].items()})
    m_out = pd.read_csv(out / "morris_samples.csv")
    s_out = pd.read_csv(out / "sobol_samples.csv")
    m_factors = factors_by_name(list(plan.morris_factors))
    s_factors = factors_by_name(old["selected_factors"])
    m_matrix = m_out[[f.name for f in m_factors]].to_numpy(dtype=float)
    morris = analyse.morris_indices(m_factors, m_matrix, m_out,
                                    analyse.output_names(plan.designs), plan.morris_levels,
                                    plan.sampling_seed, plan.resamples)
    meta = {k: old[k] for k in ("workers", "backend", "cpu_count", "timing") if k in old}
    return finish(plan, out, morris, m_out, s_factors, s_out, meta)


def independent_points(s_out: pd.DataFrame, k: int) -> pd.DataFrame:
    """The A and B rows of the Saltelli sample table (by `sample_id`): independent points."""
    if not np.array_equal(s_out["sample_id"].to_numpy(), np.arange(len(s_out))):
        raise ValueError("sobol samples: sample_id must run 0..n-1 in SALib's row order")
    return s_out.iloc[saltelli_base_rows(len(s_out), k)].reset_index(drop=True)


def finish(plan: Plan, out: Path, morris: pd.DataFrame, m_out: pd.DataFrame,
           s_factors: list[Factor], s_out: pd.DataFrame,
           meta: dict[str, Any]) -> dict[str, Any]:
    """Regions, Sobol' indices, tables, figures and summary.json from the per-sample outputs
    and the Morris indices (computed once, by the caller)."""
    names = analyse.output_names(plan.designs)
    sobol = analyse.sobol_indices(s_factors, s_out, names, plan.sampling_seed, plan.resamples)
    points = independent_points(s_out, len(s_factors))
    found, accuracy = regions.fit_regions(points, s_factors, analyse.HEADLINE, plan.designs,
                                          plan.tree_depth, plan.sampling_seed)
    region_table = regions.regions_table(found, s_factors, plan.designs)

    tables = {"morris_samples.csv": m_out, "morris_indices.csv": morris,
              "sobol_samples.csv": s_out, "sobol_indices.csv": sobol,
              "regions.csv": region_table}
    for file, table in tables.items():
        write_atomic(out / file, lambda p, t=table: t.to_csv(p, index=False))
    _figures(out, morris, sobol, points, found, plan)

    gap = sobol[sobol["output"] == analyse.HEADLINE].sort_values("ST", ascending=False)
    gap_morris = (morris[morris["output"] == analyse.HEADLINE]
                  .sort_values("mu_star", ascending=False).set_index("factor"))
    summary = {
        "plan": asdict(plan), **meta,
        "selected_factors": [f.name for f in s_factors],
        "top_design_gap": [
            {"factor": r.factor, "ST": r.ST, "ST_conf": r.ST_conf, "S1": r.S1,
             "S1_conf": r.S1_conf, "mu_star": float(gap_morris.at[r.factor, "mu_star"]),
             "mu_star_conf": float(gap_morris.at[r.factor, "mu_star_conf"])}
            for r in gap.head(3).itertuples()],
        "morris_top_design_gap": list(gap_morris.index[:3]),
        "inert_checks": {f: float(gap_morris.at[f, "mu_star"])
                         for f in inert_factors(plan.designs) if f in gap_morris.index},
        "design_gap": {"mean": float(points[analyse.HEADLINE].mean()),
                       "share_first_wins": float((points[analyse.HEADLINE] > 0).mean()),
                       "n_points": len(points), "n_samples": len(s_out),
                       "noise_share": analyse.noise_share(s_out, len(plan.seeds))},
        "regions": {"accuracy": accuracy, "rules": list(region_table["rule"])},
    }
    write_atomic(out / "summary.json",
                  lambda p: p.write_text(json.dumps(summary, indent=2, default=float)))
    return summary


def _figures(out: Path, morris: pd.DataFrame, sobol: pd.DataFrame, points: pd.DataFrame,
             found: list[regions.Region], plan: Plan) -> None:
    """Write the figures (each atomically); the regions figure shows the independent points."""
    a, b = plan.designs
    diffs = [analyse.HEADLINE, "diff:partnerships_per_1000", "diff:sme_participation",
             "diff:outcome_total", "diff:failed_share"]
    levels = [f"{a}:partnerships_per_1000", f"{a}:sme_participation", f"{a}:outcome_direct",
              f"{a}:outcome_indirect", f"{a}:failed_share"]
    write_atomic(out / "morris_mu_sigma.png", lambda p: plots.morris_plot(morris, p))
    write_atomic(out / "morris_heatmap.png", lambda p: plots.morris_heatmap(morris, p))
    write_atomic(out / "sobol_design_gap.png", lambda p: plots.sobol_plot(sobol, p, diffs))
    write_atomic(out / "sobol_outcomes.png", lambda p: plots.sobol_plot(sobol, p, levels))
    splits: dict[str, list[float]] = {}
    order: list[str] = []
    for region in found:
        for name, _, value in region.conditions:
            splits.setdefault(name, [])
            if value not in splits[name]:
                splits[name].append(value)
            if name not in order:
                order.append(name)
    st = sobol[sobol["output"] == analyse.HEADLINE].sort_values("ST", ascending=False)
    ranked = list(st["factor"])
    # axes: the tree's split factors, the most influential (design-gap ST) first
    order = sorted(order, key=lambda name: ranked.index(name) if name in ranked else len(ranked))
    for name in ranked:
        if name not in order:
            order.append(name)
    write_atomic(out / "regions.png", lambda p: plots.regions_plot(
        points, order[0], order[1], plan.designs, splits, p))
