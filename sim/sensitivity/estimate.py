"""Estimate a plan's run time on this machine from a few measured runs.

The number of runs is known from the plan (Morris: at most (k + 1) r configurations;
Sobol': n (k + 2)), each run under both designs and every seed. The time per run is
measured on a handful of runs at the plan's population and length, with parameters drawn
from the plausible ranges. The per-job overhead of a Hydra sweep is not measured here: it
is read from the one-worker rows of `benchmarks/results/sweep_throughput.csv` (written by
`benchmarks/sweep_throughput.py`), or, without that file, the constant SWEEP_OVERHEAD_S
taken from it once.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.sensitivity.ranges import factors_by_name, model_overrides
from sim.sensitivity.runs import Base, run_job

SWEEP_OVERHEAD_S = 0.36  # per job, one worker: benchmarks/results/sweep_throughput.csv
THROUGHPUT_CSV = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / \
    "sweep_throughput.csv"


def sweep_overhead_s(path: Path = THROUGHPUT_CSV) -> tuple[float, str]:
    """Per-job Hydra sweep overhead with one worker, and where the number came from.

    The mean `overhead_per_run_s` of the one-worker rows of the benchmark table; the
    constant SWEEP_OVERHEAD_S if the table or such rows are missing.
    """
    try:
        table = pd.read_csv(path)
        one = table.loc[table["workers"] == 1, "overhead_per_run_s"].astype(float)
    except (OSError, KeyError, ValueError):
        one = pd.Series(dtype=float)
    if one.empty or not np.isfinite(one).all():
        return SWEEP_OVERHEAD_S, "constant SWEEP_OVERHEAD_S (no benchmark table)"
    return float(one.mean()), f"{path.name}, mean of {len(one)} one-worker rows"


def plan_runs(plan: Any) -> dict[str, int]:
    """Upper bounds on the runs of each stage of `plan` (duplicate configs run once)."""
    per_config = len(plan.designs) * len(plan.seeds)
    k_morris = len(plan.morris_factors)
    morris = (k_morris + 1) * plan.morris_trajectories * per_config
    sobol = plan.sobol_n * (plan.sobol_top_k + 2) * per_config
    return {"morris": morris, "sobol": sobol, "total": morris + sobol}


def measure_run_s(plan: Any, n: int = 4, seed: int = 0) -> float:
    """Mean wall time of `n` in-process runs at the plan's size, parameters drawn at random."""
    factors = factors_by_name([f for f in plan.morris_factors])
    rng = np.random.default_rng(seed)
    base = Base(plan.designs, (0,), plan.steps, plan.n_orgs)
    run_job("warm", {}, plan.designs[0], 0, Base(plan.designs, (0,), 2, 50))  # load kernels
    started = time.perf_counter()
    for i in range(n):
        row = [rng.uniform(f.lo, f.hi) for f in factors]
        run_job("x", model_overrides(factors, row), plan.designs[i % 2], i, base)
    return (time.perf_counter() - started) / n


def estimate(plan: Any, workers: int, overhead_s: float | None = None,
             n: int = 4) -> dict[str, Any]:
    """Estimated wall time of `plan` with `workers` parallel jobs, and how it was reached.

    `overhead_s` (per sweep job) defaults to `sweep_overhead_s()`, read from the benchmark.
    """
    source = "given"
    if overhead_s is None:
        overhead_s, source = sweep_overhead_s()
    runs = plan_runs(plan)
    per_run = measure_run_s(plan, n)
    hours = runs["total"] * (per_run + overhead_s) / max(workers, 1) / 3600
    return {"size": plan.size, "runs_upper_bound": runs, "measured_s_per_run": round(per_run, 3),
            "overhead_s_per_run": round(overhead_s, 3), "overhead_source": source,
            "workers": workers, "estimated_hours": round(hours, 2)}
