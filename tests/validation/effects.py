"""Effect sizes of the validation patterns: paired differences with intervals, and the report.

Every pattern compares a measure between two arms run on the same seeds (or two measures
within one arm). The effect is the mean paired difference, with its relative change and a
two-sided 95% t interval. A directional pattern holds when the mean difference passes its
stated margin in the expected direction and the interval excludes 0; an expected absence of
effect ("none") holds when the mean difference stays within plus or minus the margin, and an
expected absence of a rise ("no_increase") when the whole interval lies below +margin. A seed
where a measure is undefined (NaN, e.g. a median lifetime beyond the run's horizon) fails a
check that requires every seed (`require_all`, the default); the effect counts such seeds in
`undefined`. Effects marked `asserted=False` are reported for context only. Each row also
carries its pattern's label (`patterns.py`): emergent or by construction, and its role
against the calibration targets.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy import stats

CSV_COLUMNS = ("pattern", "measure", "control", "treatment", "n", "mean_control",
               "mean_treatment", "difference", "relative_change", "ci95_low", "ci95_high",
               "share_in_direction", "margin", "direction", "passed", "asserted", "undefined",
               "kind", "role", "targets", "because")
DIRECTIONS = ("increase", "decrease", "none", "no_increase")


@dataclass(frozen=True)
class Effect:
    """One measured effect: treatment minus control over paired seeds."""

    pattern: str
    measure: str
    control: str
    treatment: str
    n: int
    mean_control: float
    mean_treatment: float
    difference: float
    relative_change: float
    ci95_low: float
    ci95_high: float
    share_in_direction: float
    margin: float
    direction: str  # one of DIRECTIONS, or "within" (a range)
    passed: bool
    asserted: bool = True
    undefined: int = 0  # seeds where the measure is NaN (left out of the means)
    # The pattern's label (patterns.py), filled in by the `report` fixture.
    kind: str = ""  # emergent | by_construction | partly
    role: str = ""  # calibration target | held back | not a target
    targets: str = ""  # names of the targets it checks, separated by "; "
    because: str = ""  # the rule or term that makes it so, or why it is emergent

    def verdict(self) -> str:
        """PASS or FAIL, or 'reported' for an effect not asserted."""
        if not self.asserted:
            return f"reported only ({'inside' if self.passed else 'outside'})"
        return "PASS" if self.passed else "FAIL"

    def line(self) -> str:
        """The effect in one readable line."""
        missing = (f" ({self.undefined} more seeds undefined)" if self.undefined else "")
        if self.direction == "within":
            return (f"[{self.pattern}] {self.measure}: landed at {self.mean_treatment:.4g} "
                    f"(95% CI {self.ci95_low:.4g}..{self.ci95_high:.4g}) against "
                    f"{self.control}; {self.share_in_direction:.0%} of {self.n} seeds "
                    f"inside{missing}: {self.verdict()}")
        expected = {"none": f"no change beyond +-{self.margin:.4g}",
                    "no_increase": f"no rise beyond +{self.margin:.4g}"}.get(
            self.direction, f"{self.direction} beyond {self.margin:.4g}")
        relative = ("n/a" if math.isnan(self.relative_change)
                    else f"{self.relative_change:+.1%}")
        where = ("within the margin" if self.direction in ("none", "no_increase")
                 else "in direction")
        return (f"[{self.pattern}] {self.measure}: {self.control} {self.mean_control:.4g} -> "
                f"{self.treatment} {self.mean_treatment:.4g}; difference {self.difference:+.4g} "
                f"(95% CI {self.ci95_low:+.4g}..{self.ci95_high:+.4g}), relative "
                f"{relative}, {self.share_in_direction:.0%} of {self.n} seeds "
                f"{where}{missing}; expected {expected}: {self.verdict()}")


def paired_effect(pattern: str, measure: str, control: tuple[str, np.ndarray],
                  treatment: tuple[str, np.ndarray], margin: float,
                  direction: str = "increase", asserted: bool = True,
                  require_all: bool = True) -> Effect:
    """Effect of treatment over control (paired by position), judged against `margin`.

    "increase"/"decrease": it passes when the mean difference exceeds `margin` in that
    direction and the 95% interval of the mean difference lies wholly on that side of 0.
    "none": it passes when the mean difference is within plus or minus `margin`.
    "no_increase": it passes when the whole 95% interval lies below +`margin`. Seeds where
    either value is NaN are left out of the means; with `require_all` any such seed fails it.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction={direction!r}: allowed values are {', '.join(DIRECTIONS)}")
    (c_name, c), (t_name, t) = control, treatment
    c, t = np.asarray(c, dtype=np.float64), np.asarray(t, dtype=np.float64)
    keep = ~(np.isnan(c) | np.isnan(t))
    undefined = int((~keep).sum())
    c, t = c[keep], t[keep]
    d = t - c
    n = int(d.size)
    mean = float(d.mean()) if n else math.nan
    half = (float(stats.t.ppf(0.975, n - 1) * d.std(ddof=1) / math.sqrt(n))
            if n > 1 else math.inf)
    low, high = mean - half, mean + half
    sign = -1.0 if direction == "decrease" else 1.0
    base = float(c.mean()) if n else math.nan
    if direction == "none":
        passed = bool(n > 1 and abs(mean) <= margin)
    elif direction == "no_increase":
        passed = bool(n > 1 and high <= margin)
    else:
        passed = bool(n > 1 and sign * mean > margin and (low > 0 if sign > 0 else high < 0))
    passed = passed and not (require_all and undefined)
    if direction == "none":
        within = np.abs(d) <= margin
    elif direction == "no_increase":
        within = d <= margin
    else:
        within = sign * d > 0
    return Effect(pattern=pattern, measure=measure, control=c_name, treatment=t_name, n=n,
                  mean_control=base, mean_treatment=float(t.mean()) if n else math.nan,
                  difference=mean, relative_change=mean / base if base else math.nan,
                  ci95_low=low, ci95_high=high,
                  share_in_direction=float(within.mean()) if n else math.nan,
                  margin=margin, direction=direction, passed=passed, asserted=asserted,
                  undefined=undefined)


