"""Capacity building: platforms training members against no training; skill and survival.

`python -m experiments.capacity_building [--seeds N] [--size tiny|default] [--workers W]`
sweeps the share of platform staff time spent on training (0, 0.3, 0.6) in a baseline and a
post-conflict country over 15 years; writes `results/capacity_building/`.
"""

from __future__ import annotations

import sys

import pandas as pd

from experiments.common import Experiment, Outcome, Series, main

SHARES = ("0 (none)", "0.3", "0.6")


def share_of(runs: pd.DataFrame) -> pd.Series:
    """The arm of each run: its capacity-building share, 0 labelled as none."""
    share = runs["capacity_building_share"].astype(float)
    return share.map(lambda x: SHARES[0] if x == 0 else f"{x:g}")


EXPERIMENT = Experiment(
    name="capacity_building",
    title="Capacity building",
    question=("Does platform capacity building raise partnering skill and partnership "
              "survival over time, compared with none?"),
    arm_label="Training share",
    control=SHARES[0],
    arms=SHARES,
    arm_of=share_of,
    contexts=(("country", "Country"),),
    outcomes=(
        Outcome("skill_sme_end", "SME skill at the end"),
        Outcome("median_lifetime_km", "Median partnership life (months)"),
        Outcome("failed_share", "Share of ended partnerships that failed",
                higher_is_better=False),
        Outcome("mean_skill", "Mean skill at the end"),
        Outcome("partnerships_per_1000", "Partnerships formed per 1,000 orgs"),
        Outcome("sme_participation", "SME participation"),
        Outcome("outcome_direct", "Direct goal outcome"),
        Outcome("trained_per_org", "Training actions per organisation"),
    ),
    series=(Series("skill_sme", "SME skill"), Series("mean_skill", "Mean skill"),
            Series("mean_health", "Mean partnership health"),
            Series("active_partnerships", "Active partnerships")),
    step_totals=("trained",),
    step_ends=("skill_sme",),
    tiny_grid=("country=baseline",),
    reference={"country": "baseline"},
)

if __name__ == "__main__":
    sys.exit(main(EXPERIMENT))
