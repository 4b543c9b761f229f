"""Estimate a plan's run time on this machine from a few measured runs.

The number of runs is known from the plan (Morris: at most (k + 1) r configurations;
Sobol': n (k + 2)), each run under both designs and every seed. The wall time per run is
measured by running the plan's own first Morris configurations (under every design and
seed) through the evaluation layer on the given workers, so it includes the layer's fixed
cost and the workers' parallel efficiency; the estimate extrapolates it by run count.
"""

from __future__ import annotations

import time
from typing import Any

from sim.sensitivity.ranges import factors_by_name
from sim.sensitivity.runs import Base, run_jobs


def plan_runs(plan: Any) -> dict[str, int]:
    """Upper bounds on the runs of each stage of `plan` (duplicate configs run once)."""
    per_config = len(plan.designs) * len(plan.seeds)
    k_morris = len(plan.morris_factors)
    morris = (k_morris + 1) * plan.morris_trajectories * per_config
    sobol = plan.sobol_n * (plan.sobol_top_k + 2) * per_config
    return {"morris": morris, "sobol": sobol, "total": morris + sobol}


def measure_wall_per_run(plan: Any, configs: int, workers: int) -> tuple[float, int]:
    """Wall seconds per run of the plan's first `configs` Morris configurations (each under
    every design and seed, as the plan runs them) on `workers` workers, and the runs made."""
    from sim.sensitivity.sample import morris_matrix, sample_table

    factors = factors_by_name(list(plan.morris_factors))
    matrix = morris_matrix(factors, plan.morris_trajectories, plan.morris_levels,
                           plan.sampling_seed)
    _, all_configs = sample_table(factors, matrix)
    chosen = dict(list(all_configs.items())[:configs])
    run_jobs({"warm": {}}, Base(plan.designs[:1], (0,), 2, 50), None, workers)  # kernels
    base = Base(plan.designs, plan.seeds, plan.steps, plan.n_orgs)
    started = time.perf_counter()
    runs = run_jobs(chosen, base, None, workers)
    return (time.perf_counter() - started) / len(runs), len(runs)


def estimate(plan: Any, workers: int, configs: int = 4) -> dict[str, Any]:
    """Estimated wall time of `plan` on `workers` workers: the plan's first `configs` Morris
    configurations measured (each under every design and seed), extrapolated by run count."""
    import os

    runs = plan_runs(plan)
    per_run, measured = measure_wall_per_run(plan, configs, workers)
    hours = runs["total"] * per_run / 3600
    return {"size": plan.size, "runs_upper_bound": runs,
            "measured_wall_s_per_run": round(per_run, 4), "measured_runs": measured,
            "measured_share": round(measured / runs["total"], 4), "workers": workers,
            "load_average": round(os.getloadavg()[0], 2), "estimated_hours": round(hours, 2)}
