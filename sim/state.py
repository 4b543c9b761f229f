"""The model's state as a structure of NumPy arrays: organisations, platforms, partnerships, world.

Everything the rules read or write lives here, so the compiled engine and the Mesa agents
see one state. Organisation rows are laid out country by country and, inside a country,
sector by sector, so a country's (or a sector's) organisations are one contiguous range.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from sim.goals import N_GOALS
from sim.params import (
    BUSINESS_ASSOCIATION,
    COUNTRY_PARAMS,
    N_SECTORS,
    PARAM_FIELDS,
    SME,
    Params,
)

if TYPE_CHECKING:
    from sim.worlds import Countries

MEMORY = 4  # previous successful partners an organisation remembers
NO_PARTNER = -1
SOLO = -1  # broker code of a partnership found by searching alone
EVENT = -2  # broker code of a partnership begun at an event
VALUE_CHAIN, TRANSFORMATIONAL = 0, 1
PARTNERSHIP_KINDS = ("value_chain", "transformational")
NATIONAL, GLOBAL = 0, 1
PLATFORM_LEVELS = ("national", "global")
ALL_GOALS = -1

# Sector centres on the cultural axis (0..1). An organisation's position is its sector's
# centre plus N(0, 0.1) noise, times the country's cultural distance (not clipped).
SECTOR_CULTURE = np.array([0.25, 0.95, 0.0, 0.7, 0.55, 0.35, 0.15])

# Per-step tallies: counters the rules increment during a step (reset at its start).
(T_FORMED, T_DISSOLVED_HEALTH, T_DISSOLVED_UNMET, T_DISSOLVED_FUNDING, T_DISSOLVED_OBJECTIVE,
 T_DISBURSED, T_INVESTED, T_ACTIONS_USED, T_ACTIONS_AVAILABLE, T_CONTACTS, T_CONTACTS_CROSS,
 T_SEARCH_COST, T_FORMED_SOLO, T_FORMED_BROKERED, T_FORMED_EVENT, T_MEMBER_EXITS, T_TRAINED,
 T_FORMED_REPEAT, T_CONTACTS_REPEAT, T_ENDED, T_NEXT_SERIAL, T_PROPOSED,
 T_COFINANCE,  # non-donor members' money put into partnerships (funds, running costs)
 T_REFUSED) = range(24)
# Why formation refused a group a platform proposed: T_REFUSED + the reason's code.
REFUSAL_REASONS = ("bandwidth", "country", "repeated", "pool", "payoff")
REFUSED_BANDWIDTH, REFUSED_COUNTRY, REFUSED_REPEATED, REFUSED_POOL, REFUSED_PAYOFF = range(
    len(REFUSAL_REASONS))
N_TALLY = T_REFUSED + len(REFUSAL_REASONS)
# Every tally is reset at the start of a step except T_NEXT_SERIAL, the running number.


class Orgs(NamedTuple):
    """Organisations: one row each."""

    sector: np.ndarray        # int64: index into SECTORS
    country: np.ndarray       # int64
    bandwidth: np.ndarray     # float64: partnering capacity
    load: np.ndarray          # float64: bandwidth in use (partnerships + memberships)
    skill: np.ndarray         # float64: partnering skill 0..1
    income: np.ndarray        # float64: monthly resources
    resources: np.ndarray     # float64: resources at hand
    culture: np.ndarray       # float64: position on the cultural axis
    goals: np.ndarray         # int64: bit g set when the organisation cares about goal g
    n_active: np.ndarray      # int64: active partnerships it belongs to
    n_joined: np.ndarray      # int64: partnerships it has ever joined
    memory: np.ndarray        # int64 [n, MEMORY]: previous successful partners, -1 empty
    member_pos: np.ndarray    # int64 [n, n_slots]: position in the platform's member list, -1
    via_ba: np.ndarray        # int64 [n, n_slots]: 1 when represented by its association
    paid_memberships: np.ndarray  # int64: memberships it holds itself (not represented)
    association: np.ndarray   # int64: the business association an SME belongs to, -1 none
    represented: np.ndarray   # int64: SMEs an association represents (association rows)
    ba_capacity: np.ndarray   # float64: SMEs an association can represent (0 other rows)
    attending: np.ndarray     # int64: 1 when attending this month's conference
    searching: np.ndarray     # int64: 1 while chosen to consider a solo search (process 3)


class Platforms(NamedTuple):
    """Platforms: one row each, with their member lists in one flat array."""

    level: np.ndarray         # int64: NATIONAL or GLOBAL
    goal: np.ndarray          # int64: goal of a per-goal lead, ALL_GOALS for national
    country: np.ndarray       # int64: country of a national platform, -1 global
    staff: np.ndarray         # float64
    expertise: np.ndarray     # float64 [n_platforms, N_GOALS]
    takes_members: np.ndarray  # int64: 1 when organisations join it directly
    member_count: np.ndarray  # int64: members in all its blocks
    members: np.ndarray       # int64: flat member lists, one block per country (see below)
    block_start: np.ndarray   # int64 [n_platforms, n_countries + 1]: offset of a block
    block_count: np.ndarray   # int64 [n_platforms, n_countries + 1]: members in a block
    service: np.ndarray       # float64: actions per month that reach its members
    actions_used: np.ndarray  # float64: actions that reached a member, cumulative
    brokered: np.ndarray      # int64: partnerships it helped form, cumulative
    slot_base: np.ndarray     # int64 [n_slots]: platform of membership slot s ...
    slot_national: np.ndarray  # int64 [n_slots]: ... plus the org's country when 1
    slot_goal: np.ndarray     # int64 [n_slots]: goal of the slot, ALL_GOALS for national
    order: np.ndarray         # int64 [n_platforms]: this month's order of acting
    exits: np.ndarray         # int64 [2]: paid memberships SMEs, multinationals left, cumulative
    # Platforms in time (staff ramp-up, staged design; sim.rules.update_platforms).
    staff_before: np.ndarray  # float64: full staff before K.staged_start_month (= staff
    #                           except in the staged design)
    start_month: np.ndarray   # int64: month it starts work (staged leads: staged_start_month)
    working: np.ndarray       # float64: staff at work this month (ramp-up of its full staff)
    staff_months: np.ndarray  # float64: working staff-months, cumulative
    fed_service: np.ndarray   # float64: actions per month fed by the global leads at full
    #                           staff (national platforms of hybrid and staged; 0 otherwise)
    fed_expertise: np.ndarray  # float64 [n_platforms, N_GOALS]: expertise the leads feed
    #                            in when they start (staged; hybrid's is in `expertise`)


# A platform's member list is kept in blocks: block c holds its members from country c
# that are not multinationals, the last block (index n_countries)
# its multinational members, so brokering can draw from exactly the members a group of
# one country may include (sim.rules.draw_member).


def platform_member_rows(pl: Platforms, p: int) -> np.ndarray:
    """The organisations on platform `p`'s member list, block after block."""
    return np.concatenate([pl.members[start:start + count] for start, count
                           in zip(pl.block_start[p], pl.block_count[p], strict=True)])


