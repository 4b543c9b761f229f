"""Solara components of the explorer: key numbers, live plots, network view, comparison.

Each component takes the model SolaraViz passes it and subscribes to Mesa's update counter,
so it redraws after every step or reset. It reads the model under the model's lock (Solara
may render in another thread than the one stepping), once per month for the whole page
(`series`), and its figure is kept with the model and updated in place
(`figures.LiveLines`, `figures.LiveNetwork`), so a month costs a few milliseconds of
drawing per figure. The last component of a page (`PageShown`) tells the model when the browser has
drawn a month, which paces Play (`designs.PacedStepping`).
"""

from __future__ import annotations

import contextlib
import html
import weakref
from collections.abc import Callable
from typing import Any

import pandas as pd
import solara
from mesa.visualization.utils import update_counter
from solara.alias import rw

from sim.explorer import figures, outcomes
from sim.explorer.countries import COUNTRY_NUMBERS, WORST_BY, CountryView, country_view, worst_cell
from sim.explorer.designs import NO_WORLD, RENDERED, PairModel, country_profiles, timing_mark
from sim.model import PartnershipModel
from sim.params import END_CAUSES, FAILURE_CAUSES

# Per model: its page's live figures and the series of the month last read (model -> dict).
_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _kept(model: Any) -> dict[str, Any]:
    kept = _KEPT.get(model)
    if kept is None:
        kept = _KEPT[model] = {}
    return kept


def reading(model: Any) -> contextlib.AbstractContextManager:
    """Hold the model still while reading it (its lock; nothing for a plain model)."""
    lock = getattr(model, "lock", None)
    return lock if lock is not None else contextlib.nullcontext()


def collected(model: PartnershipModel) -> int:
    """Steps the model has recorded so far (what a figure of it depends on)."""
    return len(model.datacollector.model_vars.get(outcomes.ACTIVE, ()))


def series(model: PartnershipModel) -> pd.DataFrame:
    """`figures.series(model)`, read once per step for all the page's components."""
    kept = _kept(model)
    with reading(model):
        month = collected(model)
        if kept.get("series_month") != month:
            kept["series"], kept["series_month"] = figures.series(model), month
        return kept["series"]


def countries(model: PartnershipModel) -> CountryView:
    """`countries.country_view(model)`, read once per step for all the page's components."""
    kept = _kept(model)
    with reading(model):
        month = collected(model)
        if kept.get("countries_month") != month:
            kept["countries"], kept["countries_month"] = country_view(model), month
        return kept["countries"]


def world_text(model: Any) -> str:
    """The model's countries in words, e.g. 'world `synthetic_10` at scale 0.5: 10
    countries, 10,003 organisations' or '1 country of 10,000 organisations'."""
    n, total = len(model.countries), int(model.countries.n_orgs.sum())
    world = getattr(model, "world_name", NO_WORLD)
    if world != NO_WORLD:
        return (f"world `{world}` at scale {model.params.world_scale:g}: {n} "
                f"{'country' if n == 1 else 'countries'}, {total:,} organisations")
    if n == 1:
        return f"1 country of {total:,} organisations"
    return f"{n} identical countries of {model.params.n_orgs:,} organisations ({total:,} in all)"


def live_figure(model: Any, name: str, make: Callable[[], Any]) -> Any:
    """The model's live figure `name`, made by `make()` the first time it is asked for."""
    kept = _kept(model)
    if name not in kept:
        kept[name] = make()
    return kept[name]


@solara.component_vue("shown.vue")
def _ShownAck(update: int, event_shown: Callable[[int], None]) -> None:  # noqa: N802
    """Calls `event_shown(update)` once the browser has drawn the page holding `update`."""


@solara.component
def PageShown(model: Any) -> None:  # noqa: N802 (Solara components are CamelCase)
    """Laid out last on a page: tells the model which of Mesa's updates the browser shows
    (`designs.PacedStepping.mark_shown`), so Play never runs ahead of the browser."""
    def shown(update: Any) -> None:
        mark = getattr(model, "mark_shown", None)
        if mark is not None:
            mark(int(update))

    update = update_counter.get()
    timing_mark(RENDERED, update)
    _ShownAck(update=update, event_shown=shown)


