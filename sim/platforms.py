"""Platform designs: which platforms exist, how the budget is shared out, who may join where.

- `none`: no platforms.
- `national`: one all-goal platform per country; the budget is divided between countries
  by `national_budget_split` (`national_staff`).
- `per_goal`: one global lead platform per goal serving every country; budget split by goal.
  An organisation joins the lead of each goal it cares about (one overhead each).
- `hybrid`: national platforms are the entry point (organisations join only them); global
  goal leads feed them expertise and act through them, losing `coordination_cost` of their
  staff time to coordination. The budget is split by `hybrid_national_share`, the
  national part between countries as in `national`.
- `staged`: national platforms from month 0, holding the whole budget (as in `national`);
  from `staged_start_month` the budget is split as in `hybrid` and the global goal leads
  work through the national platforms (their fed expertise arrives then too).

Every design spends the same `platform_budget` (staff), so designs differ by shape alone.
A platform hires its staff over `staff_ramp_months` from the month it starts (its working
staff, `Platforms.working`, is set each month by `sim.rules.update_platforms`).
Each platform first costs `platform_fixed_cost` staff-equivalents a month to run (its
running cost, `budget_parts`); only the rest of the budget is shared out as staff, so a
design with more platforms has fewer staff. When a part's platforms cost more than that
part of the budget, the whole part is running cost and their staff is 0 (never negative).
An organisation's memberships are kept in "slots": slot s stands for the platform
`slot_base[s] + (country if slot_national[s] else 0)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.goals import N_GOALS
from sim.params import LEADS_THROUGH_NATIONAL, MULTINATIONAL, PLATFORM_DESIGNS, Params
from sim.state import ALL_GOALS, GLOBAL, NATIONAL, Platforms, sector_counts
from sim.worlds import Countries

if TYPE_CHECKING:
    from sim.model import PartnershipModel


def country_need(p: Params, countries: Countries) -> np.ndarray:
    """Need per organisation of each country: the health a partnership loses each month to
    the country's low trust and its shocks, `health_gain*(1 - trust) + shock_size*fragility`
    (the country-level terms of the health rule, docs/ODD.md 7.5)."""
    return (p.health_gain * (1.0 - countries["trust"])
            + p.shock_size * countries["fragility"])


def national_staff(p: Params, countries: Countries, national_budget: float) -> np.ndarray:
    """Staff of each country's national platform: `national_budget` divided evenly, in
    proportion to organisations (`by_orgs`), or to organisations times `country_need`
    (`by_need`; by organisations if every country's need is zero)."""
    c = len(countries)
    if p.national_budget_split == "even":
        return np.full(c, national_budget / c)
    weights = countries.n_orgs.astype(np.float64)
    if p.national_budget_split == "by_need":
        need = weights * country_need(p, countries)
        if need.sum() > 0.0:
            weights = need
    return national_budget * weights / weights.sum()


def after_fixed_cost(part: float, n_platforms: int, fixed_cost: float) -> tuple[float, float]:
    """Split the monthly budget `part` of `n_platforms` platforms into (staff to share out,
    running cost): each platform costs `fixed_cost`; when they cost more than `part`, all
    of it is running cost and nothing is left for staff."""
    running = min(n_platforms * fixed_cost, part)
    return part - running, running


def budget_parts(p: Params, countries: Countries, before_start: bool = False
                 ) -> tuple[float, float, float]:
    """A design's monthly budget as (national platforms' staff, goal leads' staff, running
    cost of all platforms), in staff-equivalents; the three add up to `platform_budget`
    (0, 0, 0 for `none`, which spends nothing). `staged` is hybrid's from
    `staged_start_month`, and national's before it (`before_start`)."""
    c = len(countries)
    budget = p.platform_budget
    fixed = p.platform_fixed_cost
    design = p.platform_design
    if design == "staged":
        design = "national" if before_start else "hybrid"
    if design == "none":
        return 0.0, 0.0, 0.0
    if design == "national":
        national, running = after_fixed_cost(budget, c, fixed)
        return national, 0.0, running
    if design == "per_goal":
        leads, running = after_fixed_cost(budget, N_GOALS, fixed)
        return 0.0, leads, running
    if design == "hybrid":
        national_part = budget * p.hybrid_national_share
        national, running_national = after_fixed_cost(national_part, c, fixed)
        leads, running_leads = after_fixed_cost(budget - national_part, N_GOALS, fixed)
        return national, leads, running_national + running_leads
    raise ValueError(f"platform_design={p.platform_design!r}: allowed values are "
                     f"{', '.join(PLATFORM_DESIGNS)}")


def platform_running_cost(p: Params, countries: Countries) -> float:
    """Staff-equivalents a month the design's platforms spend on running themselves."""
    return budget_parts(p, countries)[2]


def platform_layout(p: Params, countries: Countries
                    ) -> tuple[list[tuple[int, int, int, float, bool]], int]:
    """Return the platforms of a design as (level, goal, country, staff, takes_members) and
    the number of membership slots an organisation has (for `staged`, the layout from
    `staged_start_month`, which is hybrid's; see `early_staff` for the staff before it).
    Staff is the budget left after the platforms' running costs (`budget_parts`)."""
    c = len(countries)
    design = p.platform_design
    national, leads, _ = budget_parts(p, countries)
    if design == "none":
        return [], 1
    if design == "national":
        staff = national_staff(p, countries, national)
        return [(NATIONAL, ALL_GOALS, k, float(staff[k]), True) for k in range(c)], 1
    if design == "per_goal":
        return [(GLOBAL, g, -1, leads / N_GOALS, True) for g in range(N_GOALS)], N_GOALS
    staff = national_staff(p, countries, national)  # hybrid, staged (budget_parts checked)
    return ([(NATIONAL, ALL_GOALS, k, float(staff[k]), True) for k in range(c)]
            + [(GLOBAL, g, -1, leads / N_GOALS, False) for g in range(N_GOALS)]), 1


def early_staff(p: Params, countries: Countries, level: np.ndarray, staff: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Full staff of each platform before `staged_start_month`, and the month it starts.

    In the staged design the national platforms hold the whole budget left after their own
    running costs (split as in `national`) and the goal leads, with no staff before it,
    start at `staged_start_month`; in every other design the staff never changes and every
    platform starts at month 0.
    """
    if p.platform_design != "staged":
        return staff.copy(), np.zeros(staff.shape[0], np.int64)
    nat = level == NATIONAL
    before = np.zeros_like(staff)
    before[nat] = national_staff(p, countries, budget_parts(p, countries, before_start=True)[0])
    start = np.where(nat, 0, p.staged_start_month).astype(np.int64)
    return before, start


def running_cost_months(p: Params, countries: Countries, months: int) -> float:
    """Staff-months the platforms spend running themselves over `months` months (in
    `staged`, only the national platforms' before `staged_start_month`)."""
    running = budget_parts(p, countries)[2]
    if p.platform_design != "staged":
        return running * months
    early = min(months, p.staged_start_month)
    return (budget_parts(p, countries, before_start=True)[2] * early
            + running * (months - early))


def build_platforms(p: Params, countries: Countries) -> Platforms:
    """Create the platforms of `p.platform_design` with empty member lists."""
    layout, n_slots = platform_layout(p, countries)
    n = len(layout)
    level = np.array([row[0] for row in layout], np.int64)
    goal = np.array([row[1] for row in layout], np.int64)
    country = np.array([row[2] for row in layout], np.int64)
    staff = np.array([row[3] for row in layout], np.float64)
    takes = np.array([int(row[4]) for row in layout], np.int64)

    staff_before, start_month = early_staff(p, countries, level, staff)
    expertise = np.zeros((n, N_GOALS))
    for k in range(n):
        if level[k] == NATIONAL:
            expertise[k, :] = p.national_expertise
        else:
            expertise[k, goal[k]] = p.global_expertise
    fed_expertise = np.zeros((n, N_GOALS))
    if p.platform_design in LEADS_THROUGH_NATIONAL:
        # Global leads feed their goal expertise into every national platform: from the
        # start in hybrid; in staged when the leads start (`sim.rules.update_platforms`).
        fed = np.zeros(N_GOALS)
        for k in range(n):
            if level[k] == GLOBAL and staff[k] > 0:
                fed[goal[k]] = p.expertise_transfer * p.global_expertise
        nat = level == NATIONAL
        if p.platform_design == "hybrid":
            expertise[nat] = np.minimum(1.0, expertise[nat] + fed[None, :])
        else:
            fed_expertise[nat] = fed[None, :] * p.expertise_start_share
    if p.expertise_start_share != 1.0:
        expertise *= p.expertise_start_share

    actions = staff * p.actions_per_staff
    service = np.where(takes == 1, actions, 0.0)
    fed_service = np.zeros(n)
    feeders = (level == GLOBAL) & (takes == 0)
    if feeders.any():
        fed_service[level == NATIONAL] = (actions[feeders].sum() * (1.0 - p.coordination_cost)
                                          / len(countries))
        service[level == NATIONAL] += fed_service[level == NATIONAL]

    national_rows = np.flatnonzero(level == NATIONAL)
    assert np.array_equal(national_rows, np.arange(national_rows.size)), \
        "national platforms must occupy rows 0..n_countries-1 (rules.platform_act relies on it)"

    # Member lists in blocks (sim.state): block c for country c's organisations that are
    # not multinationals, the last block for multinationals. A national platform's blocks
    # hold at most its own country's organisations, a global lead's every country's.
    c_count = len(countries)
    multinationals = np.array([sector_counts(int(countries.n_orgs[k]),
                                             tuple(countries["sector_shares"][k]))[MULTINATIONAL]
                               for k in range(c_count)], np.int64)
    others = countries.n_orgs.astype(np.int64) - multinationals
    block_capacity = np.zeros((n, c_count + 1), np.int64)
    for k in range(n):
        if takes[k] == 0:
            continue
        if level[k] == NATIONAL:
            block_capacity[k, country[k]] = others[country[k]]
            block_capacity[k, c_count] = multinationals[country[k]]
        else:
            block_capacity[k, :c_count] = others
            block_capacity[k, c_count] = multinationals.sum()
    capacity = block_capacity.sum(axis=1)
    block_start = (np.cumsum(block_capacity.ravel()) - block_capacity.ravel()).reshape(
        block_capacity.shape).astype(np.int64)

    if p.platform_design == "national" or p.platform_design in LEADS_THROUGH_NATIONAL:
        slot_base, slot_national, slot_goal = [0], [1], [ALL_GOALS]
    elif p.platform_design == "per_goal":
        slot_base, slot_national, slot_goal = list(range(N_GOALS)), [0] * N_GOALS, list(
            range(N_GOALS))
    else:
        slot_base, slot_national, slot_goal = [0], [0], [ALL_GOALS]
    assert len(slot_base) == n_slots

    return Platforms(
        level=level, goal=goal, country=country, staff=staff, expertise=expertise,
        takes_members=takes, member_count=np.zeros(n, np.int64),
        members=np.full(int(capacity.sum()), -1, np.int64),
        block_start=block_start, block_count=np.zeros_like(block_capacity), service=service,
        actions_used=np.zeros(n),
        brokered=np.zeros(n, np.int64), slot_base=np.array(slot_base, np.int64),
        slot_national=np.array(slot_national, np.int64), slot_goal=np.array(slot_goal, np.int64),
        order=np.arange(n, dtype=np.int64), exits=np.zeros(2, np.int64),
        staff_before=staff_before, start_month=start_month, working=staff_before.copy(),
        staff_months=np.zeros(n), fed_service=fed_service, fed_expertise=fed_expertise,
    )


def staff_constant(p: Params) -> bool:
    """Whether every platform works its full staff in every month (no ramp-up, not staged)."""
    return p.staff_ramp_months == 0.0 and p.platform_design != "staged"


def staff_months(model: PartnershipModel) -> np.ndarray:
    """Staff-months each platform has worked so far: its staff times the months run when
    staff is constant (exactly as before these mechanisms), else the running tally
    `Platforms.staff_months` of its working staff."""
    pl = model.state.platforms
    if staff_constant(model.params):
        return pl.staff * model.steps
    return pl.staff_months.copy()


def mean_staff(model: PartnershipModel) -> np.ndarray:
    """Each platform's working staff averaged over the months run (its staff when staff
    is constant or before the first month)."""
    pl = model.state.platforms
    if staff_constant(model.params) or model.steps == 0:
        return pl.staff.copy()
    return pl.staff_months / model.steps


def spent_staff_months(model: PartnershipModel) -> float:
    """Staff-months the design has spent so far: its platforms' working staff-months plus
    their running cost (`platform_budget` times the months run, unless staff ramps up; 0
    under `none`)."""
    return float(staff_months(model).sum()) + running_cost_months(
        model.params, model.countries, model.steps)
