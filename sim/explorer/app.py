"""The explorer's Solara app: one design live ("/") and two designs side by side ("/compare").

Serve it with `python -m sim.explorer` (or `make explore`); `solara run sim.explorer.app`
works too. Each browser session gets its own model. Controls take effect on Reset, when
Mesa's SolaraViz re-creates the model from them.
"""

from __future__ import annotations

from typing import Any

import solara
from mesa.visualization import SolaraViz

from sim.explorer.components import COMPARE_COMPONENTS, EXPLORER_COMPONENTS, PageShown
from sim.explorer.designs import (
    ALIGNMENT_CHOICES,
    COUNTRY_DEFAULT,
    DEFAULT_WORLD_SCALE,
    MAX_SEED,
    NO_WORLD,
    ExplorerModel,
    PairModel,
    country_profiles,
    world_choices,
)
from sim.explorer.settings import MAX_N_ORGS, MIN_N_ORGS, initial_n_orgs
from sim.params import PLATFORM_DESIGNS, make_params

MAX_IDENTICAL_COUNTRIES = 10  # without a world file (each of `n_orgs` organisations)
PLAY_INTERVAL_MS = 20  # pause between played months; drawing paces Play (designs.PacedStepping)
# Show every slider's value at all times (Vuetify shows it only while dragging).
CSS = ".v-slider-thumb__label-container { display: block !important; }"


def _select(label: str, value: Any, values: list[Any]) -> dict[str, Any]:
    return {"type": "Select", "label": label, "value": value, "values": values}


def _slider(kind: str, label: str, value: float, lo: float, hi: float,
            step: float) -> dict[str, Any]:
    return {"type": kind, "label": label, "value": value, "min": lo, "max": hi, "step": step}


def _checkbox(label: str, value: bool = False) -> dict[str, Any]:
    return {"type": "Checkbox", "label": label, "value": value}


def default_budget(n_orgs: int) -> float:
    """Platform staff at the model's default ratio of staff to organisations (20 per 1,000
    by default), so platforms work at their default intensity at any starting population."""
    defaults = make_params()
    return float(round(defaults.platform_budget * n_orgs / defaults.n_orgs))


def shared_controls(n_orgs: int) -> dict[str, dict[str, Any]]:
    """Controls both pages share: budget, overhead, capacity building, donors, country
    profile, world (a shipped world file and its scale, or identical countries), population
    and seed (an integer slider, never a text box)."""
    defaults = make_params()
    return {
        "platform_budget": _slider("SliderFloat", "Platform budget (staff)",
                                   default_budget(n_orgs), 0.0, 5 * default_budget(n_orgs), 1.0),
        "membership_overhead": _slider("SliderFloat", "Membership overhead (bandwidth)",
                                       defaults.membership_overhead, 0.0, 2.0, 0.05),
        # Training and convening shares of platform actions must sum to at most 1.
        "capacity_building_share": _slider("SliderFloat", "Capacity building (share of actions)",
                                           defaults.capacity_building_share, 0.0,
                                           round(1.0 - defaults.convening_share, 2), 0.05),
        "donor_alignment": _select("Donor alignment", COUNTRY_DEFAULT, list(ALIGNMENT_CHOICES)),
        "country": _select("Country profile", "baseline", list(country_profiles())),
        "world": _select("World (countries)", NO_WORLD, list(world_choices())),
        "world_scale": _slider("SliderFloat", "World scale (x the file's organisations)",
                               DEFAULT_WORLD_SCALE, 0.05, 2.0, 0.05),
        "n_countries": _slider("SliderInt", "Identical countries (world none)", 1, 1,
                               MAX_IDENTICAL_COUNTRIES, 1),
        "n_orgs": _slider("SliderInt", "Organisations (per country, world none)", n_orgs,
                          MIN_N_ORGS, MAX_N_ORGS, 500),
        "seed": _slider("SliderInt", "Seed", 0, 0, MAX_SEED, 1),
    }


def explorer_controls(n_orgs: int) -> dict[str, dict[str, Any]]:
    """Controls of the single-design page, in the order they appear."""
    return {
        "platform_design": _select("Platform design", "national", list(PLATFORM_DESIGNS)),
        "ba_representation": _checkbox("Business associations represent SMEs"),
        "event_partnering": _checkbox("Partnering sessions at conferences"),
        **shared_controls(n_orgs),
    }


def compare_controls(n_orgs: int) -> dict[str, dict[str, Any]]:
    """Controls of the side-by-side page: two designs, everything else shared."""
    return {
        "design_a": _select("Design A", "national", list(PLATFORM_DESIGNS)),
        "ba_representation_a": _checkbox("A: associations represent SMEs"),
        "event_partnering_a": _checkbox("A: partnering sessions"),
        "design_b": _select("Design B", "per_goal", list(PLATFORM_DESIGNS)),
        "ba_representation_b": _checkbox("B: associations represent SMEs"),
        "event_partnering_b": _checkbox("B: partnering sessions"),
        **shared_controls(n_orgs),
    }


def initial_values(controls: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The value each control starts at (the first model is built from these)."""
    return {name: spec["value"] for name, spec in controls.items()}


def _layout(components: list[Any], model: Any, n_columns: int) -> None:
    """Lay the components out in columns, left to right in turn (Mesa's draggable grid needs
    a Vue 2 plugin that fails under Solara's Vue 3 page, so the layout is a fixed one)."""
    solara.Style(CSS)
    with solara.Columns([1] * n_columns):
        for column in (components[k::n_columns] for k in range(n_columns)):
            with solara.Column():
                for component in column:
                    component(model)
    PageShown(model)  # last: its update reaches the browser after everything above


@solara.component
def Explorer() -> None:  # noqa: N802 (Solara components are CamelCase)
    """One design running live, with its controls, plots and network view."""
    controls = explorer_controls(initial_n_orgs())
    first = solara.use_memo(lambda: ExplorerModel(**initial_values(controls)), [])
    model = solara.use_reactive(first)
    SolaraViz(model, components=[], model_params=controls, play_interval=PLAY_INTERVAL_MS,
              name="Partnership ecosystem explorer")
    _layout(EXPLORER_COMPONENTS, model.value, n_columns=2)


@solara.component
def Compare() -> None:  # noqa: N802 (Solara components are CamelCase)
    """Two designs with the same seed, budget and population, stepping together."""
    controls = compare_controls(initial_n_orgs())
    first = solara.use_memo(lambda: PairModel(**initial_values(controls)), [])
    model = solara.use_reactive(first)
    SolaraViz(model, components=[], model_params=controls, play_interval=PLAY_INTERVAL_MS,
              name="Compare two designs")
    _layout(COMPARE_COMPONENTS, model.value, n_columns=1)


routes = [
    solara.Route(path="/", component=Explorer, label="Explore one design"),
    solara.Route(path="compare", component=Compare, label="Compare two designs"),
]
