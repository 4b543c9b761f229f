"""Benchmark a world of many different countries: the 51-country synthetic world against
51 identical countries of the same total size, side by side in one process.

    python benchmarks/world.py                          # synthetic_51 at 2,000 per country
    python benchmarks/world.py --scale 5 --steps 24     # 10,000 per country, shorter
    python benchmarks/world.py --designs hybrid --out benchmarks/results/world.csv

The issue's target: the 51-country world of 2,000 organisations per country (on average;
102,000 in all) runs 120 months in under a minute, set-up included, on this 2-core machine.
Every run has every mechanism on (as `benchmarks/suite.py`) and 20 platform staff per 1,000
organisations. Runs one design after the other with NUMBA_NUM_THREADS=1 after one warm-up
run; prints one line per run (set-up, stepping, total seconds, organisation-steps per second)
with the load average before and after, so noisy figures can be recognised.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sim import PartnershipModel  # noqa: E402 (path set above)
from sim.params import PLATFORM_DESIGNS  # noqa: E402

SCENARIO = {"event_partnering": True, "ba_representation": True, "donor_alignment": 0.5,
            "collective_action": 0.5}
STAFF_PER_1000_ORGS = 20.0
TARGET_S = 60.0


def run(world: dict, design: str, steps: int, seed: int = 0) -> dict:
    """Build and run one model; return its timings."""
    started = time.perf_counter()
    probe = PartnershipModel(rng=seed, platform_design="none", **world)
    n_total = probe.n_total
    del probe
    budget = STAFF_PER_1000_ORGS * n_total / 1000.0
    started = time.perf_counter()
    model = PartnershipModel(rng=seed, platform_design=design, platform_budget=budget,
                             **SCENARIO, **world)
    built = time.perf_counter()
    for _ in range(steps):
        model.step()
    ended = time.perf_counter()
    summary = model.summary()
    return {"design": design, "n_countries": len(model.countries), "n_orgs_total": n_total,
            "steps": steps, "setup_s": built - started, "steps_s": ended - built,
            "total_s": ended - started, "org_steps_per_s": n_total * steps / (ended - built),
            "formed": summary["formed"],
            "countries_outcome_per_org_gini": summary["countries_outcome_per_org_gini"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--world", default="synthetic_51")
    parser.add_argument("--scale", type=float, default=1.0, help="world_scale")
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--designs", default=",".join(d for d in PLATFORM_DESIGNS))
    parser.add_argument("--out", type=Path, help="also write the rows to this CSV file")
    args = parser.parse_args(argv)
    heterogeneous = {"world": args.world, "world_scale": args.scale}
    sized = PartnershipModel(rng=0, platform_design="none", **heterogeneous)
    identical = {"n_countries": len(sized.countries),
                 "n_orgs": round(sized.n_total / len(sized.countries))}
    del sized
    run(heterogeneous, "hybrid", 2)  # compile or load the kernels
    rows = []
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    for design in args.designs.split(","):
        for label, world in (("world file", heterogeneous), ("identical", identical)):
            row = {"world": f"{args.world} x{args.scale:g}" if label == "world file"
                   else f"{identical['n_countries']} x {identical['n_orgs']}", **run(
                       world, design, args.steps)}
            rows.append(row)
            print(f"{row['world']:>20}  {design:>8}  {row['n_orgs_total']:>8,} orgs  "
                  f"set-up {row['setup_s']:5.1f} s  steps {row['steps_s']:6.1f} s  "
                  f"total {row['total_s']:6.1f} s  {row['org_steps_per_s'] / 1e6:5.2f}M "
                  f"org-steps/s", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    worst = max(r["total_s"] for r in rows if r["world"].startswith(args.world))
    print(f"slowest {args.world} run: {worst:.1f} s (target: under {TARGET_S:g} s for "
          f"120 months at 2,000 per country)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
