"""Platforms propose only groups formation can accept, and the structural switches of
brokering and membership move outcomes in the directions their definitions say.

Stochastic comparisons run the same seeds under two settings and check the mean with a
stated margin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SEEDS, mean_of, run, summaries

from sim import PartnershipModel, rules
from sim.invariants import invariant_violations
from sim.params import MULTINATIONAL, PLATFORM_DESIGNS
from sim.state import REFUSAL_REASONS, platform_member_rows


def _same(a: list[dict], b: list[dict]) -> bool:
    """Whether two lists of run summaries are equal (NaN equal to NaN)."""
    return pd.DataFrame(a).equals(pd.DataFrame(b))


def _outcome(design: str, n_countries: int, seeds=range(6), steps: int = 120) -> float:
    """Mean total goal outcome (direct plus indirect) of 1,800 organisations split evenly
    into `n_countries` countries."""
    values = []
    for seed in seeds:
        model = PartnershipModel(n_orgs=1800 // n_countries, n_countries=n_countries,
                                 platform_design=design, rng=seed)
        model.run(steps)
        s = model.summary()
        assert s["proposals_refused_country"] == 0
        values.append(s["outcome_direct"] + s["outcome_indirect"])
    return float(np.mean(values))


def test_splitting_a_fixed_population_into_countries_does_not_sink_the_global_leads() -> None:
    """The reviewer's test: 1,800 organisations in 1 or in 6 countries. Before brokering
    respected countries, per_goal fell about 18% behind national at 6 countries, as its
    leads spent staff on introductions across countries that could never form; now both
    designs lose only what smaller countries cost (measured: national -3%, per_goal -5%
    over these seeds). Margin: per_goal keeps at least 92% of its one-country outcome and at
    least 95% of national's outcome at 6 countries."""
    national_1, national_6 = _outcome("national", 1), _outcome("national", 6)
    per_goal_1, per_goal_6 = _outcome("per_goal", 1), _outcome("per_goal", 6)
    assert per_goal_6 >= 0.92 * per_goal_1, (per_goal_1, per_goal_6)
    assert per_goal_6 >= 0.95 * national_6, (national_6, per_goal_6)
    assert national_6 >= 0.92 * national_1, (national_1, national_6)


@pytest.mark.parametrize("design", [d for d in PLATFORM_DESIGNS if d != "none"])
def test_no_platform_proposes_a_group_across_countries(design: str) -> None:
    """By construction: candidates come from the group's home country and multinationals,
    so formation never refuses a platform's proposal for its countries (a heterogeneous
    world with many multinationals, every switch on)."""
    refused = {reason: 0 for reason in REFUSAL_REASONS}
    proposals = 0
    for seed in range(4):
        model = PartnershipModel(
            world="synthetic_10", world_scale=0.15, platform_design=design, rng=seed,
            sector_shares=(0.55, 0.15, 0.12, 0.03, 0.05, 0.04, 0.06),
            overhead_scaling="split", lead_member_search="until_found",
            local_knowledge_penalty=0.1)
        model.run(36)
        s = model.summary()
        proposals += s["platform_proposals"]
        for reason in REFUSAL_REASONS:
            refused[reason] += s[f"proposals_refused_{reason}"]
        assert invariant_violations(model) == []
    assert proposals > 50
    assert refused["country"] == 0 and refused["repeated"] == 0
    assert refused["payoff"] > 0  # refusals are counted: members still weigh the payoff
    assert sum(refused.values()) < proposals


