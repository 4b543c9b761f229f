"""Per-step measures (one compiled pass over the state), named reporters and the run summary.

The measures of a step are computed once, inside compiled code, into `model.step_metrics`;
the DataCollector's reporters only read them. Each reporter is `functools.partial` of the
module-level function `read_step_metric`, so models pickle (no lambdas) and batch runs can
use several processes.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.jit import jit, jit_noalloc
from sim.params import END_CAUSES, FAILURE_CAUSES, MULTINATIONAL, N_SECTORS, SECTORS, SME
from sim.state import (
    REFUSAL_REASONS,
    T_ACTIONS_USED,
    T_COFINANCE,
    T_CONTACTS,
    T_CONTACTS_CROSS,
    T_CONTACTS_REPEAT,
    T_DISBURSED,
    T_DISSOLVED_HEALTH,
    T_FORMED,
    T_FORMED_BROKERED,
    T_FORMED_EVENT,
    T_FORMED_REPEAT,
    T_FORMED_SOLO,
    T_INVESTED,
    T_MEMBER_EXITS,
    T_PROPOSED,
    T_REFUSED,
    T_SEARCH_COST,
    T_TRAINED,
    TRANSFORMATIONAL,
)

if TYPE_CHECKING:
    from sim.model import PartnershipModel

LEVERAGE_MIN_DISBURSED = 1e-9  # below this, donor leverage is undefined (NaN), not huge
COST_MIN_OUTCOME = 1e-9  # at or below this total outcome, costs per outcome are NaN, not huge

STEP_METRICS: tuple[str, ...] = (
    "active_partnerships", "formed", "dissolved",
    *(f"dissolved_{cause}" for cause in END_CAUSES),
    "member_exits", "formed_solo", "formed_brokered", "formed_event", "formed_repeat",
    *(f"{sector}_participation" for sector in SECTORS),
    "cross_sector_share", "transformational_share", "mean_health",
    "mean_skill", *(f"skill_{sector}" for sector in SECTORS),
    "goal_coverage", "outcome_direct", "outcome_indirect",
    "action_yield", "platform_membership", "sme_platform_membership", "trained",
    "contacts", "cross_sector_contacts", "repeat_contacts", "search_cost",
    "donor_disbursed", "investment_attracted", "participation_gini",
    "platform_proposals", *(f"proposals_refused_{reason}" for reason in REFUSAL_REASONS),
    # full cost and measures that tell designs apart (issue 12)
    "deep_coverage", "platform_actions", "paid_memberships", "cofinance",
    # platform membership and exits of businesses, by sector (calibration targets 7-9)
    "multinational_platform_membership", "sme_paid_memberships",
    "multinational_paid_memberships", "sme_platform_exits", "multinational_platform_exits",
)
_INDEX = {name: k for k, name in enumerate(STEP_METRICS)}
# Positions in STEP_METRICS, as constants the compiled kernel reads by name.
_I_PARTICIPATION = _INDEX[f"{SECTORS[0]}_participation"]
_I_SKILL = _INDEX[f"skill_{SECTORS[0]}"]
_I_ACTIVE = _INDEX["active_partnerships"]
_I_DISSOLVED = _INDEX["dissolved"]
_I_CROSS = _INDEX["cross_sector_share"]
_I_TRANSFORMATIONAL = _INDEX["transformational_share"]
_I_HEALTH = _INDEX["mean_health"]
_I_MEAN_SKILL = _INDEX["mean_skill"]
_I_COVERAGE = _INDEX["goal_coverage"]
_I_DIRECT = _INDEX["outcome_direct"]
_I_INDIRECT = _INDEX["outcome_indirect"]
_I_YIELD = _INDEX["action_yield"]
_I_DEEP = _INDEX["deep_coverage"]
_I_PAID_MEMBERSHIPS = _INDEX["paid_memberships"]
_I_MEMBERSHIP = _INDEX["platform_membership"]
_I_SME_MEMBERSHIP = _INDEX["sme_platform_membership"]
_I_MNC_MEMBERSHIP = _INDEX["multinational_platform_membership"]
_I_SME_PAID = _INDEX["sme_paid_memberships"]
_I_MNC_PAID = _INDEX["multinational_paid_memberships"]
_I_SME_EXITS = _INDEX["sme_platform_exits"]
_I_MNC_EXITS = _INDEX["multinational_platform_exits"]
_I_GINI = _INDEX["participation_gini"]
# Measures that are a step's tally as it stands: (position in STEP_METRICS, tally index).
_TALLY_METRICS = np.array([
    (_INDEX["formed"], T_FORMED),
    *((_INDEX[f"dissolved_{cause}"], T_DISSOLVED_HEALTH + c) for c, cause in enumerate(END_CAUSES)),
    (_INDEX["member_exits"], T_MEMBER_EXITS),
    (_INDEX["formed_solo"], T_FORMED_SOLO),
    (_INDEX["formed_brokered"], T_FORMED_BROKERED),
    (_INDEX["formed_event"], T_FORMED_EVENT),
    (_INDEX["formed_repeat"], T_FORMED_REPEAT),
    (_INDEX["trained"], T_TRAINED),
    (_INDEX["contacts"], T_CONTACTS),
    (_INDEX["cross_sector_contacts"], T_CONTACTS_CROSS),
    (_INDEX["repeat_contacts"], T_CONTACTS_REPEAT),
    (_INDEX["search_cost"], T_SEARCH_COST),
    (_INDEX["donor_disbursed"], T_DISBURSED),
    (_INDEX["investment_attracted"], T_INVESTED),
    (_INDEX["platform_proposals"], T_PROPOSED),
    *((_INDEX[f"proposals_refused_{reason}"], T_REFUSED + r)
      for r, reason in enumerate(REFUSAL_REASONS)),
    (_INDEX["platform_actions"], T_ACTIONS_USED),
    (_INDEX["cofinance"], T_COFINANCE),
], dtype=np.int64)


@jit_noalloc
def gini_of_counts(counts: np.ndarray) -> float:
    """Gini coefficient of a population of non-negative integers given as a histogram
    (`counts[v]` members have value v); 0 when every value is zero. Equals the
    sorted-values formula sum_k (2k - n + 1) x_(k) / (n sum x), without sorting."""
    n = 0
    total = 0.0
    for v in range(counts.shape[0]):
        n += counts[v]
        total += v * counts[v]
    if n == 0 or total == 0.0:
        return 0.0
    weighted = 0.0
    rank = 0  # members with smaller values
    for v in range(1, counts.shape[0]):
        rank += counts[v - 1]
        c = counts[v]
        # members ranked rank..rank+c-1 all hold v: sum of (2k - n + 1) over them
        weighted += v * c * (2.0 * rank + c - n)
    return weighted / (n * total)


@jit_noalloc
def fill_step_metrics(O, PS, W, exits: np.ndarray, out: np.ndarray, per_sector: np.ndarray,
                      covered: np.ndarray, joined: np.ndarray) -> None:
    """Fill `out` (ordered as STEP_METRICS; `exits`: the platforms' cumulative exits of SME
    and multinational members), using zeroed working arrays: `per_sector`
    [3, N_SECTORS], `covered` [n_countries, N_GOALS] and `joined` (a histogram with a bin
    for every value of `O.n_joined`). A cell of `covered` ends 1 when an active partnership
    works on that (country, goal), 2 when a transformational one does."""
    t = W.tally
    out[:] = 0.0
    n_sector = per_sector[0]
    active_sector = per_sector[1]
    skill_sector = per_sector[2]
    members = 0.0
    sme_members = 0.0
    mnc_members = 0.0
    skill_total = 0.0
    paid = 0.0
    for i in range(O.sector.shape[0]):
        s = O.sector[i]
        n_sector[s] += 1
        skill_sector[s] += O.skill[i]
        skill_total += O.skill[i]
        joined[O.n_joined[i]] += 1
        if O.n_active[i] > 0:
            active_sector[s] += 1
        paid += O.paid_memberships[i]
        if s == SME:
            out[_I_SME_PAID] += O.paid_memberships[i]
        elif s == MULTINATIONAL:
            out[_I_MNC_PAID] += O.paid_memberships[i]
        for slot in range(O.member_pos.shape[1]):
            if O.member_pos[i, slot] >= 0:
                members += 1
                if s == SME:
                    sme_members += 1
                elif s == MULTINATIONAL:
                    mnc_members += 1
                break
    active = 0
    cross = 0
    transformational = 0
    health = 0.0
    for k in range(PS.active.shape[0]):
        if PS.active[k] == 0:
            continue
        active += 1
        health += PS.health[k]
        if PS.kind[k] == TRANSFORMATIONAL:
            transformational += 1
            covered[PS.country[k], PS.goal[k]] = 2.0
        elif covered[PS.country[k], PS.goal[k]] == 0.0:
            covered[PS.country[k], PS.goal[k]] = 1.0
        first = O.sector[PS.members[k, 0]]
        for a in range(1, PS.n_members[k]):
            if O.sector[PS.members[k, a]] != first:
                cross += 1
                break
    n_orgs = O.sector.shape[0]
    for r in range(_TALLY_METRICS.shape[0]):
        out[_TALLY_METRICS[r, 0]] = t[_TALLY_METRICS[r, 1]]
    out[_I_ACTIVE] = active
    for c in range(len(END_CAUSES)):
        out[_I_DISSOLVED] += t[T_DISSOLVED_HEALTH + c]
    for s in range(N_SECTORS):
        if n_sector[s] > 0:
            out[_I_PARTICIPATION + s] = active_sector[s] / n_sector[s]
            out[_I_SKILL + s] = skill_sector[s] / n_sector[s]
    if active > 0:
        out[_I_CROSS] = cross / active
        out[_I_TRANSFORMATIONAL] = transformational / active
        out[_I_HEALTH] = health / active
    out[_I_MEAN_SKILL] = skill_total / n_orgs
    n_covered = 0.0
    n_deep = 0.0
    for c in range(covered.shape[0]):
        for g in range(covered.shape[1]):
            if covered[c, g] > 0.0:
                n_covered += 1.0
            if covered[c, g] == 2.0:
                n_deep += 1.0
            out[_I_DIRECT] += W.outcome_direct[c, g]
            out[_I_INDIRECT] += W.outcome_indirect[c, g]
    out[_I_COVERAGE] = n_covered / covered.size
    out[_I_DEEP] = n_deep / covered.size
    if t[T_ACTIONS_USED] > 0:
        out[_I_YIELD] = t[T_FORMED_BROKERED] / t[T_ACTIONS_USED]
    out[_I_PAID_MEMBERSHIPS] = paid
    out[_I_MEMBERSHIP] = members / n_orgs
    if n_sector[SME] > 0:
        out[_I_SME_MEMBERSHIP] = sme_members / n_sector[SME]
    if n_sector[MULTINATIONAL] > 0:
        out[_I_MNC_MEMBERSHIP] = mnc_members / n_sector[MULTINATIONAL]
    out[_I_SME_EXITS] = exits[0]  # cumulative: the summary differences them
    out[_I_MNC_EXITS] = exits[1]
    out[_I_GINI] = gini_of_counts(joined)


@jit
def compute_step_metrics(O, PL, PS, W, out: np.ndarray) -> None:
    """Fill `out` (ordered as STEP_METRICS) with this step's measures."""
    fill_step_metrics(O, PS, W, PL.exits, out, np.zeros((3, N_SECTORS)),
                      np.zeros(W.pressure.shape),
                      np.zeros(O.n_joined.max() + 1, np.int64))


