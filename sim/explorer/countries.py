"""What the explorer shows by country: each headline number for the whole world and for its
worst-served country, read from `model.country_summary()` (`sim.countries`).

A headline number is a column of the country summary (`CountryNumber`). Its world value is
the mean over countries weighted by what the column is a share of (organisations, SMEs,
ended partnerships), so it is the whole world's value, not an average of countries; its
worst country is the one with the lowest value (the highest for a number where lower is
better, such as the failed share), as the run summary's `countries_*` spread fields pick it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.countries import SPREAD_COLUMNS
from sim.outcomes import HIGHER, LOWER, outcome

if TYPE_CHECKING:
    from sim.model import PartnershipModel


@dataclass(frozen=True)
class CountryNumber:
    """A headline number by country: its `country_summary` column, label, better direction,
    the column its world value is weighted by, and how it is printed."""

    column: str
    label: str
    better: str
    weight: str
    fmt: str

    def text(self, value: float) -> str:
        return self.fmt.format(value) if np.isfinite(value) else "-"


def _staff_better() -> str:
    """Better direction of platform staff per 1000 (declared with the run summary's spread)."""
    better = SPREAD_COLUMNS["countries_platform_staff_per_1000_min"][2]
    return HIGHER if better.startswith(HIGHER) else LOWER


#: The headline numbers shown by country, in table order. Labels and directions come from
#: `sim.outcomes` where the run outcome is declared there.
COUNTRY_NUMBERS: tuple[CountryNumber, ...] = (
    CountryNumber("outcome_direct_per_org", f"{outcome('outcome_direct').label} per org",
                  outcome("outcome_direct").better, "n_orgs", "{:,.2f}"),
    CountryNumber("outcome_per_org", f"{outcome('outcome_total').label} per org",
                  outcome("outcome_total").better, "n_orgs", "{:,.2f}"),
    CountryNumber("sme_participation", outcome("sme_participation").label,
                  outcome("sme_participation").better, "n_smes", "{:.1%}"),
    CountryNumber("partnerships_per_1000", outcome("partnerships_per_1000").label,
                  outcome("partnerships_per_1000").better, "n_orgs", "{:,.0f}"),
    CountryNumber("failed_share", outcome("failed_share").label,
                  outcome("failed_share").better, "ended", "{:.1%}"),
    CountryNumber("platform_staff_per_1000", "Platform staff serving it per 1,000 orgs",
                  _staff_better(), "n_orgs", "{:,.2f}"),
)
#: The number the bar chart shows and the run summary's `countries_worst` is chosen by.
WORST_BY = COUNTRY_NUMBERS[0]


def world_value(table: pd.DataFrame, number: CountryNumber) -> float:
    """The whole world's value of `number`: its mean over the countries with a value,
    weighted by `number.weight` (NaN when no country has one)."""
    values = table[number.column].to_numpy(np.float64)
    weights = table[number.weight].to_numpy(np.float64)
    keep = np.isfinite(values) & (weights > 0)
    if not keep.any():
        return float("nan")
    return float((values[keep] * weights[keep]).sum() / weights[keep].sum())


def worst_country(table: pd.DataFrame, number: CountryNumber) -> tuple[str, float]:
    """The worst-served country for `number` and its value: the lowest value, or the highest
    where lower is better (countries without a value left out; ('-', NaN) if none has one)."""
    values = table[number.column].to_numpy(np.float64)
    finite = np.isfinite(values)
    if not finite.any():
        return "-", float("nan")
    masked = np.where(finite, values, np.inf if number.better == HIGHER else -np.inf)
    k = int(np.argmin(masked) if number.better == HIGHER else np.argmax(masked))
    return str(table["name"].iloc[k]), float(values[k])


@dataclass(frozen=True)
class CountryView:
    """What the page shows of one model by country, copied from it under its lock."""

    names: tuple[str, ...]
    n_orgs: np.ndarray
    per_org: np.ndarray  # WORST_BY's value per country, for the bar chart
    world: dict[str, float]  # column -> world value
    worst: dict[str, tuple[str, float]]  # column -> (country, value)

    @property
    def n_countries(self) -> int:
        return len(self.names)


def country_view(model: PartnershipModel) -> CountryView:
    """The model's headline numbers by country now (one `country_summary` call)."""
    table = model.country_summary()
    return CountryView(
        names=tuple(str(n) for n in table["name"]),
        n_orgs=table["n_orgs"].to_numpy(np.int64),
        per_org=table[WORST_BY.column].to_numpy(np.float64),
        world={n.column: world_value(table, n) for n in COUNTRY_NUMBERS},
        worst={n.column: worst_country(table, n) for n in COUNTRY_NUMBERS})


def worst_cell(view: CountryView, number: CountryNumber) -> str:
    """The worst country's cell text, e.g. 'syn_39: 7.14'."""
    name, value = view.worst[number.column]
    return f"{name}: {number.text(value)}" if np.isfinite(value) else "-"


__all__ = ["COUNTRY_NUMBERS", "WORST_BY", "CountryNumber", "CountryView", "country_view",
           "world_value", "worst_country", "worst_cell"]
