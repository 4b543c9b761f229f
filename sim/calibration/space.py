"""The calibrated parameter space, read from the parameter schema.

Every field of `sim.params.Params` that declares `plausible=(a, b)` is a continuous
uncertain parameter: a scalar is drawn in `a..b` in its own units (integers rounded), a
sector-indexed one as a multiplier in `a..b` applied to every sector's default (so its
sector profile keeps its shape). A field that declares `plausible_choices=(...)` (the
structural switches of model v2) is a categorical parameter drawn among those choices.
A calibration plan may restrict the space to some of these, or add categorical choices
for a field that has none in the schema (`extra_choices`), but it never invents a range.

Inside the calibration every parameter set is a point of the unit cube: one coordinate
in 0..1 per continuous parameter, one integer code per categorical one. `ParameterSpace`
maps between these points, readable values (what the posterior file stores) and the
keyword arguments of `PartnershipModel`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.params import PARAM_FIELDS
from sim.sensitivity.ranges import uncertain_factors


class SpaceError(ValueError):
    """A calibration plan names a parameter the schema does not make uncertain."""


@dataclass(frozen=True)
class Parameter:
    """One calibrated parameter: how it is drawn and how it maps onto the model."""

    name: str
    kind: str  # "float", "int", "factor" (multiplier on a sector tuple) or "choice"
    lo: float = 0.0
    hi: float = 1.0
    choices: tuple[Any, ...] = ()
    default: Any = None

    @property
    def categorical(self) -> bool:
        return self.kind == "choice"

    def value(self, coordinate: float) -> Any:
        """The readable value at a unit-cube coordinate (or a choice's integer code)."""
        if self.categorical:
            return self.choices[int(coordinate)]
        x = self.lo + float(coordinate) * (self.hi - self.lo)
        return int(round(x)) if self.kind == "int" else float(x)

    def coordinate(self, value: Any) -> float:
        """The unit-cube coordinate (or integer code) of a readable value."""
        if self.categorical:
            if value not in self.choices:
                raise SpaceError(f"{self.name}={value!r}: allowed values are "
                                 f"{', '.join(map(str, self.choices))}")
            return float(self.choices.index(value))
        return (float(value) - self.lo) / (self.hi - self.lo)

    def model_value(self, value: Any) -> Any:
        """The keyword value `PartnershipModel` takes for a readable value."""
        if self.kind == "factor":
            return [round(float(v) * float(value), 10) for v in self.default]
        if self.kind == "choice":
            return value.item() if isinstance(value, np.generic) else value
        return int(value) if self.kind == "int" else float(value)

    def describe(self) -> dict[str, Any]:
        """A JSON-able description, stored with a posterior and compared on loading."""
        if self.categorical:
            return {"name": self.name, "kind": self.kind, "choices": list(self.choices)}
        return {"name": self.name, "kind": self.kind, "lo": self.lo, "hi": self.hi}

    def range_text(self) -> str:
        if self.categorical:
            return " / ".join(map(str, self.choices))
        prefix = "x" if self.kind == "factor" else ""
        return f"{prefix}{self.lo:g}..{prefix}{self.hi:g}"


def schema_parameters(extra_choices: dict[str, list[Any]] | None = None) -> list[Parameter]:
    """Every uncertain parameter of the schema, in schema order (see the module docstring)."""
    extra_choices = dict(extra_choices or {})
    unknown = sorted(set(extra_choices) - set(PARAM_FIELDS))
    if unknown:
        raise SpaceError(f"choices for {unknown[0]!r}: not a model parameter")
    # the continuous ones exactly as the sensitivity analysis reads them
    ranged = {f.name: f for f in uncertain_factors()}
    out = []
    for name, f in PARAM_FIELDS.items():
        meta = f.metadata
        choices = extra_choices.get(name, meta.get("plausible_choices"))
        if choices is not None:
            choices = tuple(choices)
            allowed = meta.get("choices")
            if len(choices) < 2 or len(set(choices)) != len(choices):
                raise SpaceError(f"choices for {name!r}: need at least two distinct values, "
                                 f"got {list(choices)}")
            for c in choices:
                ok = (c in allowed) if allowed else isinstance(c, type(f.default))
                if not ok:
                    raise SpaceError(f"choices for {name!r}: {c!r} is not an allowed value"
                                     + (f" ({', '.join(allowed)})" if allowed else ""))
            out.append(Parameter(name, "choice", choices=choices, default=f.default))
            continue
        factor = ranged.get(name)
        if factor is not None:
            out.append(Parameter(name, factor.kind, factor.lo, factor.hi, default=factor.default))
    return out


class ParameterSpace:
    """The calibrated parameters and the fixed scenario every run shares."""

    def __init__(self, parameters: list[Parameter], fixed: dict[str, Any] | None = None):
        if not parameters:
            raise SpaceError("no parameter to calibrate")
        self.parameters = list(parameters)
        self.fixed = dict(fixed or {})
        clash = sorted(set(self.fixed) & set(self.names))
        if clash:
            raise SpaceError(f"{clash[0]!r} is both calibrated and fixed in the scenario")

    @classmethod
    def from_plan(cls, names: str | list[str] = "all", fixed: dict[str, Any] | None = None,
                  extra_choices: dict[str, list[Any]] | None = None) -> ParameterSpace:
        """The space of a plan: `names` is `all` or a list of uncertain parameters."""
        known = schema_parameters(extra_choices)
        by_name = {p.name: p for p in known}
        if names == "all":
            chosen = known
        else:
            if isinstance(names, str) or not isinstance(names, list):
                raise SpaceError(f"parameters={names!r}: expected `all` or a list of names")
            missing = [n for n in names if n not in by_name]
            if missing:
                raise SpaceError(f"parameter {missing[0]!r}: not an uncertain parameter of the "
                                 f"schema (no plausible range or choices); allowed are "
                                 f"{', '.join(by_name)}")
            chosen = [by_name[n] for n in names]
            for n in extra_choices or {}:
                if n not in names:
                    chosen.append(by_name[n])
        return cls(chosen, fixed)

    # --- names and shapes ---
    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    @property
    def continuous(self) -> list[Parameter]:
        return [p for p in self.parameters if not p.categorical]

    @property
    def categorical(self) -> list[Parameter]:
        return [p for p in self.parameters if p.categorical]

    def describe(self) -> list[dict[str, Any]]:
        return [p.describe() for p in self.parameters]

    def digest(self) -> str:
        """Digest of the parameter descriptions and the fixed scenario."""
        text = json.dumps({"parameters": self.describe(), "fixed": self.fixed},
                          sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    # --- sampling in the unit cube ---
    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """`n` space-filling points (scrambled Sobol' for the continuous coordinates, a
        balanced shuffled draw of each categorical code), shape (n, parameters)."""
        from scipy.stats import qmc

        points = np.zeros((n, len(self.parameters)))
        cont = [k for k, p in enumerate(self.parameters) if not p.categorical]
        if cont:
            sobol = qmc.Sobol(len(cont), scramble=True, seed=rng)
            m = int(np.ceil(np.log2(max(n, 2))))
            points[:, cont] = sobol.random_base2(m)[:n]
        for k, p in enumerate(self.parameters):
            if p.categorical:
                codes = np.arange(n) % len(p.choices)
                points[:, k] = rng.permutation(codes)
        return points

    def uniform(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """`n` independent uniform points of the prior (for candidate pools)."""
        points = rng.random((n, len(self.parameters)))
        for k, p in enumerate(self.parameters):
            if p.categorical:
                points[:, k] = rng.integers(0, len(p.choices), n)
        return points

    def features(self, points: np.ndarray) -> np.ndarray:
        """Emulator inputs: continuous coordinates, then one-hot columns per categorical."""
        points = np.atleast_2d(points)
        cols = [points[:, k] for k, p in enumerate(self.parameters) if not p.categorical]
        for k, p in enumerate(self.parameters):
            if p.categorical:
                cols += [(points[:, k] == c).astype(float) for c in range(len(p.choices))]
        return np.column_stack(cols) if cols else np.zeros((len(points), 0))

    # --- readable values and model keywords ---
    def values(self, points: np.ndarray) -> pd.DataFrame:
        """Readable values (one column per parameter) of unit-cube points."""
        points = np.atleast_2d(points)
        return pd.DataFrame({p.name: [p.value(x) for x in points[:, k]]
                             for k, p in enumerate(self.parameters)})

    def points(self, values: pd.DataFrame) -> np.ndarray:
        """Unit-cube points of readable values (inverse of `values`)."""
        missing = [n for n in self.names if n not in values.columns]
        if missing:
            raise SpaceError(f"parameter sets lack column {missing[0]!r}")
        return np.column_stack([[p.coordinate(v) for v in values[p.name]]
                                for p in self.parameters])

    def model_kwargs(self, row: dict[str, Any] | pd.Series) -> dict[str, Any]:
        """`PartnershipModel` keyword arguments for one set of readable values."""
        return {**self.fixed, **{p.name: p.model_value(row[p.name]) for p in self.parameters}}

    def truth_values(self, truth: dict[str, Any]) -> dict[str, Any]:
        """Readable values of a known parameter set: given ones, else the defaults (a factor
        defaults to 1, a categorical to the schema default)."""
        unknown = sorted(set(truth) - set(self.names))
        if unknown:
            raise SpaceError(f"truth names {unknown[0]!r}: not a calibrated parameter")
        out = {}
        for p in self.parameters:
            if p.name in truth:
                value = truth[p.name]
                p.coordinate(value)  # refuses a choice that is not allowed
            elif p.kind == "factor":
                value = 1.0
            else:
                value = p.default
            out[p.name] = value
        return out
