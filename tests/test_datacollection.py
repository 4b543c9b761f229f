"""Process 9: reporters, run summary, batch runs, pickling, agent and partnership views."""

from __future__ import annotations

import pickle
import types

import mesa
import numpy as np
import pytest
from conftest import run

from sim import (
    NGO,
    SME,
    STEP_METRICS,
    Academia,
    BusinessAssociation,
    Donor,
    Government,
    Multinational,
    PartnershipModel,
    Platform,
)
from sim.params import END_CAUSES, FAILURE_CAUSES, SECTORS
from sim.platforms import platform_running_cost

REQUIRED_REPORTERS = [
    "active_partnerships", "formed", "dissolved", *(f"dissolved_{c}" for c in END_CAUSES),
    "sme_participation", "multinational_participation", "ngo_participation",
    "cross_sector_share", "transformational_share", "mean_skill", "goal_coverage",
    "outcome_direct", "outcome_indirect", "action_yield", "donor_disbursed",
    "deep_coverage", "platform_actions", "paid_memberships", "cofinance",
]


def test_required_reporters_exist_and_none_is_a_lambda() -> None:
    model = PartnershipModel(n_orgs=100, rng=0)
    reporters = model.datacollector.model_reporters
    for name in REQUIRED_REPORTERS:
        assert name in reporters, name
    for name, reporter in reporters.items():
        func = getattr(reporter, "func", reporter)
        assert isinstance(func, types.FunctionType) and func.__name__ != "<lambda>", name


def test_one_row_per_step_with_sane_values() -> None:
    table = run(30, 0).datacollector.get_model_vars_dataframe()
    assert list(table.columns) == list(STEP_METRICS)
    assert len(table) == 30
    shares = [c for c in table.columns if c.endswith(("_participation", "_share", "coverage"))]
    assert ((table[shares] >= 0) & (table[shares] <= 1)).all().all()
    assert (table["dissolved"] == table[[f"dissolved_{c}" for c in END_CAUSES]].sum(axis=1)).all()


def test_reporters_agree_with_the_state() -> None:
    model = run(30, 1, event_partnering=True)
    table = model.datacollector.get_model_vars_dataframe()
    o, ps = model.state.orgs, model.state.partnerships
    last = table.iloc[-1]
    assert last["active_partnerships"] == ps.active.sum() == len(model.partnerships)
    for s, sector in enumerate(SECTORS):
        rows = o.sector == s
        assert last[f"{sector}_participation"] == pytest.approx((o.n_active[rows] > 0).mean())
        assert last[f"skill_{sector}"] == pytest.approx(o.skill[rows].mean())
    assert last["mean_skill"] == pytest.approx(o.skill.mean())
    kinds = [p.kind for p in model.partnerships]
    assert last["transformational_share"] == pytest.approx(
        kinds.count("transformational") / len(kinds))
    assert last["outcome_direct"] == pytest.approx(model.state.world.outcome_direct.sum())


def test_run_summary_row() -> None:
    model = run(60, 0)
    summary = model.summary()
    history = model.partnership_history()
    assert summary["ended"] == len(history) > 0
    assert summary["mean_lifetime"] == pytest.approx(history["age"].mean())
    failed = history["end_cause"].isin(FAILURE_CAUSES).mean()
    assert summary["failed_share"] == pytest.approx(failed)
    assert summary["formed"] == summary["ended"] + summary["active_at_end"]
    assert np.isnan(run(10, 0, platform_design="none").summary()["cost_per_partnership"])


def test_batch_run_works_as_is() -> None:
    rows = mesa.batch_run(PartnershipModel,
                          parameters={"n_orgs": 100, "platform_design": ["none", "per_goal"]},
                          rng=[0, 1], max_steps=5, data_collection_period=1,
                          number_processes=1, display_progress=False)
    assert len(rows) == 2 * 2 * 5
    assert {r["platform_design"] for r in rows} == {"none", "per_goal"}
    assert all("sme_participation" in r for r in rows)


def test_model_pickles_and_continues_identically() -> None:
    model = run(10, 3)
    clone = pickle.loads(pickle.dumps(model))
    for _ in range(5):
        model.step()
        clone.step()
    assert model.datacollector.get_model_vars_dataframe().equals(
        clone.datacollector.get_model_vars_dataframe())


