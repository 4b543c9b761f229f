"""The outcomes analyses compare, declared once: name, label, which direction is better, unit.

`OUTCOMES` lists run-summary columns (one value per run); `SERIES` lists the monthly
reporters that figures draw over time. Experiments, the sensitivity analysis, the readout,
the notebooks and the calibration look outcomes up here (`outcome(name)`), so a label or a
direction is written in one place.

Most outcomes are columns of `sim.metrics.run_summary`. A few are derived from the monthly
table by the evaluation layer (`derive`), for every run:

- `("per_org", metric)`: the metric summed over all months, per organisation
  (`n_orgs_total`, every country's organisations);
- `("end", metric)`: the metric's mean over the last `SUMMARY_TAIL_MONTHS` months;
- `("sum", a, b)`: the sum of two run-summary columns.

To add an outcome, append an `Outcome` to `OUTCOMES` (a new run-summary column of
`run_summary`, or a derived one); everything that reads this list picks it up.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.params import SECTORS

HIGHER, LOWER = "higher", "lower"

SHARE = "share (0-1)"
PER_1000 = "per 1,000 organisations"
PER_ORG = "per organisation"
MONTHS = "months"
OUTCOME_UNITS = "outcome units"
STAFF_MONTHS = "staff-months"
BANDWIDTH_MONTHS = "bandwidth-months (partnership-equivalents x months)"
SKILL = "skill (0-1)"


@dataclass(frozen=True)
class Outcome:
    """One outcome: its column, a label for tables and figures, the better direction, unit."""

    name: str
    label: str
    better: str = HIGHER        # HIGHER or LOWER
    unit: str = ""
    derive: tuple[str, ...] = ()  # how the evaluation layer computes it (module docstring)

    def __post_init__(self) -> None:
        if self.better not in (HIGHER, LOWER):
            raise ValueError(f"outcome {self.name}: better={self.better!r}: allowed values "
                             f"are {HIGHER}, {LOWER}")

    @property
    def higher_is_better(self) -> bool:
        return self.better == HIGHER


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("partnerships_per_1000", "Partnerships formed per 1,000 orgs", HIGHER, PER_1000),
    Outcome("sme_participation", "SME participation", HIGHER, SHARE),
    Outcome("multinational_participation", "Multinational participation", HIGHER, SHARE),
    Outcome("median_lifetime_km", "Median partnership life (months)", HIGHER, MONTHS),
    Outcome("failed_share", "Share of ended partnerships that failed", LOWER, SHARE),
    Outcome("ended_funding_share", "Share ended for lack of funds", LOWER, SHARE),
    Outcome("outcome_direct", "Direct goal outcome", HIGHER, OUTCOME_UNITS),
    Outcome("outcome_indirect", "Indirect goal outcome", HIGHER, OUTCOME_UNITS),
    Outcome("outcome_total", "Total goal outcome (direct + indirect)", HIGHER, OUTCOME_UNITS,
            derive=("sum", "outcome_direct", "outcome_indirect")),
    Outcome("goal_coverage", "Goal coverage", HIGHER, SHARE),
    Outcome("cross_sector_share", "Cross-sector share of partnerships", HIGHER, SHARE),
    Outcome("mean_skill", "Mean skill at the end", HIGHER, "skill (0-1)"),
    Outcome("cost_per_partnership", "Staff-months per brokered partnership", LOWER,
            "staff-months per partnership"),
    Outcome("investment_attracted", "Investment attracted", HIGHER, "investment units"),
    Outcome("participation_gini", "Participation Gini", LOWER, "Gini (0-1)"),
    Outcome("sme_platform_membership_end", "SMEs on a platform", HIGHER, SHARE,
            derive=("end", "sme_platform_membership")),
    Outcome("skill_sme_end", "SME skill at the end", HIGHER, "skill (0-1)",
            derive=("end", "skill_sme")),
    Outcome("trained_per_org", "Training actions per organisation", HIGHER, PER_ORG,
            derive=("per_org", "trained")),
    Outcome("contacts_per_org", "Contacts per org", HIGHER, PER_ORG,
            derive=("per_org", "contacts")),
    Outcome("cross_sector_contacts_per_org", "Cross-sector contacts per org", HIGHER, PER_ORG,
            derive=("per_org", "cross_sector_contacts")),
    Outcome("formed_event_per_org", "Partnerships formed at events per org", HIGHER, PER_ORG,
            derive=("per_org", "formed_event")),
    Outcome("search_cost_per_org", "Search cost per org (bandwidth)", LOWER,
            "bandwidth per organisation", derive=("per_org", "search_cost")),
    # --- full cost and measures that tell designs apart (issue 12) ----------------------
    Outcome("platform_running_cost", "Platform running cost", LOWER, STAFF_MONTHS),
    Outcome("membership_bandwidth", "Members' bandwidth on platform memberships", LOWER,
            BANDWIDTH_MONTHS),
    Outcome("membership_cost_per_partnership", "Members' membership bandwidth per brokered "
            "partnership", LOWER, "bandwidth-months per partnership"),
    Outcome("staff_months_per_outcome", "Platform staff-months per unit of goal outcome",
            LOWER, "staff-months per outcome unit"),
    Outcome("membership_bandwidth_per_outcome", "Members' membership bandwidth per unit of "
            "goal outcome", LOWER, "bandwidth-months per outcome unit"),
    Outcome("cofinance", "Co-finance from non-donor members", HIGHER, "money (income units)"),
    Outcome("cofinance_per_donor_money", "Co-finance per unit of donor money", HIGHER,
            "money per unit of donor money"),
    Outcome("donor_leverage", "Direct goal outcome per unit of donor money", HIGHER,
            "outcome units per unit of donor money"),
    Outcome("investor_pool_used", "Share of the investor pool invested", HIGHER, SHARE),
    Outcome("goal_coverage_end", "Goal coverage in the last month", HIGHER, SHARE),
    Outcome("goal_coverage_mean", "Goal coverage, mean over months", HIGHER, SHARE),
    Outcome("deep_coverage", "Deep goal coverage (transformational)", HIGHER, SHARE),
    Outcome("deep_coverage_end", "Deep goal coverage in the last month", HIGHER, SHARE),
    Outcome("deep_coverage_mean", "Deep goal coverage, mean over months", HIGHER, SHARE),
    Outcome("action_yield", "Partnerships brokered per platform action", HIGHER,
            "partnerships per action"),
    *(Outcome(f"skill_end_{sector}", f"Skill at the end: {sector.replace('_', ' ')}", HIGHER,
              SKILL) for sector in SECTORS),
)

SERIES: tuple[Outcome, ...] = (
    Outcome("active_partnerships", "Active partnerships", HIGHER, "partnerships"),
    Outcome("sme_participation", "SME participation", HIGHER, SHARE),
    Outcome("mean_skill", "Mean partnering skill", HIGHER, "skill (0-1)"),
    Outcome("skill_sme", "SME skill", HIGHER, "skill (0-1)"),
    Outcome("mean_health", "Mean partnership health", HIGHER, "health (0-1)"),
    Outcome("sme_platform_membership", "SMEs on a platform", HIGHER, SHARE),
    Outcome("cross_sector_contacts", "Cross-sector contacts", HIGHER, "contacts"),
    Outcome("formed_event", "Partnerships formed at events", HIGHER, "partnerships"),
    Outcome("investment_attracted", "Investment attracted", HIGHER, "investment units"),
    Outcome("outcome_indirect", "Indirect goal outcome", HIGHER, OUTCOME_UNITS),
    Outcome("goal_coverage", "Goal coverage", HIGHER, SHARE),
    Outcome("deep_coverage", "Deep goal coverage (transformational)", HIGHER, SHARE),
    Outcome("action_yield", "Partnerships brokered per platform action", HIGHER,
            "partnerships per action"),
    Outcome("paid_memberships", "Platform memberships members pay for", LOWER,
            "memberships"),
    Outcome("cofinance", "Co-finance from non-donor members", HIGHER, "money"),
)

_BY_NAME = {o.name: o for o in OUTCOMES}
_SERIES_BY_NAME = {o.name: o for o in SERIES}
DERIVED: tuple[Outcome, ...] = tuple(o for o in OUTCOMES if o.derive)


def _lookup(table: dict[str, Outcome], kind: str, name: str) -> Outcome:
    try:
        return table[name]
    except KeyError:
        raise KeyError(f"{kind} {name!r}: not declared in sim.outcomes; declared are "
                       f"{', '.join(table)}") from None


def outcome(name: str) -> Outcome:
    """The declared run outcome `name` (in OUTCOMES); a KeyError names the allowed ones."""
    return _lookup(_BY_NAME, "outcome", name)


def series(name: str) -> Outcome:
    """The declared monthly series `name` (in SERIES); a KeyError names the allowed ones."""
    return _lookup(_SERIES_BY_NAME, "series", name)


__all__ = ["Outcome", "OUTCOMES", "SERIES", "DERIVED", "HIGHER", "LOWER", "outcome", "series"]
