"""Q3, the headline: no platform, national, per-goal, hybrid or staged at equal total budget.

`python -m experiments.platform_designs [--seeds N] [--size tiny|default] [--workers W]`
runs the five designs (`sim.params.PLATFORM_DESIGNS`) across the four illustrative country
profiles and three budget levels (`configs/experiment/platform_designs.yaml`) and writes
`results/platform_designs/`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.cli import main
from experiments.figures import outcomes_figure
from experiments.spec import HEADLINE_OUTCOMES, Experiment
from sim.outcomes import outcome
from sim.params import PLATFORM_DESIGNS

BUDGET_OUTCOMES = ("partnerships_per_1000", "sme_participation", "median_lifetime_km",
                   "outcome_direct")


def budget_figure(exp: Experiment, runs: pd.DataFrame, steps: pd.DataFrame,
                  table: pd.DataFrame, out: Path, meta: dict[str, Any]) -> list[dict[str, str]]:
    """Key outcomes against the platform budget, by design, in the reference country."""
    return [outcomes_figure(exp, runs, table, out, meta, across="platform_budget",
                            outcomes=tuple(outcome(o) for o in BUDGET_OUTCOMES),
                            name="budget.png")]


EXPERIMENT = Experiment(
    name="platform_designs",
    title="Platform designs",
    question=("At equal total platform staff, is it better to have no platform, one national "
              "platform per country, one global lead platform per goal, or both (at once, or "
              "national first and goal leads later)?"),
    arms=PLATFORM_DESIGNS,
    arm_label="Design",
    arm_column="platform_design",
    contexts=(("country", "Country"), ("platform_budget", "Budget (staff)")),
    outcomes=(*HEADLINE_OUTCOMES, "goal_coverage", "deep_coverage", "action_yield",
              "cost_per_partnership", "membership_cost_per_partnership"),
    series=("active_partnerships", "sme_participation", "mean_skill"),
    tiny_grid=("country=baseline,post_conflict", "model.platform_budget=20"),
    reference={"country": "baseline", "platform_budget": 20.0},
    extra_figures=(budget_figure,),
)

if __name__ == "__main__":
    sys.exit(main(EXPERIMENT))