class Partnerships(NamedTuple):
    """Partnership slots (a pool reused as partnerships end) and the record of ended ones."""

    active: np.ndarray        # int64: 1 when the slot holds a live partnership
    members: np.ndarray       # int64 [capacity, max_members], -1 empty
    n_members: np.ndarray     # int64
    goal: np.ndarray          # int64: focal goal
    kind: np.ndarray          # int64: VALUE_CHAIN or TRANSFORMATIONAL
    health: np.ndarray        # float64: 0..1, trust inside the partnership
    age: np.ndarray           # int64: months
    broker: np.ndarray        # int64: platform id, SOLO or EVENT
    country: np.ndarray       # int64
    funds: np.ndarray         # float64: pooled resources
    output: np.ndarray        # float64: cumulative output on the focal goal
    objective: np.ndarray     # float64: output at which the objective is reached
    unmet: np.ndarray         # int64 [capacity, max_members]: months member's objectives unmet
    serial: np.ndarray        # int64: running number of the partnership
    start: np.ndarray         # int64: step it formed
    free: np.ndarray          # int64: stack of free slots
    free_top: np.ndarray      # int64 [1]: number of free slots on the stack
    ended_serial: np.ndarray  # int64: partnerships that ended this step ...
    ended_age: np.ndarray     # int64
    ended_cause: np.ndarray   # int64: index into END_CAUSES
    ended_kind: np.ndarray    # int64
    ended_broker: np.ndarray  # int64
    ended_goal: np.ndarray    # int64
    ended_size: np.ndarray    # int64
    ended_country: np.ndarray  # int64: home country
    ended_members: np.ndarray  # int64 [capacity, max_members], -1 empty


