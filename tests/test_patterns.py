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
