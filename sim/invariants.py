"""Checks of the model's invariants, for tests and for debugging a custom model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.countries import ACTIVE_ORGS
from sim.params import END_CAUSES, LEADS_THROUGH_NATIONAL, MULTINATIONAL, SME
from sim.platforms import budget_parts, national_staff, staff_months
from sim.state import NATIONAL, WORLD_COUNTRY_VALUES, platform_member_rows, sector_counts

if TYPE_CHECKING:
    from sim.model import PartnershipModel

TOLERANCE = 1e-9


def invariant_violations(model: PartnershipModel) -> list[str]:
    """Return a description of every invariant the model's state breaks (empty when sound).

    Checked: load within 0..bandwidth; skills within 0..1; no NaN or infinity in any
    state array or in the latest reporters; every active partnership has two or more
    distinct members and each organisation's count of active partnerships matches;
    platform member lists agree with the organisations' records; cumulative formed minus
    dissolved equals active; per-country consistency (`country_violations`); the cost
    accounts (`cost_violations`).
    """
    s = model.state
    o, pl, ps = s.orgs, s.platforms, s.partnerships
    found: list[str] = []
    if np.any(o.load > o.bandwidth + TOLERANCE):
        rows = np.flatnonzero(o.load > o.bandwidth + TOLERANCE)
        found.append(f"load exceeds bandwidth for rows {rows[:5].tolist()}")
    if np.any(o.load < -TOLERANCE):
        found.append("negative load")
    if np.any((o.skill < 0.0) | (o.skill > 1.0)):
        found.append("skill outside 0..1")
    for group in s:
        for name, array in zip(group._fields, group, strict=True):
            if isinstance(array, np.ndarray) and array.dtype.kind == "f" and not np.all(
                    np.isfinite(array)):
                found.append(f"non-finite values in {type(group).__name__}.{name}")
    if not np.all(np.isfinite(model.step_metrics)):
        found.append("non-finite reporter values")

    active = np.flatnonzero(ps.active)
    counts = np.zeros(o.sector.shape[0], np.int64)
    for k in active:
        n = ps.n_members[k]
        members = ps.members[k, :n]
        if n < 2:
            found.append(f"partnership slot {k} has {n} member(s)")
        if np.unique(members).size != n or np.any(members < 0):
            found.append(f"partnership slot {k} has repeated or missing members {members}")
        counts[members] += 1
        local = o.sector[members] != MULTINATIONAL
        if np.any(o.country[members][local] != ps.country[k]):
            found.append(f"partnership slot {k} has a non-multinational from another country")
    if not np.array_equal(counts, o.n_active):
        found.append("organisations' active-partnership counts disagree with partnerships")
    if ps.free_top[0] + active.size != ps.active.shape[0]:
        found.append("free-slot stack and active slots do not add up to the pool size")

    n_countries = pl.block_count.shape[1] - 1
    for p in range(pl.staff.shape[0]):
        listed = platform_member_rows(pl, p)
        if np.unique(listed).size != pl.member_count[p] or np.any(listed < 0):
            found.append(f"platform {p} lists a member twice, or a block's count is wrong")
        for b in range(n_countries + 1):
            rows = pl.members[pl.block_start[p, b]:pl.block_start[p, b] + pl.block_count[p, b]]
            multinational = o.sector[rows] == MULTINATIONAL
            if (b == n_countries and not multinational.all()) or (
                    b < n_countries and (multinational.any() or np.any(o.country[rows] != b))):
                found.append(f"platform {p}: block {b} holds an organisation of another block")
                break
    memberships = int((o.member_pos >= 0).sum())
    if memberships != int(pl.member_count.sum()):
        found.append("organisations' memberships disagree with platform member lists")
    paid = ((o.member_pos >= 0) & (o.via_ba == 0)).sum(axis=1)
    if not np.array_equal(paid, o.paid_memberships):
        found.append("organisations' paid memberships disagree with their membership slots")
    charged = np.minimum(paid, 1) if model.params.overhead_scaling == "split" else paid
    expected_load = (o.n_active * model.params.partnership_cost
                     + charged * model.params.membership_overhead)
    if not np.allclose(o.load, expected_load, atol=1e-6):
        found.append("load differs from partnerships and memberships held")

    found.extend(platform_time_violations(model))
    found.extend(country_violations(model))
    found.extend(cost_violations(model))

    table = model.datacollector.get_model_vars_dataframe()
    if len(table):
        net = table["formed"].sum() - table["dissolved"].sum()
        if net != table["active_partnerships"].iloc[-1]:
            found.append(f"formed - dissolved = {net} but {table['active_partnerships'].iloc[-1]} "
                         "are active")
    return found


def cost_violations(model: PartnershipModel) -> list[str]:
    """The full-cost accounts add up: platform staff is never negative and staff plus running
    cost is the budget a design spends (`platforms.budget_parts`); the investors' pools stay
    within 0..their start and fall by exactly what was invested."""
    s = model.state
    p = model.params
    found: list[str] = []
    if np.any(s.platforms.staff < 0.0):
        found.append("a platform has negative staff")
    national, leads, running = budget_parts(p, model.countries)
    if p.platform_design != "none" and not np.isclose(
            s.platforms.staff.sum() + running, p.platform_budget, rtol=1e-9, atol=1e-9):
        found.append("platform staff plus running cost differs from platform_budget")
    if not np.isclose(s.platforms.staff.sum(), national + leads, rtol=1e-9, atol=1e-9):
        found.append("platform staff differs from the budget left after running costs")
    start = p.investor_pool * model.countries.n_orgs.astype(np.float64)
    pool = s.world.investor_pool
    if np.any(pool < 0.0) or np.any(pool > start * (1 + 1e-12)):
        found.append("an investor pool is outside 0..its starting value")
    table = model.datacollector.get_model_vars_dataframe()
    if len(table):
        invested = float(table["investment_attracted"].sum())
        # Each step's subtraction rounds at the pool's scale.
        rounding = 4 * np.finfo(np.float64).eps * start.sum() * max(model.steps, 1)
        if not np.isclose(start.sum() - pool.sum(), invested, rtol=1e-9, atol=1e-9 + rounding):
            found.append("investor pools did not fall by the investment attracted")
    return found


def country_violations(model: PartnershipModel) -> list[str]:
    """Per-country consistency of the state: row ranges match the countries' sizes and
    sector mix, the per-country values the rules read are the countries', national platforms
    list only their own country's organisations and divide the national budget as
    `national_budget_split` says, and the per-country tallies add up to the totals."""
    s = model.state
    o, pl, ps, w = s.orgs, s.platforms, s.partnerships, s.world
    countries = model.countries
    n = len(countries)
    found: list[str] = []
    sizes = np.diff(w.country_start)
    if w.country_start[0] != 0 or not np.array_equal(sizes, countries.n_orgs):
        found.append("country row ranges differ from the countries' sizes")
    if not np.array_equal(o.country, np.repeat(np.arange(n), countries.n_orgs)):
        found.append("organisations' countries differ from the country row ranges")
    for c in range(n):
        expected = sector_counts(int(countries.n_orgs[c]), tuple(countries["sector_shares"][c]))
        if not np.array_equal(np.diff(w.sector_start[c]), expected) \
                or w.sector_start[c, 0] != w.country_start[c]:
            found.append(f"country {c}: sector ranges differ from its sector mix")
            break
    for name in WORLD_COUNTRY_VALUES:
        if not np.array_equal(getattr(w, name), countries[name]):
            found.append(f"World.{name} differs from the countries' values")
    nationals = np.flatnonzero(pl.level == NATIONAL)
    for p in nationals:
        listed = platform_member_rows(pl, p)
        if np.any(o.country[listed] != pl.country[p]):
            found.append(f"national platform {p} lists an organisation of another country")
    if nationals.size:
        # National staff is shared between countries as the split says and adds up to at
        # most the national budget (exactly, unless platforms grow into their staff).
        p = model.params
        share = p.hybrid_national_share if p.platform_design in LEADS_THROUGH_NATIONAL else 1.0
        live = pl.staff[nationals]
        split = national_staff(p, countries, 1.0)
        if live.sum() > p.platform_budget * share * (1 + 1e-9) + 1e-12 or (
                live.sum() > 0 and not np.allclose(live / live.sum(), split)):
            found.append("national platforms' staff is not the national budget divided by "
                         "national_budget_split")
    if np.any(ps.country[ps.active == 1] >= n) or np.any(ps.country[ps.active == 1] < 0):
        found.append("a partnership's home country is out of range")
    served = w.staff_served.sum()
    if np.any(w.staff_served < 0) or served > staff_months(model).sum() * (1 + 1e-9) + 1e-9:
        found.append("staff serving the countries exceeds the platforms' staff-months")
    history = model.country_activity(1)
    if len(history):
        latest = history[-1]
        if latest[:, ACTIVE_ORGS].sum() != int((o.n_active > 0).sum()):
            found.append("per-country active organisations do not add up to the total")
    return found


def platform_time_violations(model: PartnershipModel) -> list[str]:
    """Platforms in time: working staff within 0..its full staff of the month (the ramp-up
    share of `staff_before` or `staff`), the working staff-months add up, no goal lead of
    the staged design works before `staged_start_month`, expertise within 0..1, and service
    is the working staff's actions (plus the leads' fed actions) when staff is constant."""
    pl = model.state.platforms
    p = model.params
    found: list[str] = []
    if not pl.staff.shape[0]:
        return found
    full = np.maximum(pl.staff, pl.staff_before)
    if np.any(pl.working < 0) or np.any(pl.working > full * (1 + 1e-12)):
        found.append("a platform's working staff is outside 0..its full staff")
    if np.any(pl.staff_months < -TOLERANCE) or np.any(
            pl.staff_months > full * model.steps * (1 + 1e-9) + 1e-9):
        found.append("working staff-months exceed full staff times the months run")
    if np.any((pl.expertise < 0.0) | (pl.expertise > 1.0)):
        found.append("platform expertise outside 0..1")
    if p.platform_design == "staged" and model.steps <= p.staged_start_month:
        leads = pl.level != NATIONAL
        if np.any(pl.staff_months[leads] > 0) or np.any(pl.actions_used[leads] > 0):
            found.append("a staged goal lead worked before staged_start_month")
    return found


def nan_allowed(model: PartnershipModel, summary: dict[str, Any]) -> dict[str, bool]:
    """Run-summary fields whose documented value is NaN in this run (`sim.metrics.run_summary`,
    `sim.patterns`): field -> whether NaN is allowed."""
    from sim.metrics import COST_MIN_OUTCOME, LEVERAGE_MIN_DISBURSED
    from sim.patterns import PATTERN_OUTPUTS

    table = model.datacollector.get_model_vars_dataframe()
    none_ended = summary["ended"] == 0
    none_brokered = table["formed_brokered"].sum() == 0 if len(table) else True
    no_outcome = summary["outcome_direct"] + summary["outcome_indirect"] <= COST_MIN_OUTCOME
    no_donor_money = summary["donor_disbursed"] <= LEVERAGE_MIN_DISBURSED
    return {
        "mean_lifetime": none_ended, "median_lifetime": none_ended,
        "median_lifetime_km": True,  # NaN while fewer than half are known to have ended
        "failed_share": none_ended, "failed_or_dormant_share": none_ended,
        **{f"ended_{c}_share": none_ended for c in END_CAUSES},
        "cost_per_partnership": none_brokered,
        "membership_cost_per_partnership": none_brokered,
        "action_yield": table["platform_actions"].sum() == 0 if len(table) else True,
        "staff_months_per_outcome": no_outcome,
        "membership_bandwidth_per_outcome": no_outcome,
        "donor_leverage": no_donor_money,
        "cofinance_per_donor_money": no_donor_money,
        "investor_pool_used": model.params.investor_pool == 0,
        "countries_failed_share_max": none_ended,
        "countries_sme_participation_min": not (model.state.orgs.sector == SME).any(),
        # (a denormal outcome divided by the organisations underflows to 0)
        "countries_outcome_per_org_min_ratio":
            summary["outcome_direct"] / summary["n_orgs_total"] == 0,
        **{name: True for name in PATTERN_OUTPUTS},
    }
