"""From the explorer's controls to model parameters: country profiles and the explorer models.

The controls speak in policy terms (a platform design, a budget, whether associations
represent SMEs, ...); `explorer_params` turns them into `PartnershipModel` keyword
parameters. A country profile (`configs/country/<name>.yaml`) sets the country's context
(trust, cultural distance, fragility, sector mix, association staff, ...); the controls are
policy levers and are applied on top of it. Donor alignment is both: its control either
keeps the profile's value ("country default") or sets one.
"""

from __future__ import annotations

import os
import threading
import time
from functools import cache
from typing import Any

import mesa
import yaml

from sim.config import config_dir
from sim.model import PartnershipModel
from sim.params import PARAM_FIELDS, PLATFORM_DESIGNS
from sim.worlds import shipped_worlds

COUNTRY_DEFAULT = "country default"
ALIGNMENT_CHOICES: tuple[str, ...] = (COUNTRY_DEFAULT, "0.0", "0.2", "0.4", "0.6", "0.8", "1.0")
MAX_SEED = 999
SHOWN_TIMEOUT_S = 2.0  # a step waits at most this long for the browser to show the last one
# Updates the server may have sent that the browser has not shown yet: 1 lets the server
# render month n+1 while the browser draws month n (10^4 organisations: 9.4 shown months/s
# against 7.5 with 0, load 5; python -m sim.explorer.steprate --browser).
IN_FLIGHT = 1
# When set (by the step-rate tool), the server appends `<event> <perf_counter s> <update>`
# lines to this file: a model's step ended, the page's render of an update ended, the
# browser showed an update.
TIMING_ENV = "SIM_EXPLORER_TIMING"
STEPPED, RENDERED, SHOWN = "stepped", "rendered", "shown"
NO_WORLD = "none"  # the world control's value for `n_countries` identical countries
DEFAULT_WORLD_SCALE = 0.5  # a shipped world of mean 2,000 orgs per country: 1,000 per country


def world_choices() -> tuple[str, ...]:
    """Values of the world control: none (identical countries), then every shipped world."""
    return (NO_WORLD, *shipped_worlds())


def world_params(world: str = NO_WORLD, world_scale: float = DEFAULT_WORLD_SCALE,
                 n_countries: int = 1) -> dict[str, Any]:
    """Model parameters of the world controls: a shipped world file and its scale, or
    `n_countries` identical countries (`n_countries` is ignored with a world file)."""
    if world not in world_choices():
        raise ValueError(f"world={world!r}: allowed values are {', '.join(world_choices())}")
    if world == NO_WORLD:
        return {"world": None, "n_countries": int(n_countries)}
    return {"world": world, "world_scale": float(world_scale)}


@cache
def country_profiles() -> dict[str, dict[str, Any]]:
    """Every country profile in configs/country/, as parameter overrides (name -> dict)."""
    profiles = {}
    for path in sorted((config_dir() / "country").glob("*.yaml")):
        overrides = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        unknown = sorted(set(overrides) - set(PARAM_FIELDS))
        if unknown:
            raise ValueError(f"{path}: unknown parameter {unknown[0]!r} in country profile")
        profiles[path.stem] = overrides
    if "baseline" not in profiles:
        raise ValueError(f"{config_dir() / 'country'}: no baseline.yaml country profile")
    return profiles


def as_seed(seed: Any) -> int:
    """Return `seed` as an integer 0..MAX_SEED (a whole-number string is accepted)."""
    if isinstance(seed, bool):
        raise TypeError(f"seed={seed!r}: expected an integer 0..{MAX_SEED}")
    if isinstance(seed, str):
        if not seed.strip().isdigit():
            raise TypeError(f"seed={seed!r}: expected an integer 0..{MAX_SEED}")
        seed = int(seed.strip())
    if isinstance(seed, float) and seed.is_integer():
        seed = int(seed)
    if not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed={seed!r}: expected an integer 0..{MAX_SEED}")
    return seed


def explorer_params(*, country: str = "baseline", donor_alignment: str = COUNTRY_DEFAULT,
                    **levers: Any) -> dict[str, Any]:
    """Model parameters for a country profile plus policy levers (model parameter values)."""
    profiles = country_profiles()
    if country not in profiles:
        raise ValueError(f"country={country!r}: allowed values are {', '.join(profiles)}")
    if donor_alignment not in ALIGNMENT_CHOICES:
        raise ValueError(f"donor_alignment={donor_alignment!r}: allowed values are "
                         f"{', '.join(ALIGNMENT_CHOICES)}")
    params = {**profiles[country], **levers}
    if donor_alignment != COUNTRY_DEFAULT:
        params["donor_alignment"] = float(donor_alignment)
    return params