def read_step_metric(model: PartnershipModel, name: str) -> float:
    """Return measure `name` of the model's latest step (a DataCollector model reporter)."""
    return float(model.step_metrics[_INDEX[name]])


def model_reporters() -> dict[str, partial]:
    """The DataCollector's model reporters: one per entry of STEP_METRICS."""
    return {name: partial(read_step_metric, name=name) for name in STEP_METRICS}


def median_lifetime_km(ended_ages: np.ndarray, active_ages: np.ndarray) -> float:
    """Kaplan-Meier median lifetime: ended partnerships are events, active ones censored.

    Returns NaN when fewer than half are known to have ended by the longest observed age.
    """
    ages = np.concatenate([ended_ages, active_ages]).astype(np.float64)
    ended = np.concatenate([np.ones(len(ended_ages)), np.zeros(len(active_ages))])
    order = np.lexsort((1 - ended, ages))  # at equal ages, ends come before censoring
    ages, ended = ages[order], ended[order]
    at_risk = len(ages) - np.arange(len(ages))
    survival = np.cumprod(np.where(ended == 1, 1.0 - 1.0 / at_risk, 1.0))
    below = np.flatnonzero(survival <= 0.5)
    return float(ages[below[0]]) if below.size else float("nan")


#: Months at the end of a run over which the summary averages per-step shares
#: (participation, cross-sector share, goal coverage): "at the end" means the last year.
SUMMARY_TAIL_MONTHS = 12