class World(NamedTuple):
    """Countries, goals, events and the per-step tallies."""

    country_start: np.ndarray  # int64 [n_countries + 1]: row ranges of each country
    sector_start: np.ndarray   # int64 [n_countries, N_SECTORS + 1]: row ranges by sector
    pressure: np.ndarray       # float64 [n_countries, N_GOALS]: community pressure
    priority: np.ndarray       # int64 [n_countries, N_GOALS]: 1 for national priority goals
    event_goal: np.ndarray     # int64 [n_countries]: theme of this month's event, -1 none
    attendees: np.ndarray      # int64: flat lists of this month's attendees by country
    attendee_count: np.ndarray  # int64 [n_countries]
    aligned_pool: np.ndarray   # float64 [n_countries]: donor money aligned with priorities
    investment: np.ndarray     # float64 [n_countries, N_GOALS]: collective-action money
    outcome_direct: np.ndarray  # float64 [n_countries, N_GOALS]: cumulative
    outcome_indirect: np.ndarray  # float64 [n_countries, N_GOALS]: cumulative
    step_output: np.ndarray    # float64 [n_countries, N_GOALS, 2]: this step's output by kind
    goal_matrix: np.ndarray    # float64 [N_GOALS, N_GOALS]
    tally: np.ndarray          # float64 [N_TALLY]
    scratch: np.ndarray        # int64 [16]: working space for candidate groups
    order: np.ndarray          # int64 [n_orgs]: this phase's turn order (sim.rules.choose_*)
    gains: np.ndarray          # float64 [N_GOALS]: working space for one country's spillovers
    # Country-level parameters the rules read, one value per country (sim.worlds).
    trust: np.ndarray          # float64 [n_countries]
    fragility: np.ndarray      # float64 [n_countries]
    event_rate: np.ndarray     # float64 [n_countries]
    donor_alignment: np.ndarray  # float64 [n_countries]
    pressure_sensitivity: np.ndarray  # float64 [n_countries]
    # Per-country tally: platform staff-months that reached the country's organisations
    # (an action counts staff/actions of its platform), by platform level; cumulative.
    staff_served: np.ndarray   # float64 [n_countries, 2]: NATIONAL, GLOBAL
    # Money collective-action investors still have for the country (`investor_pool` times
    # its organisations at the start, never replenished).
    investor_pool: np.ndarray  # float64 [n_countries]


#: Country-level parameters the rules read from `World`, one value per country; the other
#: country-level parameters act at build time (sizes, sector mix, cultural distance,
#: association staff, priority goals). Country-level parameters are not in `Constants`.
WORLD_COUNTRY_VALUES = ("trust", "fragility", "event_rate", "donor_alignment",
                        "pressure_sensitivity")
assert set(WORLD_COUNTRY_VALUES) <= set(COUNTRY_PARAMS)


#: Parameters that only choose inputs or the driver, never read by a rule.
NOT_RULE_VALUES = ("world", "goal_matrix_path", "engine")


def _constant_fields() -> list[tuple[str, type]]:
    """The fields of `Constants`: every parameter of `Params` a rule may read, in schema
    order, after the derived `n_slots`. Country-level parameters are left out (they are
    per country in `World` or `Orgs`); a parameter with allowed `choices` is read as the
    index of its value in them (compare with the codes next to the choices in
    `sim.params`); a sector-indexed one as a float array."""
    fields: list[tuple[str, type]] = [("n_slots", int)]
    for f in dataclasses.fields(Params):
        if f.name in COUNTRY_PARAMS or f.name in NOT_RULE_VALUES:
            continue
        if f.metadata.get("choices"):
            fields.append((f.name, int))
        elif f.metadata.get("length"):
            fields.append((f.name, np.ndarray))
        else:
            fields.append((f.name, type(f.default)))
    return fields