def timing_mark(event: str, update: int = -1) -> None:
    """Append `event`, the time and Mesa's update number (-1: none) to the file
    $SIM_EXPLORER_TIMING names (if it is set)."""
    path = os.environ.get(TIMING_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{event} {time.perf_counter():.6f} {update}\n")


class PacedStepping:
    """Stepping for a model a page is showing: a lock that the page's components hold while
    they read the model (Solara may render in another thread than the one that steps), and
    a wait, before each step, until the browser has drawn all but `IN_FLIGHT` of the updates
    it was sent, so Play never runs ahead of what the page can show (render interval 1 shows
    every month) while the server draws month n+1 as the browser draws month n; Pause
    leaves no backlog: at most the month in flight and the step under way are still shown."""

    def _init_pacing(self) -> None:
        self.lock = threading.RLock()
        self._shown = threading.Condition()
        self._shown_update: int | None = None  # None until a page shows the model

    def mark_shown(self, update: int) -> None:
        """The browser has drawn Mesa's update number `update` of this model."""
        with self._shown:
            self._shown_update = update
            self._shown.notify_all()
        timing_mark(SHOWN, update)

    def wait_until_shown(self, timeout: float = SHOWN_TIMEOUT_S) -> bool:
        """Wait until the page has shown all but the last `IN_FLIGHT` updates requested;
        False on time-out."""
        if self._shown_update is None:
            return True
        from mesa.visualization.utils import update_counter

        with self._shown:
            return self._shown.wait_for(
                lambda: self._shown_update >= update_counter.value - IN_FLIGHT, timeout=timeout)


class ExplorerModel(PacedStepping, PartnershipModel):
    """`PartnershipModel` built from the explorer's controls (SolaraViz re-creates it on reset)."""

    def __init__(self, *, platform_design: str = "national", platform_budget: float = 20.0,
                 membership_overhead: float = 0.3, ba_representation: bool = False,
                 capacity_building_share: float = 0.3, event_partnering: bool = False,
                 donor_alignment: str = COUNTRY_DEFAULT, country: str = "baseline",
                 world: str = NO_WORLD, world_scale: float = DEFAULT_WORLD_SCALE,
                 n_countries: int = 1, n_orgs: int = 10_000, seed: Any = 0,
                 rng: Any = None) -> None:
        self.country = country
        self.world_name = world
        self.seed_value = as_seed(seed)
        self._init_pacing()
        super().__init__(
            rng=self.seed_value if rng is None else rng,
            **explorer_params(
                country=country, donor_alignment=donor_alignment,
                platform_design=platform_design, platform_budget=float(platform_budget),
                membership_overhead=float(membership_overhead),
                ba_representation=bool(ba_representation),
                capacity_building_share=float(capacity_building_share),
                event_partnering=bool(event_partnering), n_orgs=int(n_orgs),
                **world_params(world, world_scale, n_countries)))

    def step(self) -> None:
        """One month, once the page has shown the last one, holding the model's lock."""
        self.wait_until_shown()
        with self.lock:
            super().step()
        timing_mark(STEPPED)


class PairModel(PacedStepping, mesa.Model):
    """Two designs of one ecosystem, same country, population, budget and seed, run in step."""

    def __init__(self, *, design_a: str = "national", design_b: str = "per_goal",
                 ba_representation_a: bool = False, ba_representation_b: bool = False,
                 event_partnering_a: bool = False, event_partnering_b: bool = False,
                 platform_budget: float = 20.0, membership_overhead: float = 0.3,
                 capacity_building_share: float = 0.3,
                 donor_alignment: str = COUNTRY_DEFAULT, country: str = "baseline",
                 world: str = NO_WORLD, world_scale: float = DEFAULT_WORLD_SCALE,
                 n_countries: int = 1, n_orgs: int = 10_000, seed: Any = 0,
                 rng: Any = None) -> None:
        seed_value = as_seed(seed)
        self._init_pacing()
        super().__init__(rng=seed_value if rng is None else rng)
        for design in (design_a, design_b):
            if design not in PLATFORM_DESIGNS:
                raise ValueError(f"platform_design={design!r}: allowed values are "
                                 f"{', '.join(PLATFORM_DESIGNS)}")
        shared = {"platform_budget": platform_budget, "membership_overhead": membership_overhead,
                  "capacity_building_share": capacity_building_share,
                  "donor_alignment": donor_alignment, "country": country, "world": world,
                  "world_scale": world_scale, "n_countries": n_countries, "n_orgs": n_orgs,
                  "seed": seed_value}
        self.a = ExplorerModel(platform_design=design_a, ba_representation=ba_representation_a,
                               event_partnering=event_partnering_a, **shared)
        self.b = ExplorerModel(platform_design=design_b, ba_representation=ba_representation_b,
                               event_partnering=event_partnering_b, **shared)
        self.labels = (label_of(design_a, ba_representation_a, event_partnering_a, "A"),
                       label_of(design_b, ba_representation_b, event_partnering_b, "B"))

    def step(self) -> None:
        """Advance both designs by one month (the page reads both under this lock)."""
        self.wait_until_shown()
        with self.lock:
            self.a.step()
            self.b.step()


def label_of(design: str, ba_representation: bool, event_partnering: bool, side: str) -> str:
    """Short legend label of one side of a comparison, e.g. 'A: national + BA'."""
    extras = [name for name, on in (("BA", ba_representation), ("events", event_partnering))
              if on]
    return f"{side}: {design}" + "".join(f" + {e}" for e in extras)