def run_summary(model: PartnershipModel) -> dict[str, Any]:
    """Summarise a finished model in one row: formation, survival, participation, outcomes.

    `failed_share` is the share of ended partnerships that ended in failure (health
    breakdown or a member's objectives unmet); `failed_or_dormant_share` adds those whose
    funding ran out. Lifetimes are in months (steps) and count ended partnerships only
    (biased low in short runs, where long-lived partnerships are still active);
    `median_lifetime_km` corrects for that with a Kaplan-Meier estimate that counts active
    partnerships as censored at their current age.
    `cost_per_partnership` is platform staff-months (working staff, see
    `staff_ramp_months`, and the platforms' running cost) per partnership a platform helped
    to form (NaN when none did, as under the `none` design). The `countries_*` fields are
    the spread across countries (`sim.countries.SPREAD_COLUMNS`). The full-cost and
    coverage columns are described in `full_cost_summary`.
    """
    from sim.countries import country_spread
    from sim.patterns import pattern_outputs
    from sim.platforms import spent_staff_months

    series = model.datacollector.get_model_vars_dataframe()
    history = model.partnership_history()
    p = model.params
    n_total = model.n_total
    ended = len(history)
    formed = int(series["formed"].sum()) if len(series) else 0
    causes = history["end_cause"].value_counts() if ended else {}
    failed = sum(int(causes.get(c, 0)) for c in FAILURE_CAUSES)
    dormant = int(causes.get("funding", 0))
    tail = series.tail(SUMMARY_TAIL_MONTHS)
    disbursed = float(series["donor_disbursed"].sum()) if len(series) else 0.0
    direct = float(series["outcome_direct"].iloc[-1]) if len(series) else 0.0
    staff_months = spent_staff_months(model)  # working staff plus running cost
    brokered = int(series["formed_brokered"].sum()) if len(series) else 0
    row: dict[str, Any] = {
        "platform_design": p.platform_design,
        "platform_budget": p.platform_budget,
        # With a world file: countries from the file, mean organisations per country
        # (rounded: the column keeps the parameter's integer type; n_orgs_total is exact).
        "n_orgs": p.n_orgs if p.world is None else round(n_total / len(model.countries)),
        "n_countries": len(model.countries),
        "n_orgs_total": n_total,
        "engine": p.engine,
        "steps": model.steps,
        "formed": formed,
        "formed_brokered": brokered,  # formed with a platform's introduction or convening
        "ended": ended,
        "active_at_end": int(series["active_partnerships"].iloc[-1]) if len(series) else 0,
        "partnerships_per_1000": 1000.0 * formed / n_total,
        "mean_lifetime": float(history["age"].mean()) if ended else float("nan"),
        "median_lifetime": float(history["age"].median()) if ended else float("nan"),
        "median_lifetime_km": median_lifetime_km(
            history["age"].to_numpy(),
            model.state.partnerships.age[model.state.partnerships.active == 1]),
        "failed_share": failed / ended if ended else float("nan"),
        "failed_or_dormant_share": (failed + dormant) / ended if ended else float("nan"),
        **{f"ended_{c}_share": (int(causes.get(c, 0)) / ended if ended else float("nan"))
           for c in END_CAUSES},
        **{f"{s}_participation": float(tail[f"{s}_participation"].mean()) if len(tail) else 0.0
           for s in SECTORS},
        "cross_sector_share": float(tail["cross_sector_share"].mean()) if len(tail) else 0.0,
        "transformational_share": float(tail["transformational_share"].mean())
        if len(tail) else 0.0,
        "mean_skill": float(series["mean_skill"].iloc[-1]) if len(series) else 0.0,
        "goal_coverage": float(tail["goal_coverage"].mean()) if len(tail) else 0.0,
        "outcome_direct": direct,
        "outcome_indirect": float(series["outcome_indirect"].iloc[-1]) if len(series) else 0.0,
        "cost_per_partnership": staff_months / brokered if brokered else float("nan"),
        "donor_disbursed": disbursed,
        "donor_leverage": direct / disbursed if disbursed > LEVERAGE_MIN_DISBURSED
        else float("nan"),
        "investment_attracted": float(series["investment_attracted"].sum())
        if len(series) else 0.0,
        "participation_gini": float(series["participation_gini"].iloc[-1])
        if len(series) else 0.0,
        # Groups platforms proposed, and those formation refused, by reason (run totals).
        "platform_proposals": int(series["platform_proposals"].sum()) if len(series) else 0,
        **{f"proposals_refused_{reason}": int(series[f"proposals_refused_{reason}"].sum())
           if len(series) else 0 for reason in REFUSAL_REASONS},
        **full_cost_summary(model, series),
        **network_summary(model),
        **country_spread(model),
        **goal_outcomes(model),
    }
    row.update(pattern_outputs(model, row))
    return row


