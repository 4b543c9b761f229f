"""Results by country: the per-step country tally, `country_summary` and the spread across
countries that the run summary reports (who is the worst-served country, and by how much).

Per step the model adds one small compiled pass over the organisations
(`count_active_by_country`, organisations and SMEs in an active partnership, per country);
everything else comes from state the rules keep anyway: partnerships' home countries (active
and ended), outcomes by country and goal, and `World.staff_served`, the platform staff-months
whose actions reached each country's organisations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.jit import jit_noalloc
from sim.params import COUNTRY_PARAMS, FAILURE_CAUSES, PARAM_FIELDS, SME
from sim.platforms import mean_staff
from sim.state import GLOBAL, NATIONAL

if TYPE_CHECKING:
    from sim.model import PartnershipModel

ACTIVE_ORGS, ACTIVE_SMES = 0, 1  # columns of the per-step country tally


@jit_noalloc
def count_active_by_country(sector, country, n_active, out) -> None:
    """Fill `out` [n_countries, 2] with each country's organisations and SMEs that are in at
    least one active partnership."""
    out[:, :] = 0
    for i in range(sector.shape[0]):
        if n_active[i] > 0:
            c = country[i]
            out[c, ACTIVE_ORGS] += 1
            if sector[i] == SME:
                out[c, ACTIVE_SMES] += 1


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (each value one unit; 0 when all are equal
    or all zero): mean absolute difference over twice the mean."""
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0 or x.sum() <= 0.0:
        return 0.0
    x = np.sort(x)
    n = x.size
    ranks = np.arange(1, n + 1)
    return float(((2 * ranks - n - 1) * x).sum() / (n * x.sum()))


