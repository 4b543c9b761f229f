"""Outputs the calibration targets compare with the world (docs/targets.md, "Proposed outputs").

Each is one number per run, computed after the run from what the model keeps: the history of
ended partnerships (age, end cause, kind, broker, members, the step it ended), the active
partnerships, the monthly table and the network summary. `pattern_outputs(model)` returns
them all; `sim.metrics.run_summary` includes them. NaN where a definition has nothing to
count (for example no partnership old enough).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.params import FAILURE_CAUSES
from sim.state import NATIONAL, TRANSFORMATIONAL

if TYPE_CHECKING:
    from sim.model import PartnershipModel

#: Age (months) at which `failed_within_60_share` and `survival_60_km` are read, and the
#: width of the two age bands of `failure_hazard_ratio_late_early`.
HORIZON_MONTHS = 60
#: Months of a national platform's first years that `brokered_per_national_platform_year`
#: counts (a country platform's first two years, as the target's source reports).
FIRST_YEARS_MONTHS = 24

NAN = float("nan")

#: The outputs `pattern_outputs` adds to the run summary; each is NaN when its definition
#: has nothing to count (no partnership old enough, no platform, no early failure, ...).
PATTERN_OUTPUTS = ("failed_within_60_share", "survival_60_km", "failure_hazard_ratio_late_early",
                   "sme_to_multinational_participation", "brokered_per_national_platform_year",
                   "transformational_share_brokered", "network_small_component_share",
                   "repeat_partner_org_share", "sme_to_multinational_platform_membership",
                   "sme_to_multinational_platform_exit_rate", "business_platform_exit_rate")
#: Months at the start of a run left out of the platform exit rates (members settle in).
SETTLING_MONTHS = 12


def _lives(model: PartnershipModel) -> pd.DataFrame:
    """Every partnership of the run, ended or active: month formed (1-based), age, whether it
    ended, whether by failure, its broker, kind and member rows."""
    history = model.partnership_history()
    ps = model.state.partnerships
    active = np.flatnonzero(ps.active == 1)
    members = [c for c in history.columns if c.startswith("member_")]
    ended = pd.DataFrame({
        "formed": (history["end_step"] - history["age"] + 1).to_numpy(np.int64),
        "age": history["age"].to_numpy(np.int64),
        "ended": True,
        "failed": history["end_cause"].isin(FAILURE_CAUSES).to_numpy(),
        "broker": history["broker"].to_numpy(np.int64),
        "transformational": (history["kind"] == "transformational").to_numpy(),
    })
    live = pd.DataFrame({
        "formed": ps.start[active].astype(np.int64), "age": ps.age[active].astype(np.int64),
        "ended": False, "failed": False, "broker": ps.broker[active].astype(np.int64),
        "transformational": ps.kind[active] == TRANSFORMATIONAL,
    })
    groups = np.concatenate([history[members].to_numpy(np.int64),
                             ps.members[active][:, :len(members)].astype(np.int64)])
    lives = pd.concat([ended, live], ignore_index=True)
    lives.attrs["members"] = groups
    return lives


def failed_within(lives: pd.DataFrame, steps: int, months: int = HORIZON_MONTHS) -> float:
    """Of the partnerships formed in months 1..(steps - months), the share that ended by a
    failure cause at an age of at most `months`."""
    cohort = lives[lives["formed"] <= steps - months]
    if len(cohort) == 0:
        return NAN
    return float((cohort["failed"] & (cohort["age"] <= months)).mean())


def survival_km(lives: pd.DataFrame, months: int = HORIZON_MONTHS) -> float:
    """Kaplan-Meier probability of lasting more than `months` (every end is an event; active
    partnerships are censored at their age); NaN when no partnership is observed that long."""
    ages = lives["age"].to_numpy(np.float64)
    if len(ages) == 0 or ages.max() < months:
        return NAN
    ended = lives["ended"].to_numpy()
    survival = 1.0
    for age in np.unique(ages[ended & (ages <= months)]):
        at_risk = np.count_nonzero(ages >= age)
        survival *= 1.0 - np.count_nonzero(ended & (ages == age)) / at_risk
    return float(survival)


def failure_hazard_ratio(lives: pd.DataFrame, band: int = HORIZON_MONTHS) -> float:
    """Failures per partnership-month at risk at ages band+1..2*band, divided by the same at
    ages 1..band; NaN when a band has no exposure or the early band no failure."""
    ages = lives["age"].to_numpy(np.int64)
    failed = lives["failed"].to_numpy()
    early_exposure = np.minimum(ages, band).sum()
    late_exposure = np.clip(ages - band, 0, band).sum()
    early = np.count_nonzero(failed & (ages <= band))
    late = np.count_nonzero(failed & (ages > band) & (ages <= 2 * band))
    if early_exposure == 0 or late_exposure == 0 or early == 0:
        return NAN
    return float((late / late_exposure) / (early / early_exposure))


def brokered_per_national_platform_year(lives: pd.DataFrame, national: np.ndarray,
                                        months: int = FIRST_YEARS_MONTHS) -> float:
    """Partnerships formed in months 1..`months` with a national platform as broker, per
    national platform and year; NaN without national platforms."""
    if national.size == 0:
        return NAN
    first = lives[(lives["formed"] <= months) & lives["broker"].isin(national)]
    return float(len(first) / national.size / (months / 12))


def transformational_share_brokered(lives: pd.DataFrame) -> float:
    """Among partnerships a platform helped to form, the share that are transformational
    (members of three or more sectors; an ended one as it ended, since a partnership that
    loses members can drop to a value chain)."""
    brokered = lives[lives["broker"] >= 0]
    return float(brokered["transformational"].mean()) if len(brokered) else NAN


def repeat_partner_org_share(groups: np.ndarray) -> float:
    """Among organisations in at least one partnership of the run, the share that were in
    two or more partnerships with at least one same other organisation (`groups`: one row of
    member rows per partnership, -1 padded)."""
    seen = np.unique(groups[groups >= 0])
    if seen.size == 0:
        return NAN
    width = groups.shape[1]
    codes = []
    for a in range(width):
        for b in range(a + 1, width):
            x, y = groups[:, a], groups[:, b]
            both = (x >= 0) & (y >= 0)
            lo, hi = np.minimum(x[both], y[both]), np.maximum(x[both], y[both])
            codes.append(lo * (int(seen[-1]) + 1) + hi)
    pairs, counts = np.unique(np.concatenate(codes), return_counts=True)
    twice = pairs[counts >= 2]
    repeated = np.unique(np.concatenate([twice // (int(seen[-1]) + 1),
                                         twice % (int(seen[-1]) + 1)]))
    return float(repeated.size / seen.size)


def business_membership(series: pd.DataFrame, months: int = SETTLING_MONTHS
                        ) -> dict[str, float]:
    """Platform membership and exits of SMEs against multinationals, from the monthly table:
    the mean over the last 12 months of (SMEs' share in any platform) / (multinationals'
    share); over months `months`+1..end, SMEs' exits per SME membership-month over the same
    for multinationals; and exits of both per business membership-year (paid memberships:
    an SME represented by its association neither pays nor leaves on its own)."""
    tail = series.tail(12)
    mnc_share = tail["multinational_platform_membership"]
    shares = (tail["sme_platform_membership"] / mnc_share)[mnc_share > 0]
    out = {"sme_to_multinational_platform_membership":
           float(shares.mean()) if len(shares) else NAN,
           "sme_to_multinational_platform_exit_rate": NAN, "business_platform_exit_rate": NAN}
    if len(series) <= months:
        return out
    later = series.iloc[months:]
    settled = series.iloc[months - 1] if months > 0 else None

    def exits(column: str) -> float:
        start = float(settled[column]) if settled is not None else 0.0
        return float(series[column].iloc[-1]) - start

    sme_exits, mnc_exits = exits("sme_platform_exits"), exits("multinational_platform_exits")
    sme_months = float(later["sme_paid_memberships"].sum())
    mnc_months = float(later["multinational_paid_memberships"].sum())
    if sme_months > 0 and mnc_months > 0 and mnc_exits > 0:
        out["sme_to_multinational_platform_exit_rate"] = ((sme_exits / sme_months)
                                                          / (mnc_exits / mnc_months))
    if sme_months + mnc_months > 0:
        out["business_platform_exit_rate"] = 12.0 * (sme_exits + mnc_exits) / (
            sme_months + mnc_months)
    return out


def _ratio(a: float, b: float) -> float:
    return a / b if b and np.isfinite(b) and np.isfinite(a) else NAN


def pattern_outputs(model: PartnershipModel, summary: dict[str, Any]) -> dict[str, float]:
    """The targets' outputs of a finished run (`summary`: the run summary computed so far)."""
    lives = _lives(model)
    national = np.flatnonzero(model.state.platforms.level == NATIONAL)
    small = sum(summary.get(f"network_components_size_{s}", 0) for s in ("2", "3_7", "8_31"))
    out = {
        "failed_within_60_share": failed_within(lives, model.steps),
        "survival_60_km": survival_km(lives),
        "failure_hazard_ratio_late_early": failure_hazard_ratio(lives),
        "sme_to_multinational_participation": _ratio(summary["sme_participation"],
                                                     summary["multinational_participation"]),
        "brokered_per_national_platform_year": brokered_per_national_platform_year(lives,
                                                                                   national),
        "transformational_share_brokered": transformational_share_brokered(lives),
        "network_small_component_share": _ratio(small, summary.get("network_components", 0)),
        "repeat_partner_org_share": repeat_partner_org_share(lives.attrs["members"]),
        **business_membership(model.datacollector.get_model_vars_dataframe()),
    }
    assert tuple(out) == PATTERN_OUTPUTS
    return out


__all__ = ["pattern_outputs", "PATTERN_OUTPUTS", "failed_within", "survival_km",
           "failure_hazard_ratio", "brokered_per_national_platform_year",
           "transformational_share_brokered", "repeat_partner_org_share", "HORIZON_MONTHS",
           "FIRST_YEARS_MONTHS", "business_membership", "SETTLING_MONTHS"]