def _ratio(numerator: float, denominator: float, smallest: float = 0.0) -> float:
    """numerator / denominator, NaN when the denominator is at most `smallest`."""
    return numerator / denominator if denominator > smallest else float("nan")


def full_cost_summary(model: PartnershipModel, series: Any) -> dict[str, Any]:
    """The full cost of the platforms and measures that tell designs apart (issue 12).

    - `platform_running_cost`: staff-months the platforms spent running themselves
      (`platform_fixed_cost` per platform per month, `sim.platforms.running_cost_months`);
    - `membership_bandwidth`: bandwidth-months members spent on platform memberships
      (`membership_overhead` times the memberships they pay for, summed over months);
    - `membership_cost_per_partnership`: that bandwidth per brokered partnership, next to
      `cost_per_partnership` (staff-months, running cost included); `staff_months_per_outcome`
      (platform staff-months spent, running cost included; 0 under `none`) and
      `membership_bandwidth_per_outcome`: the costs per unit of total goal outcome
      (direct + indirect; NaN at or below `COST_MIN_OUTCOME`);
    - `cofinance`, `cofinance_per_donor_money`: non-donor members' money put into
      partnerships (funds at formation, running costs) and that per unit of donor money
      disbursed, next to `donor_leverage` (outcome per donor money);
    - `investor_pool_used`: the share of the investors' pool collective action invested;
    - `goal_coverage_end` / `goal_coverage_mean`: share of (country, goal) cells with an
      active partnership in the last month / over all months; `deep_coverage` (last
      `SUMMARY_TAIL_MONTHS` months), `deep_coverage_end`, `deep_coverage_mean`: the same
      for cells with a transformational partnership;
    - `action_yield`: brokered partnerships per platform action used (NaN without actions);
    - `skill_end_<sector>`: mean skill of each sector in the last month.
    """
    p = model.params
    s = model.state
    months = model.steps
    n = len(series)
    tail = series.tail(SUMMARY_TAIL_MONTHS)
    brokered = float(s.platforms.brokered.sum())
    outcome_total = (float(series["outcome_direct"].iloc[-1] + series["outcome_indirect"].iloc[-1])
                     if n else 0.0)  # the summary's outcome_direct + outcome_indirect
    from sim.platforms import running_cost_months, spent_staff_months

    staff_months = spent_staff_months(model)  # 0 under `none`: nothing is spent
    bandwidth = p.membership_overhead * float(series["paid_memberships"].sum()) if n else 0.0
    cofinance = float(series["cofinance"].sum()) if n else 0.0
    disbursed = float(series["donor_disbursed"].sum()) if n else 0.0
    invested = float(series["investment_attracted"].sum()) if n else 0.0
    pool = p.investor_pool * float(model.n_total)
    return {
        "platform_running_cost": running_cost_months(p, model.countries, months),
        "membership_bandwidth": bandwidth,
        "membership_cost_per_partnership": _ratio(bandwidth, brokered),
        "staff_months_per_outcome": _ratio(staff_months, outcome_total, COST_MIN_OUTCOME),
        "membership_bandwidth_per_outcome": _ratio(bandwidth, outcome_total, COST_MIN_OUTCOME),
        "cofinance": cofinance,
        "cofinance_per_donor_money": _ratio(cofinance, disbursed, LEVERAGE_MIN_DISBURSED),
        "investor_pool_used": _ratio(invested, pool),
        "goal_coverage_end": float(series["goal_coverage"].iloc[-1]) if n else 0.0,
        "goal_coverage_mean": float(series["goal_coverage"].mean()) if n else 0.0,
        "deep_coverage": float(tail["deep_coverage"].mean()) if n else 0.0,
        "deep_coverage_end": float(series["deep_coverage"].iloc[-1]) if n else 0.0,
        "deep_coverage_mean": float(series["deep_coverage"].mean()) if n else 0.0,
        "action_yield": _ratio(brokered, float(s.platforms.actions_used.sum())),
        **{f"skill_end_{sector}": float(series[f"skill_{sector}"].iloc[-1]) if n else 0.0
           for sector in SECTORS},
    }


