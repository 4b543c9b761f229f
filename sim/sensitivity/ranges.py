"""Read the uncertain parameters and their plausible ranges from the parameter schema.

Every parameter of `sim.params.Params` that declares `plausible=(a, b)` is an uncertain
factor of the sensitivity analysis. A scalar factor is sampled in `a..b` in the
parameter's own units (integers are rounded); a sector-indexed factor is sampled as a
multiplier in `a..b` applied to every sector's default, so its sector profile keeps its
shape. Structural, scenario and policy parameters (population, design, budget, levers)
have no plausible range and stay at their configured values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.params import PARAM_FIELDS

DUMMY = "dummy"  # a factor the model never sees: its sensitivity must come out as zero


@dataclass(frozen=True)
class Factor:
    """One uncertain factor: its parameter, plausible range, how it maps onto the parameter."""

    name: str
    lo: float
    hi: float
    kind: str  # "float", "int", "factor" (multiplier on a sector tuple) or "dummy"
    why: str
    default: Any

    def value(self, x: float) -> Any:
        """The parameter value for the sampled number `x` (a multiplier for sector tuples)."""
        if self.kind == "int":
            return int(round(x))
        if self.kind == "factor":
            return [round(float(v) * float(x), 10) for v in self.default]
        return float(x)

    def range_text(self) -> str:
        """The plausible range as a reader sees it: `0.2..0.7`, or `x0.5..x2` for a factor."""
        prefix = "x" if self.kind == "factor" else ""
        return f"{prefix}{self.lo:g}..{prefix}{self.hi:g}"


def uncertain_factors() -> list[Factor]:
    """Every parameter with a plausible range, in schema order."""
    factors = []
    for name, f in PARAM_FIELDS.items():
        meta = f.metadata
        if meta.get("plausible") is None:
            continue
        lo, hi = (float(v) for v in meta["plausible"])
        if isinstance(f.default, tuple):
            kind = "factor"
        elif isinstance(f.default, int) and not isinstance(f.default, bool):
            kind = "int"
        else:
            kind = "float"
        factors.append(Factor(name, lo, hi, kind, meta["plausible_why"], f.default))
    return factors


def dummy_factor() -> Factor:
    """The inert check factor: sampled like any other, never passed to the model."""
    return Factor(DUMMY, 0.0, 1.0, "dummy", "Not a model parameter: a check that must get 0.",
                  None)


def factors_by_name(names: list[str]) -> list[Factor]:
    """The factors named in `names` (the dummy included if named); raise on an unknown name."""
    known = {f.name: f for f in uncertain_factors()}
    known[DUMMY] = dummy_factor()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"factor {unknown[0]!r}: not an uncertain parameter; allowed are "
                         f"{', '.join(known)}")
    return [known[n] for n in names]


def salib_problem(factors: list[Factor]) -> dict[str, Any]:
    """The SALib problem definition for `factors`."""
    return {"num_vars": len(factors), "names": [f.name for f in factors],
            "bounds": [[f.lo, f.hi] for f in factors]}


def model_overrides(factors: list[Factor], row: Any) -> dict[str, Any]:
    """Model parameter values for one sample row (numbers in the order of `factors`)."""
    return {f.name: f.value(float(x)) for f, x in zip(factors, row, strict=True)
            if f.kind != "dummy"}
