"""What an experiment declares: its question, the arms it compares, contexts and outcomes.

A driver declares only what its question changes; everything else has a default: the
arms come from one column of the runs (`arm_column`, named by `arm_names`) unless the
driver gives `arm_of`; outcomes and series are names from `sim.outcomes` (labels and the
better direction are looked up there); the grid, seeds and the model's settings live in
the experiment's Hydra config, `configs/experiment/<name>.yaml`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.outcomes import Outcome, outcome, series

#: Outcomes compared when an experiment names none: the headline ones.
HEADLINE_OUTCOMES = ("partnerships_per_1000", "sme_participation", "median_lifetime_km",
                     "failed_share", "outcome_direct", "outcome_indirect")
DEFAULT_SERIES = ("active_partnerships", "sme_participation")


@dataclass(frozen=True)
class Experiment:
    """One policy question: the arms it compares, in which contexts, on which outcomes."""

    name: str
    title: str
    question: str
    arms: tuple[str, ...]                     # in display order; the first is the control
    arm_label: str = "Arm"
    arm_column: str | None = None             # the run column the arm is read from
    arm_names: dict[Any, str] = field(default_factory=dict)  # column value -> arm name
    arm_of: Callable[[pd.DataFrame], pd.Series] | None = None  # or a function of the runs
    control: str | None = None                # default: the first arm
    contexts: tuple[tuple[str, str], ...] = ()   # (column, label): one comparison cell
    outcomes: tuple[str, ...] = HEADLINE_OUTCOMES
    series: tuple[str, ...] = DEFAULT_SERIES
    tiny_grid: tuple[str, ...] = ()           # overrides that shrink the grid at --size tiny
    default_seeds: int = 10
    reference: dict[str, Any] = field(default_factory=dict)  # context shown in time figures
    extra_figures: tuple[Callable[..., list[dict[str, str]]], ...] = ()

    def __post_init__(self) -> None:
        if (self.arm_column is None) == (self.arm_of is None):
            raise ValueError(f"experiment {self.name}: give arm_column or arm_of, not both")
        for name in self.outcomes:
            outcome(name)
        for name in self.series:
            series(name)

    @property
    def control_arm(self) -> str:
        return self.control or self.arms[0]

    @property
    def outcome_specs(self) -> tuple[Outcome, ...]:
        return tuple(outcome(name) for name in self.outcomes)

    @property
    def series_specs(self) -> tuple[Outcome, ...]:
        return tuple(series(name) for name in self.series)

    def arm(self, runs: pd.DataFrame) -> pd.Series:
        """The arm of each run (None: the run is not part of the comparison)."""
        if self.arm_of is not None:
            return self.arm_of(runs)
        values = runs[self.arm_column]
        if not self.arm_names:
            return values.astype(str)
        return values.map(lambda v: self.arm_names.get(v.item() if hasattr(v, "item") else v))


__all__ = ["Experiment", "HEADLINE_OUTCOMES", "DEFAULT_SERIES"]