def _partnership_countries(model: PartnershipModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Home countries of active partnerships, and of ended ones with their end causes."""
    ps = model.state.partnerships
    active = ps.country[ps.active == 1]
    history = model.partnership_history()
    return active, history["country"].to_numpy(np.int64), history["end_cause"].to_numpy()


def country_summary(model: PartnershipModel, tail: int | None = None) -> pd.DataFrame:
    """One row per country of the run so far, for finding the worst-served country.

    Columns: `country` (row index), `name`, `profile`, `n_orgs`, `n_smes`;
    `national_staff` (working staff of its national platform averaged over the months run,
    its staff before the first; 0 without one); `global_staff`
    (global leads' staff serving it: each lead's staff divided over the countries its
    actions reached, in proportion to the actions that reached a member there, averaged over
    the months run); `platform_staff` (their sum) and `platform_staff_per_1000` (per 1000
    organisations); `sme_participation` and `participation` (share of its SMEs, and of all
    its organisations, in an active partnership, mean over the last `tail` months as in the
    run summary); `sme_platform_membership` (share of its SMEs on a platform, at the end);
    `formed`, `partnerships_per_1000`, `active_at_end`, `ended`, `failed_share`,
    `failed_or_dormant_share` (partnerships by home country); `outcome_direct`,
    `outcome_indirect` (cumulative, summed over goals), `outcome_direct_per_org`,
    `outcome_per_org` (direct plus indirect, per organisation); `mean_skill`, `skill_sme`
    (at the end); then the country's value of every scalar country-level parameter.
    """
    from sim.metrics import SUMMARY_TAIL_MONTHS

    tail = SUMMARY_TAIL_MONTHS if tail is None else tail
    s = model.state
    o, pl, w = s.orgs, s.platforms, s.world
    countries = model.countries
    n = len(countries)
    sizes = countries.n_orgs.astype(np.int64)
    smes = (w.sector_start[:, SME + 1] - w.sector_start[:, SME]).astype(np.int64)

    national = np.zeros(n)
    is_national = pl.level == NATIONAL
    months = max(model.steps, 1)
    national[pl.country[is_national]] = mean_staff(model)[is_national]
    global_staff = w.staff_served[:, GLOBAL] / months

    history = model.country_activity(tail)
    with np.errstate(invalid="ignore", divide="ignore"):
        if len(history):
            sme_participation = (history[:, :, 1] / smes).mean(axis=0)
            participation = (history[:, :, 0] / sizes).mean(axis=0)
        else:
            sme_participation = np.where(smes > 0, 0.0, np.nan)
            participation = np.zeros(n)
        sme_participation = np.where(smes > 0, sme_participation, np.nan)

    on_platform = (o.member_pos >= 0).any(axis=1)
    is_sme = o.sector == SME
    sme_members = np.bincount(o.country[is_sme & on_platform], minlength=n)

    active, ended_country, ended_cause = _partnership_countries(model)
    active_count = np.bincount(active, minlength=n)
    ended = np.bincount(ended_country, minlength=n)
    failed = np.bincount(ended_country[np.isin(ended_cause, FAILURE_CAUSES)], minlength=n)
    dormant = np.bincount(ended_country[ended_cause == "funding"], minlength=n)
    formed = active_count + ended
    direct = w.outcome_direct.sum(axis=1)
    indirect = w.outcome_indirect.sum(axis=1)
    skill = np.bincount(o.country, weights=o.skill, minlength=n) / sizes
    skill_sme = np.bincount(o.country[is_sme], weights=o.skill[is_sme], minlength=n)

    with np.errstate(invalid="ignore", divide="ignore"):
        frame = pd.DataFrame({
            "country": np.arange(n), "name": list(countries.names),
            "profile": list(countries.profiles), "n_orgs": sizes, "n_smes": smes,
            "national_staff": national, "global_staff": global_staff,
            "platform_staff": national + global_staff,
            "platform_staff_per_1000": 1000.0 * (national + global_staff) / sizes,
            "sme_participation": sme_participation, "participation": participation,
            "sme_platform_membership": np.where(smes > 0, sme_members / smes, np.nan),
            "formed": formed, "partnerships_per_1000": 1000.0 * formed / sizes,
            "active_at_end": active_count, "ended": ended,
            "failed_share": np.where(ended > 0, failed / ended, np.nan),
            "failed_or_dormant_share": np.where(ended > 0, (failed + dormant) / ended, np.nan),
            "outcome_direct": direct, "outcome_indirect": indirect,
            "outcome_direct_per_org": direct / sizes,
            "outcome_per_org": (direct + indirect) / sizes,
            "mean_skill": skill,
            "skill_sme": np.where(smes > 0, skill_sme / smes, np.nan),
        })
    for name in COUNTRY_PARAMS:
        if name != "n_orgs" and not isinstance(PARAM_FIELDS[name].default, tuple):
            frame[name] = countries[name]
    return frame


#: The run summary's spread across countries: column -> (meaning, unit, better).
SPREAD_COLUMNS: dict[str, tuple[str, str, str]] = {
    "countries_sme_participation_min": (
        "lowest country's SME participation (mean over the last 12 months)", "share",
        "higher"),
    "countries_partnerships_per_1000_min": (
        "lowest country's partnerships formed per 1000 organisations", "per 1000", "higher"),
    "countries_failed_share_max": (
        "highest country's share of ended partnerships that failed", "share", "lower"),
    "countries_outcome_per_org_min": (
        "worst country's direct outcome per organisation", "outcome per org", "higher"),
    "countries_outcome_per_org_min_ratio": (
        "worst country's direct outcome per organisation over the whole world's", "ratio",
        "higher (1: no country behind)"),
    "countries_outcome_per_org_gini": (
        "Gini of direct outcome per organisation across countries (each country one unit)",
        "0..1", "lower"),
    "countries_platform_staff_per_1000_min": (
        "lowest country's platform staff serving it per 1000 organisations", "staff per 1000",
        "higher"),
    "countries_worst": (
        "name of the country with the lowest direct outcome per organisation", "name", "-"),
}


def country_spread(model: PartnershipModel, table: pd.DataFrame | None = None
                   ) -> dict[str, Any]:
    """The spread across countries for the run summary (`SPREAD_COLUMNS`). With one country
    the minima are that country's values and the Gini is 0."""
    table = country_summary(model) if table is None else table
    per_org = table["outcome_direct_per_org"].to_numpy()
    world = table["outcome_direct"].sum() / table["n_orgs"].sum()
    worst = int(np.argmin(per_org))

    def lowest(column: str) -> float:
        values = table[column].to_numpy(np.float64)
        return float(np.nanmin(values)) if np.isfinite(values).any() else float("nan")

    failed = table["failed_share"].to_numpy(np.float64)
    return {
        "countries_sme_participation_min": lowest("sme_participation"),
        "countries_partnerships_per_1000_min": lowest("partnerships_per_1000"),
        "countries_failed_share_max": float(np.nanmax(failed)) if np.isfinite(failed).any()
        else float("nan"),
        "countries_outcome_per_org_min": float(per_org[worst]),
        "countries_outcome_per_org_min_ratio": float(per_org[worst] / world) if world > 0
        else float("nan"),
        "countries_outcome_per_org_gini": gini(per_org),
        "countries_platform_staff_per_1000_min": lowest("platform_staff_per_1000"),
        "countries_worst": str(table["name"].iloc[worst]),
    }


__all__ = ["country_summary", "country_spread", "count_active_by_country", "gini",
           "SPREAD_COLUMNS"]