def test_member_lists_keep_each_country_and_the_multinationals_in_their_own_block() -> None:
    model = PartnershipModel(n_orgs=400, n_countries=3, platform_design="per_goal", rng=2,
                             sector_shares=(0.6, 0.1, 0.12, 0.02, 0.06, 0.04, 0.06))
    model.run(24)
    o, pl = model.state.orgs, model.state.platforms
    n_countries = pl.block_count.shape[1] - 1
    seen_multinationals = 0
    for p in range(pl.staff.shape[0]):
        rows = platform_member_rows(pl, p)
        assert rows.size == pl.member_count[p]
        for b in range(n_countries + 1):
            block = pl.members[pl.block_start[p, b]:pl.block_start[p, b] + pl.block_count[p, b]]
            if b == n_countries:
                assert np.all(o.sector[block] == MULTINATIONAL)
                seen_multinationals += block.size
            else:
                assert np.all(o.country[block] == b) and np.all(o.sector[block] != MULTINATIONAL)
    assert seen_multinationals > 0


# --- the switches ---------------------------------------------------------------------------

def test_local_knowledge_penalty_costs_the_global_leads_partnerships_only() -> None:
    none = summaries(platform_design="per_goal", n_countries=2, n_orgs=300)
    penalised = summaries(platform_design="per_goal", n_countries=2, n_orgs=300,
                          local_knowledge_penalty=0.3)
    assert mean_of(penalised, "formed_brokered") < 0.9 * mean_of(none, "formed_brokered")
    # national platforms are present in their country: the penalty never applies
    assert _same(summaries(seeds=range(3), platform_design="national"), summaries(
        seeds=range(3), platform_design="national", local_knowledge_penalty=0.3))


def test_split_overhead_keeps_more_organisations_on_several_goal_leads() -> None:
    """With one overhead split over its leads, a further lead costs an organisation less:
    more organisations hold several lead memberships (measured +40% at 1,000 organisations)."""
    per_platform = [run(60, s, platform_design="per_goal", n_orgs=1000) for s in SEEDS]
    split = [run(60, s, platform_design="per_goal", n_orgs=1000, overhead_scaling="split")
             for s in SEEDS]

    def on_several(models):
        return np.mean([((m.state.orgs.member_pos >= 0).sum(axis=1) >= 2).sum()
                        for m in models])

    def memberships(models):
        return np.mean([(m.state.orgs.member_pos >= 0).sum() for m in models])

    assert on_several(split) > 1.25 * on_several(per_platform)
    assert memberships(split) > 1.03 * memberships(per_platform)
    for m in split[:3]:
        assert invariant_violations(m) == []
    # one membership slot: nothing to split
    assert _same(summaries(seeds=range(3), platform_design="hybrid"), summaries(
        seeds=range(3), platform_design="hybrid", overhead_scaling="split"))


def test_a_lead_that_searches_until_found_always_starts_with_a_member_who_cares() -> None:
    """By construction of `find_goal_member`: in hybrid, a bounded lead's first contact
    sometimes does not care about its goal, an until_found lead's always does. (Its effect
    on outcomes has no set direction: over 8 seeds at 300 organisations x 2 countries it
    formed about 4% fewer brokered partnerships, as leads crowd onto the few interested
    members.)"""
    firsts = {}
    for search in ("bounded", "until_found"):
        model = PartnershipModel(n_orgs=500, platform_design="hybrid", rng=3,
                                 lead_member_search=search)
        model.run(6)
        s = model.state
        o, pl = s.orgs, s.platforms
        lead = int(np.flatnonzero(pl.goal >= 0)[0])
        goal = int(pl.goal[lead])
        picks = [rules.find_goal_member(o, pl, s.constants, 0, int(pl.country[0]), goal,
                                        model.rng) for _ in range(300)]
        firsts[search] = [(o.goals[m] >> goal) & 1 for m in picks if m >= 0]
    assert 0 < np.mean(firsts["bounded"]) < 1
    assert np.mean(firsts["until_found"]) == 1 and len(firsts["until_found"]) > 250
    # per_goal leads only hold members who care about their goal: the first draw succeeds
    assert _same(summaries(seeds=range(3), platform_design="per_goal"), summaries(
        seeds=range(3), platform_design="per_goal", lead_member_search="until_found"))