def test_agents_are_thin_views_onto_the_state() -> None:
    model = run(20, 0)
    counts = {cls: len(model.agents_by_type.get(cls, [])) for cls in
              (SME, Multinational, NGO, Donor, Government, BusinessAssociation, Academia)}
    assert sum(counts.values()) == model.n_total
    assert counts[SME] > counts[Multinational] > 0
    org = model.organisation(0)
    assert isinstance(org, SME) and org.bandwidth == model.state.orgs.bandwidth[0]
    org.skill = 0.9
    assert model.state.orgs.skill[0] == 0.9
    assert 0 <= org.load <= org.bandwidth and 1 <= len(org.goals) <= 17
    platform = model.platform_agents[0]
    assert isinstance(platform, Platform) and platform.level == "national"
    # One country: the national platform has the budget less its running cost.
    assert platform.goal_scope is None and platform.staff == (
        model.params.platform_budget - model.params.platform_fixed_cost)
    assert all(platform in member.memberships for member in platform.members[:20])


def test_partnerships_are_first_class() -> None:
    model = run(30, 0)
    partnership = model.partnerships[0]
    assert len(partnership.members) >= 2 and 1 <= partnership.focal_goal <= 17
    assert partnership.kind in ("value_chain", "transformational")
    assert 0 <= partnership.health <= 1 and partnership.age >= 0
    assert partnership.end_cause is None
    assert any(p.serial == partnership.serial for p in partnership.members[0].partnerships)
    serial = partnership.serial
    while partnership.is_active:
        model.step()
    assert partnership.end_cause in END_CAUSES
    assert model.end_cause_of(serial) == partnership.end_cause


def test_per_goal_design_has_seventeen_global_leads_at_equal_budget() -> None:
    totals = {}
    for design in ("national", "per_goal", "hybrid"):
        model = PartnershipModel(n_orgs=100, n_countries=3, platform_design=design, rng=0)
        # Equal budget: staff plus the platforms' running cost (platform_fixed_cost each).
        totals[design] = (sum(p.staff for p in model.platform_agents)
                          + platform_running_cost(model.params, model.countries))
        if design == "per_goal":
            assert sorted(p.goal_scope for p in model.platform_agents) == list(range(1, 18))
            assert {p.level for p in model.platform_agents} == {"global"}
    assert totals["national"] == pytest.approx(totals["per_goal"]) == pytest.approx(
        totals["hybrid"]) == pytest.approx(20.0)


def test_kaplan_meier_median_counts_active_partnerships_as_censored() -> None:
    from sim.metrics import median_lifetime_km

    assert median_lifetime_km(np.array([1, 2, 3, 4]), np.array([], np.int64)) == 2.0
    # Survival 0.8 then 0.6: fewer than half are known to have ended, so no median yet.
    assert np.isnan(median_lifetime_km(np.array([1, 2]), np.array([10, 10, 10])))
    # Long-lived active partnerships push the median up compared with ended ones alone.
    ended, active = np.array([2, 4, 6, 8]), np.array([9, 9, 9, 9])
    assert median_lifetime_km(ended, active) > np.median(ended)


def test_multinationals_partner_across_countries() -> None:
    model = run(60, 0, n_countries=3, platform_design="per_goal")
    o = model.state.orgs
    crossing = 0
    for p in model.partnerships:
        rows = np.asarray(p.member_rows)
        if len(set(o.country[rows])) > 1:
            crossing += 1
            assert (o.sector[rows] == 1).any()  # a multinational is what makes it possible
    assert crossing > 0


@pytest.mark.parametrize("seed", [0, 5])
def test_component_sizes_match_networkx_and_summary(seed):
    """Union-find component sizes equal networkx's on the alliance graph, whole run and
    windowed, and the summary's network and per-goal columns agree with them."""
    import networkx as nx

    from sim.metrics import (
        COMPONENT_SIZE_CLASSES,
        NETWORK_WINDOW_MONTHS,
        component_sizes,
        partnership_network,
    )

    model = PartnershipModel(n_orgs=600, rng=seed)
    summary = model.run(48)
    for window in (None, 12):
        graph = partnership_network(model, window)
        expected = sorted((len(c) for c in nx.connected_components(graph)), reverse=True)
        assert component_sizes(model, window) == expected
    sizes = component_sizes(model, NETWORK_WINDOW_MONTHS)
    assert summary["network_orgs"] == sum(sizes) > 0
    assert summary["network_components"] == len(sizes)
    assert summary["network_largest_component_share"] == pytest.approx(sizes[0] / sum(sizes))
    assert sum(summary[f"network_components_size_{c[2]}"] for c in COMPONENT_SIZE_CLASSES) \
        == len(sizes)
    direct = sum(summary[f"outcome_direct_g{g:02d}"] for g in range(1, 18))
    indirect = sum(summary[f"outcome_indirect_g{g:02d}"] for g in range(1, 18))
    assert direct == pytest.approx(summary["outcome_direct"])
    assert indirect == pytest.approx(summary["outcome_indirect"])
