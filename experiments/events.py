"""Events: partnering sessions at conferences organisations attend anyway.

`python -m experiments.events [--seeds N] [--size tiny|default] [--workers W]` compares
conferences with and without a partnering session, in a baseline and a mining economy,
without and with a national platform; writes `results/events/`.
"""

from __future__ import annotations

import sys

import pandas as pd

from experiments.common import Experiment, Outcome, Series, main

OFF, ON = "no sessions", "partnering sessions"


def sessions_of(runs: pd.DataFrame) -> pd.Series:
    """The arm of each run: whether conferences host a partnering session."""
    return runs["event_partnering"].astype(bool).map({False: OFF, True: ON})


EXPERIMENT = Experiment(
    name="events",
    title="Events",
    question=("Do partnering sessions at conferences that organisations attend anyway raise "
              "cross-sector contacts and partnerships at low cost?"),
    arm_label="Conferences",
    control=OFF,
    arms=(OFF, ON),
    arm_of=sessions_of,
    contexts=(("country", "Country"), ("platform_design", "Design")),
    outcomes=(
        Outcome("cross_sector_contacts_per_org", "Cross-sector contacts per org"),
        Outcome("partnerships_per_1000", "Partnerships formed per 1,000 orgs"),
        Outcome("search_cost_per_org", "Search cost per org (bandwidth)",
                higher_is_better=False),
        Outcome("contacts_per_org", "Contacts per org"),
        Outcome("formed_event_per_org", "Partnerships formed at events per org"),
        Outcome("sme_participation", "SME participation"),
        Outcome("cross_sector_share", "Cross-sector share of partnerships"),
    ),
    series=(Series("cross_sector_contacts", "Cross-sector contacts"),
            Series("formed_event", "Partnerships formed at events"),
            Series("active_partnerships", "Active partnerships")),
    step_totals=("contacts", "cross_sector_contacts", "formed_event", "search_cost"),
    tiny_grid=("platform=none",),
    reference={"country": "mining_economy", "platform_design": "none"},
)

if __name__ == "__main__":
    sys.exit(main(EXPERIMENT))
