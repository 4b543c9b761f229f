"""Events: partnering sessions at conferences organisations attend anyway.

`python -m experiments.events [--seeds N] [--size tiny|default] [--workers W]` compares
conferences with and without a partnering session, in a baseline and a mining economy,
without and with a national platform; writes `results/events/`.
"""

from __future__ import annotations

import sys

from experiments.cli import main
from experiments.spec import Experiment

OFF, ON = "no sessions", "partnering sessions"

EXPERIMENT = Experiment(
    name="events",
    title="Events",
    question=("Do partnering sessions at conferences that organisations attend anyway raise "
              "cross-sector contacts and partnerships at low cost?"),
    arms=(OFF, ON),
    arm_label="Conferences",
    arm_column="event_partnering",
    arm_names={False: OFF, True: ON},
    contexts=(("country", "Country"), ("platform_design", "Design")),
    outcomes=("cross_sector_contacts_per_org", "partnerships_per_1000", "search_cost_per_org",
              "contacts_per_org", "formed_event_per_org", "sme_participation",
              "cross_sector_share"),
    series=("cross_sector_contacts", "formed_event", "active_partnerships"),
    tiny_grid=("platform=none",),
    reference={"country": "mining_economy", "platform_design": "none"},
)

if __name__ == "__main__":
    sys.exit(main(EXPERIMENT))
