"""`python -m sim.calibration`: calibrate the model against a target set, from one command.

Examples:
    python -m sim.calibration --size small            # identical twin, the CI version
    python -m sim.calibration --size full --workers 2
    python -m sim.calibration --size full --estimate  # only measure the full run's cost

Writes the ensemble (posterior.parquet + posterior.json, loadable as
`sim.calibration.load_posterior(<name>)`) and diagnostics/ into <out>/<name>/ (default
results/calibration/<plan name>/). A rerun after a crash continues: finished runs and
pyabc's populations are kept. Bad input (plan, targets, outputs) exits 2 before any run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def _designs(plan, space) -> list[str]:
    """The platform designs the plan's targets are computed on (one for a twin)."""
    from sim.calibration.pipeline import Runner
    from sim.calibration.targets import load_targets

    if plan.is_twin:
        return [space.fixed.get("platform_design", "national")]
    targets = load_targets(plan.targets).select(plan.target_names, plan.drop_targets)
    return Runner(space, None, plan.steps, list(targets)).designs


def estimate(plan, workers: int, sample: int = 2) -> dict:
    """Time `sample` runs of the plan's scenario and scale by the plan's run budget."""
    import numpy as np

    from sim.calibration.pipeline import _space
    from sim.model import PartnershipModel

    space = _space(plan)
    designs = _designs(plan, space)
    values = space.values(space.uniform(sample, np.random.default_rng(0)))
    PartnershipModel(rng=0, n_orgs=50).run(2)  # load the compiled kernels first
    times = []
    for k, (_, row) in enumerate(values.iterrows()):
        design = designs[k % len(designs)]
        started = time.perf_counter()
        PartnershipModel(rng=k, **{**space.model_kwargs(row), "platform_design": design}
                         ).run(plan.steps)
        times.append(time.perf_counter() - started)
    budget = plan.run_budget(len(designs))
    per_run = float(np.median(times))
    return {"plan": str(plan.path), "sample_runs": sample, "seconds_per_run": times,
            "median_seconds_per_run": per_run, "run_budget": budget,
            "estimated_hours_on_workers": budget["total"] * per_run / workers / 3600,
            "designs": designs, "workers": workers,
            "note": "ABC's budget is its ceiling (max_simulations x seeds x designs)"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.calibration", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="small",
                        help="plan configs/calibration/<size>.yaml, or a YAML path")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder of named calibrations (default results/calibration)")
    parser.add_argument("--workers", type=int, default=1, help="parallel runs (default 1)")
    parser.add_argument("--backend", default="local",
                        help="where the runs go: local (default), ray, slurm, submitit_local "
                        "(sim.evaluate's backends)")
    parser.add_argument("--address", default=None,
                        help="the Ray cluster's address with --backend ray")
    parser.add_argument("--fresh", action="store_true",
                        help="discard this plan's workspace and start again")
    parser.add_argument("--estimate", action="store_true",
                        help="only time a sample of runs and estimate the plan's cost")
    args = parser.parse_args(argv)
    if args.workers < 1:
        print(f"error: workers={args.workers}: must be at least 1", file=sys.stderr)
        return 2

    from sim.calibration.pipeline import CalibrationError, calibrate
    from sim.calibration.plan import PlanError, load_plan
    from sim.calibration.space import SpaceError
    from sim.calibration.targets import TargetError
    from sim.config import ConfigError, check_writable

    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    try:
        plan = load_plan(args.size)
        if args.estimate:
            print(json.dumps(estimate(plan, args.workers), indent=2))
            return 0
        if args.out is not None:
            check_writable("out", args.out)
        evaluator = None
        if args.backend != "local":
            from sim.calibration.evaluator import LayerEvaluator

            evaluator = LayerEvaluator(args.workers, args.backend, args.address)
        summary = calibrate(plan, args.out, evaluator=evaluator, workers=args.workers,
                            fresh=args.fresh)
    except (PlanError, TargetError, SpaceError, ConfigError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except CalibrationError as err:
        print(f"calibration failed: {err}", file=sys.stderr)
        return 1
    print(json.dumps({k: summary[k] for k in ("name", "identified", "unidentified",
                                              "ppc_share_inside", "wall_time_s")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
