"""Capacity building: platforms training members against no training; skill and survival.

`python -m experiments.capacity_building [--seeds N] [--size tiny|default] [--workers W]`
runs the share of platform staff time spent on training (0, 0.3, 0.6) in a baseline and a
post-conflict country over 15 years; writes `results/capacity_building/`.
"""

from __future__ import annotations

import sys

from experiments.cli import main
from experiments.spec import Experiment

SHARES = ("0 (none)", "0.3", "0.6")

EXPERIMENT = Experiment(
    name="capacity_building",
    title="Capacity building",
    question=("Does platform capacity building raise partnering skill and partnership "
              "survival over time, compared with none?"),
    arms=SHARES,
    arm_label="Training share",
    arm_column="capacity_building_share",
    arm_names={0.0: SHARES[0], 0.3: SHARES[1], 0.6: SHARES[2]},
    contexts=(("country", "Country"),),
    outcomes=("skill_sme_end", "median_lifetime_km", "failed_share", "mean_skill",
              "partnerships_per_1000", "sme_participation", "outcome_direct",
              "trained_per_org"),
    series=("skill_sme", "mean_skill", "mean_health", "active_partnerships"),
    tiny_grid=("country=baseline",),
    reference={"country": "baseline"},
)

if __name__ == "__main__":
    sys.exit(main(EXPERIMENT))