def partnership_groups(model: PartnershipModel, window: int | None = None) -> np.ndarray:
    """Member rows (-1 padded, one row per partnership) of every partnership active at some
    time in the last `window` months (None: the whole run so far): active ones, then ended."""
    ps = model.state.partnerships
    history = model.partnership_history()
    if window is not None:
        history = history[history["end_step"] > model.steps - window]
    member_columns = [c for c in history.columns if c.startswith("member_")]
    active = ps.members[ps.active == 1][:, :len(member_columns)].astype(np.int64)
    return np.concatenate([active, history[member_columns].to_numpy(dtype=np.int64)])


def partnership_network(model: PartnershipModel, window: int | None = None):
    """Alliance network: organisations linked when they were partners in a partnership
    active at some time in the last `window` months (None: the whole run so far)."""
    import networkx as nx

    graph = nx.Graph()
    for row in partnership_groups(model, window):
        members = [int(i) for i in row if i >= 0]
        graph.add_nodes_from(members)
        graph.add_edges_from((a, b) for n, a in enumerate(members) for b in members[n + 1:])
    return graph


@jit
def _component_sizes(groups: np.ndarray, n_orgs: int) -> np.ndarray:
    """Sizes of the connected components of organisations linked by shared groups (rows of
    `groups`, -1 padded), counting only organisations in some group; union-find."""
    parent = np.arange(n_orgs)
    seen = np.zeros(n_orgs, np.bool_)
    for g in range(groups.shape[0]):
        first = groups[g, 0]
        if first < 0:
            continue
        seen[first] = True
        for j in range(1, groups.shape[1]):
            other = groups[g, j]
            if other < 0:
                continue
            seen[other] = True
            a, b = first, other
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            while parent[b] != b:
                parent[b] = parent[parent[b]]
                b = parent[b]
            if a != b:
                parent[b] = a
    size = np.zeros(n_orgs, np.int64)
    for i in range(n_orgs):
        if seen[i]:
            r = i
            while parent[r] != r:
                r = parent[r]
            size[r] += 1
    return size[size > 0]