def key_numbers(model: PartnershipModel) -> dict[str, str]:
    """The model's headline numbers now, formatted for the page (name -> text)."""
    frame = series(model)
    last = frame.iloc[-1] if len(frame) else None

    def value(column: str, fmt: str = "{:,.0f}") -> str:
        return fmt.format(last[column]) if last is not None else "-"

    ended = sum(last[f"ended_{c}"] for c in END_CAUSES) if last is not None else 0
    failed = sum(last[f"ended_{c}"] for c in FAILURE_CAUSES) if last is not None else 0
    return {
        "month": str(len(frame)),
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


def numbers_table(columns: list[dict[str, str]], headers: list[str] | None = None,
                  suffixes: list[str] | None = None) -> str:
    """The key numbers as one HTML table (one widget to update a month, not one per
    number); each value cell has the class `kpi kpi-<key>[-<suffix>]` that tests read."""
    suffixes = suffixes or [""] * len(columns)
    head = ""
    if headers:
        head = "<tr><th></th>" + "".join(
            f'<th class="kpi-label-{x}">{html.escape(h)}</th>'
            for h, x in zip(headers, suffixes, strict=True)) + "</tr>"
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td>" + "".join(
            f'<td class="kpi kpi-{key}{"-" + x if x else ""}" style="text-align:right;'
            f'font-weight:bold">{html.escape(numbers[key])}</td>'
            for numbers, x in zip(columns, suffixes, strict=True)) + "</tr>"
        for key, label in KEY_LABELS.items())
    return f'<table style="width:100%;border-spacing:0 2px">{head}{rows}</table>'


@solara.component
def KeyNumbers(model: PartnershipModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """Card with the model's headline numbers and the country profile in force."""
    update_counter.get()
    numbers = key_numbers(model)
    with solara.Card("Key numbers", style={"width": "100%"}):
        solara.HTML(unsafe_innerHTML=numbers_table([numbers]))
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
                f"donor alignment {p.donor_alignment:g}, {world_text(model)}, "
                f"seed {model.seed_value}. **Country profile** `{country}` sets: {sets}"
                + ("; the world file's columns set the country-level parameters they name, "
                   "country by country" if p.world is not None else "")
                + ". Changed controls take effect on **Reset**.",
                style={"font-size": "0.85em"})


def _figure_component(name: str, panel: figures.Panel) -> Any:
    """A component showing the model's live line figure of `panel`, updated each month."""

    @solara.component
    def Plot(model: PartnershipModel) -> None:  # noqa: N802 (Solara components are CamelCase)
        update_counter.get()
        live = live_figure(model, name, lambda: figures.LiveLines([panel]))
        image = solara.use_memo(lambda: live.update(series(model)),
                                dependencies=[id(model), collected(model)])
        rw.Image(value=image, format="png")

    Plot.__name__ = name
    return Plot


ActivePlot, ParticipationPlot, SkillPlot, OutcomesPlot, DissolutionPlot = (
    _figure_component(name, panel) for name, panel in figures.SERIES_PANELS.items())


