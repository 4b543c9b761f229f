"""The targets' outputs (sim.patterns) on hand-made partnership lives, where the answer is
known, and on a run, where they must be defined and in range."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim import PartnershipModel
from sim.patterns import (
    brokered_per_national_platform_year,
    failed_within,
    failure_hazard_ratio,
    repeat_partner_org_share,
    survival_km,
    transformational_share_brokered,
)


def _lives(rows: list[tuple]) -> pd.DataFrame:
    """(formed, age, ended, failed, broker, transformational) per partnership."""
    return pd.DataFrame(rows, columns=["formed", "age", "ended", "failed", "broker",
                                       "transformational"])


def test_failed_within_counts_only_the_cohort_old_enough_to_be_seen() -> None:
    lives = _lives([(1, 10, True, True, -1, False),    # failed young: counts
                    (5, 70, True, True, -1, False),    # failed, but after 60 months
                    (20, 30, True, False, -1, False),  # ended in success
                    (40, 81, False, False, -1, False),  # still active
                    (90, 5, True, True, -1, False)])   # formed too late for the cohort
    assert failed_within(lives, steps=120) == pytest.approx(1 / 4)
    assert math.isnan(failed_within(lives.iloc[[4]], steps=120))


def test_survival_km_censors_active_partnerships() -> None:
    # ends at 10 (5 at risk), 30 (3 at risk: one was censored at 20); the rest outlive 60
    lives = _lives([(1, 10, True, True, -1, False), (1, 20, False, False, -1, False),
                    (1, 30, True, False, -1, False), (1, 70, True, True, -1, False),
                    (1, 65, False, False, -1, False)])
    assert survival_km(lives) == pytest.approx((1 - 1 / 5) * (1 - 1 / 3))
    assert math.isnan(survival_km(lives[lives["age"] < 60]))


def test_hazard_ratio_is_failures_per_month_at_risk_late_over_early() -> None:
    lives = _lives([(1, 30, True, True, -1, False),     # early failure, 30 months at risk
                    (1, 90, True, True, -1, False),     # late failure: 60 early + 30 late
                    (1, 120, False, False, -1, False)])  # 60 early + 60 late, censored
    early = 1 / (30 + 60 + 60)
    late = 1 / (30 + 60)
    assert failure_hazard_ratio(lives) == pytest.approx(late / early)
    assert math.isnan(failure_hazard_ratio(lives.iloc[[0]]))  # no late exposure


def test_brokered_and_transformational_shares() -> None:
    lives = _lives([(3, 5, True, False, 0, True), (20, 5, True, False, 1, False),
                    (30, 5, True, False, 0, True), (2, 5, False, False, -1, False),
                    (4, 5, False, False, 17, True)])
    # national platforms 0 and 1: two brokered in months 1-24, over 2 platforms and 2 years
    assert brokered_per_national_platform_year(lives, np.array([0, 1])) == pytest.approx(0.5)
    assert math.isnan(brokered_per_national_platform_year(lives, np.array([], np.int64)))
    assert transformational_share_brokered(lives) == pytest.approx(3 / 4)


def test_repeat_partner_share_counts_organisations_with_a_pair_seen_twice() -> None:
    groups = np.array([[0, 1, -1], [1, 0, 2], [3, 4, -1], [5, 6, 3]])
    # pair (0, 1) twice: organisations 0 and 1 of the seven that partnered
    assert repeat_partner_org_share(groups) == pytest.approx(2 / 7)
    assert math.isnan(repeat_partner_org_share(np.full((1, 2), -1)))


@pytest.mark.parametrize("design", ["none", "national"])
def test_a_run_reports_every_pattern_output_in_range(design: str) -> None:
    model = PartnershipModel(n_orgs=800, rng=3, platform_design=design)
    s = model.run(130)
    for name in ("failed_within_60_share", "survival_60_km", "transformational_share_brokered",
                 "network_small_component_share", "repeat_partner_org_share",
                 "sme_to_multinational_participation"):
        if name == "transformational_share_brokered" and design == "none":
            assert math.isnan(s[name])
            continue
        assert 0.0 <= s[name] <= 1.0 + 1e-12, (name, s[name])
    assert s["failure_hazard_ratio_late_early"] > 0
    if design == "national":
        assert s["brokered_per_national_platform_year"] > 0
    else:
        assert math.isnan(s["brokered_per_national_platform_year"])


def test_business_membership_rates_from_a_hand_made_monthly_table() -> None:
    """Exits counted from month 13 on (cumulative columns differenced), per paid
    membership-month, SMEs over multinationals; membership ratio over the last 12 months."""
    from sim.patterns import business_membership

    months = 24
    series = pd.DataFrame({
        "sme_platform_membership": [0.1] * months,
        "multinational_platform_membership": [0.5] * months,
        "sme_paid_memberships": [100.0] * months,
        "multinational_paid_memberships": [10.0] * months,
        # 5 SME exits and 1 multinational exit in the first year (left out), then 24 and 1
        "sme_platform_exits": [5.0] * 12 + [5.0 + 2 * k for k in range(1, 13)],
        "multinational_platform_exits": [1.0] * 23 + [2.0],
    })
    out = business_membership(series)
    assert out["sme_to_multinational_platform_membership"] == pytest.approx(0.2)
    sme_rate, mnc_rate = 24 / (100 * 12), 1 / (10 * 12)
    assert out["sme_to_multinational_platform_exit_rate"] == pytest.approx(sme_rate / mnc_rate)
    assert out["business_platform_exit_rate"] == pytest.approx(12 * 25 / (110 * 12))
    short = business_membership(series.head(12))
    assert math.isnan(short["business_platform_exit_rate"])


def test_platform_exits_are_counted_for_paid_memberships_only() -> None:
    """Every paid membership an SME or multinational leaves is one exit: the cumulative
    count never falls, and with a prohibitive overhead nobody joins, so nobody leaves."""
    model = PartnershipModel(n_orgs=1500, rng=2, platform_design="national")
    model.run(36)
    table = model.datacollector.get_model_vars_dataframe()
    assert (table["sme_platform_exits"].diff().dropna() >= 0).all()
    assert table["sme_platform_exits"].iloc[-1] > 0
    assert list(model.state.platforms.exits) == [table["sme_platform_exits"].iloc[-1],
                                                 table["multinational_platform_exits"].iloc[-1]]
    closed = PartnershipModel(n_orgs=500, rng=2, platform_design="national",
                              membership_overhead=100.0)
    closed.run(24)
    assert list(closed.state.platforms.exits) == [0, 0]
