"""Estimate a plan's run time on this machine from a few measured runs.

The number of runs is known from the plan (Morris: at most (k + 1) r configurations;
Sobol': n (k + 2)), each run under both designs and every seed. The time per run is
measured through the evaluation layer (so it includes its fixed cost per run) on a
handful of runs at the plan's population and length, with parameters drawn from the
plausible ranges, in this process.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from sim.sensitivity.ranges import factors_by_name, model_overrides
from sim.sensitivity.runs import Base, run_jobs


def plan_runs(plan: Any) -> dict[str, int]:
    """Upper bounds on the runs of each stage of `plan` (duplicate configs run once)."""
    per_config = len(plan.designs) * len(plan.seeds)
    k_morris = len(plan.morris_factors)
    morris = (k_morris + 1) * plan.morris_trajectories * per_config
    sobol = plan.sobol_n * (plan.sobol_top_k + 2) * per_config
    return {"morris": morris, "sobol": sobol, "total": morris + sobol}


def measure_run_s(plan: Any, n: int = 4, seed: int = 0) -> float:
    """Mean wall time of `n` runs at the plan's size (parameters drawn at random), in process."""
    factors = factors_by_name([f for f in plan.morris_factors])
    rng = np.random.default_rng(seed)
    configs = {f"x{i}": model_overrides(factors, [rng.uniform(f.lo, f.hi) for f in factors])
               for i in range(n)}
    run_jobs({"warm": {}}, Base(plan.designs[:1], (0,), 2, 50), None, 1)  # load kernels
    started = time.perf_counter()
    run_jobs(configs, Base(plan.designs[:1], (0,), plan.steps, plan.n_orgs), None, 1)
    return (time.perf_counter() - started) / n


def estimate(plan: Any, workers: int, n: int = 4) -> dict[str, Any]:
    """Estimated wall time of `plan` with `workers` parallel workers, and how it was reached."""
    runs = plan_runs(plan)
    per_run = measure_run_s(plan, n)
    hours = runs["total"] * per_run / max(workers, 1) / 3600
    return {"size": plan.size, "runs_upper_bound": runs, "measured_s_per_run": round(per_run, 3),
            "measured_runs": n, "workers": workers, "estimated_hours": round(hours, 2)}