@solara.component
def NetworkView(model: PartnershipModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """The partnership network now, sampled to at most `figures.MAX_NODES` organisations."""
    update_counter.get()

    def draw() -> tuple[bytes, str]:
        with reading(model):
            snap = figures.network_snapshot(model)
        live = live_figure(model, "NetworkView",
                           lambda: figures.LiveNetwork(snap.n_total, snap.n_platforms))
        return live.update(snap), figures.network_caption(snap)

    image, caption = solara.use_memo(draw, dependencies=[id(model), collected(model)])
    with solara.Column(gap="0px"):
        rw.Image(value=image, format="png")
        solara.Text(caption, classes=["network-caption"], style={"font-size": "0.85em"})




# --- side by side ---------------------------------------------------------------------------

@solara.component
def CompareNumbers(model: PairModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """Table of both designs' headline numbers, side by side."""
    update_counter.get()
    with reading(model):
        a, b = key_numbers(model.a), key_numbers(model.b)
    with solara.Card("Key numbers, side by side", style={"max-width": "760px"}):
        solara.HTML(unsafe_innerHTML=numbers_table([a, b], list(model.labels), ["a", "b"]))
        p = model.a.params
        solara.Markdown(f"Same country profile (`{model.a.country}`), seed "
                        f"{model.a.seed_value}, budget {p.platform_budget:g} staff and "
                        f"{world_text(model.a)} for both. Controls take effect on **Reset**.")


@solara.component
def ComparePlot(model: PairModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """Both designs' key outcomes on shared axes."""
    update_counter.get()
    live = live_figure(model, "ComparePlot", lambda: figures.LiveLines(
        figures.compare_panels(model.labels), shape=(2, 2), figsize=(9.0, 5.6)))

    def draw() -> bytes:
        with reading(model):
            frames = (series(model.a), series(model.b))
        return live.update(frames)

    image = solara.use_memo(draw, dependencies=[id(model), collected(model.a)])
    rw.Image(value=image, format="png")


# --- by country -----------------------------------------------------------------------------

def countries_table(views: list[CountryView], headers: list[str], suffixes: list[str]) -> str:
    """Each headline number by country as one HTML table: per model (column pair) the whole
    world's value and the worst country with its value. Cells have the classes
    `cty cty-<column>[-<suffix>]-world` and `...-worst` that tests read."""
    def cls(number: Any, suffix: str, kind: str) -> str:
        return f"cty cty-{number.column}{'-' + suffix if suffix else ''}-{kind}"

    cell = 'style="text-align:right;padding-left:10px"'
    head = "<tr><th></th>" + "".join(
        f'<th colspan="2" class="cty-label{"-" + x if x else ""}">{html.escape(h)}</th>'
        for h, x in zip(headers, suffixes, strict=True)) + "</tr>"
    pair = f"<th {cell}>whole world</th><th {cell}>worst country</th>"
    head += "<tr><th></th>" + pair * len(views) + "</tr>"
    rows = "".join(
        f"<tr><td>{html.escape(n.label)}</td>" + "".join(
            f'<td class="{cls(n, x, "world")}" {cell}>'
            f"{html.escape(n.text(v.world[n.column]))}</td>"
            f'<td class="{cls(n, x, "worst")}" {cell}><b>'
            f"{html.escape(worst_cell(v, n))}</b></td>"
            for v, x in zip(views, suffixes, strict=True)) + "</tr>"
        for n in COUNTRY_NUMBERS)
    return f'<table style="width:100%;border-spacing:0 2px">{head}{rows}</table>'


def country_bars(key: Any, views: list[CountryView], labels: list[str]) -> bytes:
    """PNG of WORST_BY per country for each view, the worst hatched (a live figure kept
    with `key`, the model the page shows)."""
    live = live_figure(key, "CountryBars", lambda: figures.LiveBars(
        views[0].names, labels, f"{WORST_BY.label}, by country", "per organisation"))
    worst = [v.worst[WORST_BY.column] for v in views]
    return live.update([v.per_org for v in views], [v.world[WORST_BY.column] for v in views],
                       [v.names.index(name) if name in v.names else -1
                        for v, (name, _) in zip(views, worst, strict=True)],
                       [f"{lab}: worst {name} ({WORST_BY.text(value)})"
                        for lab, (name, value) in zip(labels, worst, strict=True)])


COUNTRIES_NOTE = ("Whole world: all organisations together (shares weighted by the "
                  "organisations, SMEs or ended partnerships they are of). Worst country: "
                  "the lowest value, the highest for the failed share; hatched in the chart.")


@solara.component
def Countries(model: PartnershipModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """The headline numbers by country, with the worst-served one (only with 2+ countries)."""
    update_counter.get()
    several = len(model.countries) > 1
    image = solara.use_memo(
        lambda: country_bars(model, [countries(model)], ["this design"]) if several else None,
        dependencies=[id(model), collected(model)])
    if not several:
        return
    view = countries(model)
    with solara.Card(f"By country ({view.n_countries} countries)", style={"width": "100%"}):
        solara.HTML(unsafe_innerHTML=countries_table([view], ["this design"], [""]))
        rw.Image(value=image, format="png")
        solara.Text(COUNTRIES_NOTE, style={"font-size": "0.85em"})


@solara.component
def CompareCountries(model: PairModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """Both designs' headline numbers for the whole world and their worst-served country."""
    update_counter.get()
    with reading(model):
        views = [countries(model.a), countries(model.b)]
    labels = list(model.labels)
    image = solara.use_memo(lambda: country_bars(model, views, labels),
                            dependencies=[id(model), collected(model.a)])
    n = views[0].n_countries
    with solara.Card(f"By country ({n} {'country' if n == 1 else 'countries'}), side by side",
                     style={"max-width": "1000px"}):
        solara.HTML(unsafe_innerHTML=countries_table(views, labels, ["a", "b"]))
        rw.Image(value=image, format="png")
        solara.Text(COUNTRIES_NOTE, style={"font-size": "0.85em"})


# Laid out in two columns, alternating: left gets the 1st, 3rd, ... component.
EXPLORER_COMPONENTS = [KeyNumbers, NetworkView, ActivePlot, ParticipationPlot, SkillPlot,
                       OutcomesPlot, DissolutionPlot, Countries]
COMPARE_COMPONENTS = [CompareNumbers, CompareCountries, ComparePlot]
