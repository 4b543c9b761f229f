"""Q3, the headline: no platform, national, per-goal or hybrid at equal total budget.

`python -m experiments.platform_designs [--seeds N] [--size tiny|default] [--workers W]`
sweeps the four designs across the four illustrative country profiles and three budget
levels (`configs/experiment/platform_designs.yaml`) and writes `results/platform_designs/`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.common import Experiment, Outcome, Series, main, outcomes_figure

DESIGNS = ("none", "national", "per_goal", "hybrid")
OUTCOMES = (
    Outcome("partnerships_per_1000", "Partnerships formed per 1,000 orgs"),
    Outcome("sme_participation", "SME participation"),
    Outcome("median_lifetime_km", "Median partnership life (months)"),
    Outcome("failed_share", "Share of ended partnerships that failed", higher_is_better=False),
    Outcome("outcome_direct", "Direct goal outcome"),
    Outcome("outcome_indirect", "Indirect goal outcome"),
    Outcome("goal_coverage", "Goal coverage"),
    Outcome("cost_per_partnership", "Staff-months per brokered partnership",
            higher_is_better=False),
)
BUDGET_OUTCOMES = tuple(o for o in OUTCOMES if o.column in (
    "partnerships_per_1000", "sme_participation", "median_lifetime_km", "outcome_direct"))


def design_of(runs: pd.DataFrame) -> pd.Series:
    """The arm of each run: its platform design."""
    return runs["platform_design"].astype(str)


def budget_figure(exp: Experiment, runs: pd.DataFrame, steps: pd.DataFrame,
                  table: pd.DataFrame, out: Path, meta: dict[str, Any]) -> list[dict[str, str]]:
    """Key outcomes against the platform budget, by design, in the reference country."""
    return [outcomes_figure(exp, runs, table, out, meta, across="platform_budget",
                            outcomes=BUDGET_OUTCOMES, name="budget.png")]


EXPERIMENT = Experiment(
    name="platform_designs",
    title="Platform designs",
    question=("At equal total platform staff, is it better to have no platform, one national "
              "platform per country, one global lead platform per goal, or both?"),
    arm_label="Design",
    control="none",
    arms=DESIGNS,
    arm_of=design_of,
    contexts=(("country", "Country"), ("platform_budget", "Budget (staff)")),
    outcomes=OUTCOMES,
    series=(Series("active_partnerships", "Active partnerships"),
            Series("sme_participation", "SME participation"),
            Series("mean_skill", "Mean partnering skill")),
    tiny_grid=("country=baseline,post_conflict", "model.platform_budget=20"),
    reference={"country": "baseline", "platform_budget": 20.0},
    extra_figures=(budget_figure,),
)

if __name__ == "__main__":
    sys.exit(main(EXPERIMENT))
