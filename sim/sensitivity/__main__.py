"""`python -m sim.sensitivity`: the global sensitivity analysis from one command.

Examples:
    python -m sim.sensitivity --size small                 # the CI version, ~2 minutes
    python -m sim.sensitivity --size medium --docs docs/sensitivity.md
    python -m sim.sensitivity --size full --estimate       # only estimate the full run time
    python -m sim.sensitivity --report-only --docs docs/sensitivity.md

Writes tables, figures, summary.json and report.md into --out (default
results/sensitivity). The runs go through the evaluation layer (sim.evaluate) on
--backend (local worker processes by default; ray with --address; slurm) into the dataset
<out>/runs/, so a rerun after a crash skips the runs already done.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from sim.evaluate.backends import BACKENDS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.sensitivity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="small", choices=("small", "medium", "full"),
                        help="plan from configs/sensitivity/<size>.yaml (default small)")
    parser.add_argument("--out", type=Path, default=Path("results/sensitivity"),
                        help="output folder (default results/sensitivity)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="parallel runs (default: every core)")
    parser.add_argument("--backend", default="local", choices=BACKENDS,
                        help="where the runs go: local worker processes (default), an existing "
                             "Ray cluster (with --address), slurm or submitit_local")
    parser.add_argument("--address", default=None,
                        help="with --backend ray: the cluster's address (HOST:6379)")
    parser.add_argument("--slurm-partition", default=None, help="with --backend slurm")
    parser.add_argument("--docs", type=Path, default=None,
                        help="also write the report here (e.g. docs/sensitivity.md), "
                             "figures beside it in figures/sensitivity/")
    parser.add_argument("--report-only", action="store_true",
                        help="only rewrite the report from the outputs already in --out")
    parser.add_argument("--analyse-only", action="store_true",
                        help="recompute indices, regions, figures and report from the sample "
                             "tables already in --out (runs nothing)")
    parser.add_argument("--estimate", action="store_true",
                        help="only estimate the plan's run time on this machine")
    parser.add_argument("--estimate-configs", type=int, default=4, metavar="N",
                        help="with --estimate: Morris configurations to measure (each under "
                             "every design and seed; default 4)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        print(f"error: workers={args.workers}: must be at least 1", file=sys.stderr)
        return 2

    from sim.config import ConfigError, check_writable
    from sim.sensitivity.pipeline import PlanError, load_plan, run
    from sim.sensitivity.report import write_report

    if args.backend == "ray" and not args.address:
        print("error: backend='ray': give the cluster's address (--address HOST:6379)",
              file=sys.stderr)
        return 2
    try:
        plan = load_plan(args.size)
        check_writable("out", args.out)
        if args.docs is not None:
            check_writable("docs", args.docs.parent)
    except (PlanError, ConfigError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.estimate:
        from sim.sensitivity.estimate import estimate

        result = estimate(plan, args.workers, args.estimate_configs)
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"estimate_{plan.size}.json"
        path.write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
        print(f"wrote {path}")
        return 0
    if args.report_only or args.analyse_only:
        if not (args.out / "summary.json").is_file():
            print(f"error: out={str(args.out)!r}: no summary.json; run the analysis first",
                  file=sys.stderr)
            return 2
        if args.analyse_only:
            from sim.sensitivity.pipeline import reanalyse

            reanalyse(args.out)
    else:
        os.environ.setdefault("NUMBA_NUM_THREADS", "1")
        options = {"slurm_partition": args.slurm_partition} if args.slurm_partition else None
        run(plan, args.out, args.workers, args.backend, args.address, options)
    for path in write_report(args.out, args.docs):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
