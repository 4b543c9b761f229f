"""The model's per-step outcomes the explorer shows, by the names the model reports them
under (`sim.metrics.STEP_METRICS`): the one place to change when the model renames one.
`tests/browser/test_explorer_parts.py` checks that every name here is still reported."""

from __future__ import annotations

from sim.params import END_CAUSES, SECTORS

ACTIVE = "active_partnerships"
TRANSFORMATIONAL_SHARE = "transformational_share"
PARTICIPATION = "{sector}_participation"  # share of the sector's organisations partnering
SKILL = "skill_{sector}"  # mean skill of the sector's organisations
OUTCOME_DIRECT = "outcome_direct"  # cumulative
OUTCOME_INDIRECT = "outcome_indirect"  # cumulative
DISSOLVED = "dissolved_{cause}"  # ended this month by the cause
FORMED = "formed"  # formed this month
FORMED_BROKERED = "formed_brokered"  # of which through a platform


def reporters() -> list[str]:
    """Every step-metric name the explorer reads."""
    return [ACTIVE, TRANSFORMATIONAL_SHARE, OUTCOME_DIRECT, OUTCOME_INDIRECT, FORMED,
            FORMED_BROKERED, *(PARTICIPATION.format(sector=s) for s in SECTORS),
            *(SKILL.format(sector=s) for s in SECTORS),
            *(DISSOLVED.format(cause=c) for c in END_CAUSES)]
