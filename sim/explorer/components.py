"""Solara components of the explorer: key numbers, live plots, network view, comparison.

Each component takes the model SolaraViz passes it and subscribes to Mesa's update counter,
so it redraws after every step or reset; figures are rebuilt only when the model or its
step count changed.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from sim.explorer import figures
from sim.explorer.designs import PairModel, country_profiles
from sim.model import PartnershipModel
from sim.params import END_CAUSES, FAILURE_CAUSES

_SERIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def collected(model: PartnershipModel) -> int:
    """Steps the model has recorded so far (what a figure of it depends on)."""
    return len(model.datacollector.model_vars.get("active_partnerships", ()))


def series(model: PartnershipModel) -> pd.DataFrame:
    """`figures.series(model)`, computed once per step for all the page's components."""
    cached = _SERIES.get(model)
    if cached is None or cached[0] != collected(model):
        cached = (collected(model), figures.series(model))
        _SERIES[model] = cached
    return cached[1]


def key_numbers(model: PartnershipModel) -> dict[str, str]:
    """The model's headline numbers now, formatted for the page (name -> text)."""
    frame = series(model)
    last = frame.iloc[-1] if len(frame) else None

    def value(column: str, fmt: str = "{:,.0f}") -> str:
        return fmt.format(last[column]) if last is not None else "-"

    ended = sum(last[f"ended_{c}"] for c in END_CAUSES) if last is not None else 0
    failed = sum(last[f"ended_{c}"] for c in FAILURE_CAUSES) if last is not None else 0
    return {
        "month": str(collected(model)),
        "active_partnerships": value("active_partnerships"),
        "transformational": value("active_transformational"),
        "formed": value("formed_total"),
        "brokered": value("brokered_total"),
        "sme_participation": value("sme_participation", "{:.1%}"),
        "skill_sme": value("skill_sme", "{:.3f}"),
        "outcome_direct": value("outcome_direct", "{:,.1f}"),
        "outcome_indirect": value("outcome_indirect", "{:,.1f}"),
        "failed_share": f"{failed / ended:.1%}" if ended else "-",
    }


KEY_LABELS: dict[str, str] = {
    "month": "Month", "active_partnerships": "Active partnerships",
    "transformational": "of which transformational", "formed": "Formed so far",
    "brokered": "of which through a platform",
    "sme_participation": "SMEs in a partnership", "skill_sme": "Mean SME skill",
    "outcome_direct": "Direct goal outcome", "outcome_indirect": "Indirect goal outcome",
    "failed_share": "Ended partnerships that failed"}


def _row(label: str, key: str, text: str) -> None:
    with solara.Row(justify="space-between", style={"width": "100%"}):
        solara.Text(label)
        solara.Text(text, classes=["kpi", f"kpi-{key}"], style={"font-weight": "bold"})


@solara.component
def KeyNumbers(model: PartnershipModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """Card with the model's headline numbers and the country profile in force."""
    update_counter.get()
    numbers = key_numbers(model)
    with solara.Card("Key numbers", style={"width": "100%"}):
        for key, label in KEY_LABELS.items():
            _row(label, key, numbers[key])
        country = getattr(model, "country", None)
        if country is not None:
            p = model.params
            sets = ", ".join(f"{k}={v}" for k, v in country_profiles()[country].items()
                             if k != "sector_shares") or "the model's defaults"
            extras = [name for name, on in (("associations represent SMEs", p.ba_representation),
                                            ("partnering sessions", p.event_partnering)) if on]
            solara.Markdown(
                f"**Running:** design `{p.platform_design}`"
                + "".join(f" + {e}" for e in extras)
                + f", budget {p.platform_budget:g} staff, membership overhead "
                f"{p.membership_overhead:g}, capacity building {p.capacity_building_share:g}, "
                f"donor alignment {p.donor_alignment:g}, {p.n_orgs:,} organisations, "
                f"seed {model.seed_value}. **Country profile** `{country}` sets: {sets}. "
                "Changed controls take effect on **Reset**.",
                style={"font-size": "0.85em"})


def _figure_component(draw: Callable[[pd.DataFrame], Figure], name: str) -> Any:
    """A component showing `draw(series(model))`, redrawn when the model or its data change."""

    @solara.component
    def Plot(model: PartnershipModel) -> None:  # noqa: N802 (Solara components are CamelCase)
        update_counter.get()
        fig = solara.use_memo(lambda: draw(series(model)),
                              dependencies=[id(model), collected(model)])
        solara.FigureMatplotlib(fig, format="png", dependencies=[id(model), collected(model)])

    Plot.__name__ = name
    return Plot


ActivePlot = _figure_component(figures.draw_active, "ActivePlot")
ParticipationPlot = _figure_component(figures.draw_participation, "ParticipationPlot")
SkillPlot = _figure_component(figures.draw_skill, "SkillPlot")
OutcomesPlot = _figure_component(figures.draw_outcomes, "OutcomesPlot")
DissolutionPlot = _figure_component(figures.draw_dissolution, "DissolutionPlot")


@solara.component
def NetworkView(model: PartnershipModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """The partnership network now, sampled to at most `figures.MAX_NODES` organisations."""
    update_counter.get()
    fig = solara.use_memo(lambda: figures.draw_network(model),
                          dependencies=[id(model), collected(model)])
    solara.FigureMatplotlib(fig, format="png", dependencies=[id(model), collected(model)])


# Laid out in two columns, alternating: left gets the 1st, 3rd, ... component.
EXPLORER_COMPONENTS = [KeyNumbers, NetworkView, ActivePlot, ParticipationPlot, SkillPlot,
                       OutcomesPlot, DissolutionPlot]


# --- side by side ---------------------------------------------------------------------------

@solara.component
def CompareNumbers(model: PairModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """Table of both designs' headline numbers, side by side."""
    update_counter.get()
    a, b = key_numbers(model.a), key_numbers(model.b)
    with solara.Card("Key numbers, side by side", style={"max-width": "760px"}):
        with solara.GridFixed(columns=3, row_gap="2px", align_items="center"):
            solara.Text("")
            for side, label in zip("ab", model.labels, strict=True):
                solara.Text(label, classes=[f"kpi-label-{side}"], style={"font-weight": "bold"})
            for key, label in KEY_LABELS.items():
                solara.Text(label)
                for side, numbers in (("a", a), ("b", b)):
                    solara.Text(numbers[key], classes=["kpi", f"kpi-{key}-{side}"])
        p = model.a.params
        solara.Markdown(f"Same country (`{model.a.country}`), seed {model.a.seed_value}, "
                        f"budget {p.platform_budget:g} staff and {p.n_orgs:,} organisations "
                        "for both. Controls take effect on **Reset**.")


@solara.component
def ComparePlot(model: PairModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """Both designs' key outcomes on shared axes."""
    update_counter.get()
    fig = solara.use_memo(
        lambda: figures.draw_comparison((series(model.a), series(model.b)), model.labels),
        dependencies=[id(model), collected(model.a)])
    solara.FigureMatplotlib(fig, format="png", dependencies=[id(model), collected(model.a)])


COMPARE_COMPONENTS = [CompareNumbers, ComparePlot]