Constants = NamedTuple("Constants", _constant_fields())
Constants.__doc__ = (
    "Parameters in the form the compiled rules read, built from the fields of `Params` "
    "(see `_constant_fields`); the country-level ones are per country in `World` "
    "(`WORLD_COUNTRY_VALUES`) or `Orgs`.")


def sector_counts(n_orgs: int, shares: tuple[float, ...]) -> np.ndarray:
    """Split `n_orgs` into sector counts by largest remainder, so they sum exactly."""
    shares = np.asarray(shares, dtype=np.float64)
    raw = shares / shares.sum() * n_orgs  # shares may sum to 1 only within a tolerance
    counts = np.floor(raw).astype(np.int64)
    remainder = n_orgs - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:remainder]] += 1
    return counts


def _draw_skill(rng: np.random.Generator, mean: float, n: int) -> np.ndarray:
    """Beta-distributed skills with the given mean (concentration 10); exact at 0 and 1."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(n, min(max(mean, 0.0), 1.0))
    return rng.beta(mean * 10.0, (1.0 - mean) * 10.0, size=n)


def _draw_goals(rng: np.random.Generator, mean_goals: float, n: int) -> np.ndarray:
    """Bitmasks of goals of interest: 1 + Poisson(mean - 1) distinct goals, at most 17."""
    k = np.minimum(1 + rng.poisson(max(mean_goals - 1.0, 0.0), size=n), N_GOALS)
    keys = rng.random((n, N_GOALS))
    ranks = np.argsort(np.argsort(keys, axis=1), axis=1)
    chosen = ranks < k[:, None]
    weights = np.int64(1) << np.arange(N_GOALS, dtype=np.int64)
    return (chosen * weights).sum(axis=1).astype(np.int64)


def build_orgs(p: Params, countries: Countries, rng: np.random.Generator, n_slots: int
               ) -> tuple[Orgs, np.ndarray, np.ndarray]:
    """Draw every organisation's initial state; return it with country and sector ranges.

    Country `c` has `countries.n_orgs[c]` rows split into sectors by its own sector shares;
    its cultural distance and association staff are its own too.
    """
    n_countries = len(countries)
    sizes = countries.n_orgs
    counts = np.stack([sector_counts(int(sizes[c]), tuple(countries["sector_shares"][c]))
                       for c in range(n_countries)])
    n_total = int(sizes.sum())
    sector = np.concatenate([np.repeat(np.arange(N_SECTORS), row) for row in counts])
    country = np.repeat(np.arange(n_countries), sizes)
    country_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    within = np.concatenate([np.zeros((n_countries, 1), np.int64), np.cumsum(counts, axis=1)],
                            axis=1)
    sector_start = country_start[:-1, None] + within

    bandwidth = np.empty(n_total)
    skill = np.empty(n_total)
    income = np.empty(n_total)
    goals = np.empty(n_total, dtype=np.int64)
    for s in range(N_SECTORS):
        rows = sector == s
        n = int(rows.sum())
        if n == 0:
            continue
        bandwidth[rows] = p.bandwidth[s] * rng.gamma(8.0, 1.0 / 8.0, size=n)
        skill[rows] = _draw_skill(rng, p.skill[s], n)
        income[rows] = p.income[s] * rng.gamma(2.0, 0.5, size=n)
        goals[rows] = _draw_goals(rng, p.n_goals_of_interest[s], n)
    culture = (countries["cultural_distance"][country]
               * (SECTOR_CULTURE[sector] + rng.normal(0.0, 0.1, n_total)))

    association = np.full(n_total, -1, dtype=np.int64)
    ba_capacity = np.zeros(n_total)
    for c in range(n_countries):
        lo, hi = sector_start[c, BUSINESS_ASSOCIATION], sector_start[c, BUSINESS_ASSOCIATION + 1]
        sme_lo, sme_hi = sector_start[c, SME], sector_start[c, SME + 1]
        if hi > lo and sme_hi > sme_lo:
            association[sme_lo:sme_hi] = rng.integers(lo, hi, size=sme_hi - sme_lo)
        ba_capacity[lo:hi] = countries["ba_staff"][c] * countries["ba_smes_per_staff"][c]

    orgs = Orgs(
        sector=sector.astype(np.int64), country=country.astype(np.int64),
        bandwidth=bandwidth, load=np.zeros(n_total), skill=skill, income=income,
        resources=income * 6.0, culture=culture, goals=goals,
        n_active=np.zeros(n_total, np.int64), n_joined=np.zeros(n_total, np.int64),
        memory=np.full((n_total, MEMORY), NO_PARTNER, np.int64),
        member_pos=np.full((n_total, n_slots), -1, np.int64),
        via_ba=np.zeros((n_total, n_slots), np.int64),
        paid_memberships=np.zeros(n_total, np.int64),
        association=association, represented=np.zeros(n_total, np.int64),
        ba_capacity=ba_capacity, attending=np.zeros(n_total, np.int64),
        searching=np.zeros(n_total, np.int64),
    )
    return orgs, country_start, sector_start


def build_partnerships(capacity: int, max_members: int) -> Partnerships:
    """An empty pool of `capacity` partnership slots (free stack pops slot 0 first)."""
    def z_i() -> np.ndarray:
        return np.zeros(capacity, np.int64)

    return Partnerships(
        active=z_i(), members=np.full((capacity, max_members), -1, np.int64), n_members=z_i(),
        goal=z_i(), kind=z_i(), health=np.zeros(capacity), age=z_i(), broker=z_i(),
        country=z_i(), funds=np.zeros(capacity), output=np.zeros(capacity),
        objective=np.zeros(capacity), unmet=np.zeros((capacity, max_members), np.int64),
        serial=z_i(), start=z_i(),
        free=np.arange(capacity - 1, -1, -1, dtype=np.int64),
        free_top=np.array([capacity], np.int64),
        ended_serial=z_i(), ended_age=z_i(), ended_cause=z_i(), ended_kind=z_i(),
        ended_broker=z_i(), ended_goal=z_i(), ended_size=z_i(), ended_country=z_i(),
        ended_members=np.full((capacity, max_members), -1, np.int64),
    )


def partnership_capacity(orgs: Orgs, partnership_cost: float) -> int:
    """Most partnerships the population's bandwidth could ever hold at once (pool size)."""
    slots = np.floor(orgs.bandwidth / partnership_cost).sum()
    return int(slots // 2) + 1


def build_world(p: Params, countries: Countries, rng: np.random.Generator,
                country_start: np.ndarray, sector_start: np.ndarray,
                goal_matrix: np.ndarray) -> World:
    """Countries' initial pressure, priorities, profiles and empty outcome accounts."""
    c = len(countries)
    priority = np.zeros((c, N_GOALS), np.int64)
    for k in range(c):
        priority[k, rng.permutation(N_GOALS)[: countries["n_priority_goals"][k]]] = 1
    return World(
        country_start=country_start, sector_start=sector_start,
        pressure=np.clip(rng.normal(0.3, 0.1, (c, N_GOALS)), 0.0, 1.0), priority=priority,
        event_goal=np.full(c, -1, np.int64), attendees=np.zeros(int(country_start[-1]), np.int64),
        attendee_count=np.zeros(c, np.int64), aligned_pool=np.zeros(c),
        investment=np.zeros((c, N_GOALS)), outcome_direct=np.zeros((c, N_GOALS)),
        outcome_indirect=np.zeros((c, N_GOALS)), step_output=np.zeros((c, N_GOALS, 2)),
        goal_matrix=goal_matrix, tally=np.zeros(N_TALLY), scratch=np.zeros(16, np.int64),
        order=np.zeros(int(country_start[-1]), np.int64),
        gains=np.zeros(N_GOALS),
        **{name: countries[name].astype(np.float64).copy() for name in WORLD_COUNTRY_VALUES},
        staff_served=np.zeros((c, 2)),
        investor_pool=p.investor_pool * countries.n_orgs.astype(np.float64),
    )


def build_constants(p: Params, n_slots: int) -> Constants:
    """Collect the parameters the compiled rules read (see `Constants`)."""
    values: dict[str, Any] = {"n_slots": n_slots}
    for name, kind in Constants.__annotations__.items():
        if name == "n_slots":
            continue
        value = getattr(p, name)
        meta = PARAM_FIELDS[name].metadata
        if meta.get("choices"):
            value = meta["choices"].index(value)
        elif kind is np.ndarray:
            value = np.asarray(value, dtype=np.float64)
        else:
            value = kind(value)
        values[name] = value
    return Constants(**values)