def component_sizes(model: PartnershipModel, window: int | None = None) -> list[int]:
    """Sizes of the alliance network's connected components (organisations that were
    partners in a partnership active in the last `window` months, or ever), largest first."""
    sizes = _component_sizes(partnership_groups(model, window), model.n_total)
    return sorted(sizes.tolist(), reverse=True)


#: Component-size classes reported in the run summary: (smallest, largest, column suffix).
COMPONENT_SIZE_CLASSES = ((2, 2, "2"), (3, 7, "3_7"), (8, 31, "8_31"), (32, 255, "32_255"),
                          (256, None, "256_plus"))


#: Months of partnerships the summary's alliance network spans (a moving window, as
#: alliance-network studies use, since alliances end; over a whole long run nearly every
#: organisation that ever partnered ends up in one component).
NETWORK_WINDOW_MONTHS = 36


def network_summary(model: PartnershipModel) -> dict[str, Any]:
    """Alliance-network shape over the last `NETWORK_WINDOW_MONTHS` months: organisations
    in a partnership active in that window, number of connected components, the largest
    one's share of those organisations (0 when none partnered), and the number of
    components in each size class of `COMPONENT_SIZE_CLASSES`."""
    sizes = np.asarray(component_sizes(model, NETWORK_WINDOW_MONTHS), dtype=np.int64)
    orgs = int(sizes.sum())
    row: dict[str, Any] = {
        "network_orgs": orgs,
        "network_components": int(sizes.size),
        "network_largest_component_share": float(sizes[0]) / orgs if orgs else 0.0,
    }
    for smallest, largest, suffix in COMPONENT_SIZE_CLASSES:
        inside = sizes >= smallest if largest is None else (sizes >= smallest) & (sizes <= largest)
        row[f"network_components_size_{suffix}"] = int(inside.sum())
    return row


def goal_outcomes(model: PartnershipModel) -> dict[str, float]:
    """Cumulative direct and indirect outcome on each goal, summed over countries
    (`outcome_direct_g01`...`outcome_indirect_g17`)."""
    world = model.state.world
    return {**{f"outcome_direct_g{g + 1:02d}": float(v)
               for g, v in enumerate(world.outcome_direct.sum(axis=0))},
            **{f"outcome_indirect_g{g + 1:02d}": float(v)
               for g, v in enumerate(world.outcome_indirect.sum(axis=0))}}


__all__ = ["STEP_METRICS", "compute_step_metrics", "read_step_metric", "model_reporters",
           "run_summary", "full_cost_summary", "median_lifetime_km", "partnership_network",
           "component_sizes", "partnership_groups", "SUMMARY_TAIL_MONTHS",
           "network_summary", "goal_outcomes", "COMPONENT_SIZE_CLASSES", "NETWORK_WINDOW_MONTHS"]