def landing(pattern: str, measure: str, values: np.ndarray, low: float, high: float,
            asserted: bool = True, require_all: bool = True) -> Effect:
    """Where a measure lands against a range [low, high]: it passes when the 95% interval of
    its mean over seeds lies inside the range. NaN seeds are left out of the mean; with
    `require_all` any such seed fails it (a value beyond what the run can measure)."""
    v = np.asarray(values, dtype=np.float64)
    undefined = int(np.isnan(v).sum())
    v = v[~np.isnan(v)]
    n = int(v.size)
    mean = float(v.mean()) if n else math.nan
    half = (float(stats.t.ppf(0.975, n - 1) * v.std(ddof=1) / math.sqrt(n))
            if n > 1 else math.inf)
    inside = float(((v >= low) & (v <= high)).mean()) if n else math.nan
    if math.isinf(high):
        label = f"at least {low:g}"
    elif math.isinf(low):
        label = f"at most {high:g}"
    else:
        label = f"range {low:g}..{high:g}"
    return Effect(pattern=pattern, measure=measure, control=label,
                  treatment="default scenario", n=n, mean_control=math.nan,
                  mean_treatment=mean, difference=math.nan, relative_change=math.nan,
                  ci95_low=mean - half, ci95_high=mean + half, share_in_direction=inside,
                  margin=math.nan, direction="within",
                  passed=bool(n > 1 and low <= mean - half and mean + half <= high
                              and not (require_all and undefined)),
                  asserted=asserted, undefined=undefined)


def write_rows(folder: Path, name: str, effects: list[Effect]) -> None:
    """Write one test's effects as `folder/name.json` (atomically)."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.tmp"
    tmp.write_text(json.dumps([asdict(e) for e in effects]))
    tmp.replace(folder / f"{name}.json")


def merge_rows(folder: Path, target: Path) -> int:
    """Gather every row file in `folder` into the CSV `target` (atomically); return rows."""
    rows: list[dict] = []
    for path in sorted(folder.glob("*.json")):
        rows.extend(json.loads(path.read_text()))
    if not rows:
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(target)
    return len(rows)
