"""Calibration targets: read and check `configs/targets/<set>.yaml` before any run.

A target set is a YAML file with one list, `targets`, each entry a sourced fact about
partnerships stated as a range for a statistic of one run-summary column:

    targets:
      - name: failed_share            # unique within the set
        output: failed_share          # a column of the run summary
        output_status: existing       # existing | proposed (not yet in the model)
        statistic: mean               # mean | median over the runs of one parameter set
        low: 0.3
        high: 0.7
        strength: surveyed            # measured | surveyed | practitioner_estimate
        population: ...               # what the source describes (optional)
        scope: ...                    # (optional)
        use: calibration              # calibration | validation (held back)
        source: {author: ..., year: ..., title: ..., where: ..., url: ...}
        quote: ...                    # (optional)
        notes: ...                    # (optional)

Every problem is a `TargetError` naming the file and the entry (its name, or its
position when it has none) and what is allowed.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

STATISTICS = ("mean", "median")
STRENGTHS = ("measured", "surveyed", "practitioner_estimate")
USES = ("calibration", "validation")
OUTPUT_STATUSES = ("existing", "proposed")
REQUIRED = ("name", "output", "output_status", "statistic", "low", "high", "strength", "use",
            "source")
OPTIONAL = ("population", "scope", "quote", "notes")
SOURCE_REQUIRED = ("author", "year", "title")
SOURCE_OPTIONAL = ("where", "url")


class TargetError(ValueError):
    """A target set that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Target:
    """One range a statistic of a run-summary output should fall in."""

    name: str
    output: str
    statistic: str
    low: float
    high: float
    strength: str
    use: str
    output_status: str = "existing"
    source: dict[str, Any] = field(default_factory=dict)
    population: str | None = None
    scope: str | None = None
    quote: str | None = None
    notes: str | None = None

    @property
    def design(self) -> str | None:
        """The platform design its `scope` names (`design=...`), or None."""
        for part in (self.scope or "").split(";"):
            key, _, value = part.partition("=")
            if key.strip() == "design" and value.strip():
                return value.strip()
        return None

    @property
    def middle(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def half_width(self) -> float:
        return 0.5 * (self.high - self.low)

    def inside(self, value: float) -> bool:
        return bool(math.isfinite(value) and self.low <= value <= self.high)

    def citation(self) -> str:
        s = self.source
        return f"{s.get('author')} ({s.get('year')}), {s.get('title')}"


@dataclass(frozen=True)
class TargetSet:
    """The targets of one file, with the file's path and digest."""

    path: Path
    digest: str
    targets: tuple[Target, ...]

    def names(self) -> list[str]:
        return [t.name for t in self.targets]

    def by_use(self, use: str) -> list[Target]:
        return [t for t in self.targets if t.use == use]

    def select(self, names: list[str] | None = None, drop: list[str] | None = None,
               use: str = "calibration") -> list[Target]:
        """The targets of `use` (or exactly `names`), without those in `drop`."""
        known = set(self.names())
        for key, given in (("targets", names), ("drop", drop)):
            for n in given or []:
                if n not in known:
                    raise TargetError(f"{self.path}: {key} names target {n!r}, which is not in "
                                      f"the set; known targets are {', '.join(self.names())}")
        chosen = ([t for t in self.targets if t.name in names] if names is not None
                  else self.by_use(use))
        chosen = [t for t in chosen if t.name not in set(drop or [])]
        if not chosen:
            raise TargetError(f"{self.path}: no {use} target left to calibrate against")
        return chosen


def targets_dir() -> Path:
    from sim.config import config_dir

    return config_dir() / "targets"


def target_set_path(name: str | Path) -> Path:
    """The file of target set `name` (a name under configs/targets/, or a path)."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise TargetError(f"target set {str(name)!r}: no such file")
        return path
    path = targets_dir() / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in targets_dir().glob("*.yaml"))
        raise TargetError(f"target set {str(name)!r}: unknown; known sets in {targets_dir()} "
                          f"are {', '.join(known) or 'none'}")
    return path


def _entry(path: Path, k: int, raw: Any) -> Target:
    where = f"{path}: target #{k + 1}"
    if not isinstance(raw, dict):
        raise TargetError(f"{where}: expected a mapping of {', '.join(REQUIRED)}, got {raw!r}")
    if isinstance(raw.get("name"), str) and raw["name"]:
        where = f"{path}: target {raw['name']!r}"
    missing = [key for key in REQUIRED if key not in raw]
    if missing:
        raise TargetError(f"{where}: missing key {missing[0]!r} (required: {', '.join(REQUIRED)})")
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise TargetError(f"{where}: unknown key {unknown[0]!r}; allowed keys are "
                          f"{', '.join(REQUIRED + OPTIONAL)}")
    for key in ("name", "output"):
        if not isinstance(raw[key], str) or not raw[key]:
            raise TargetError(f"{where}: {key}={raw[key]!r}: expected a non-empty string")
    for key, allowed in (("statistic", STATISTICS), ("strength", STRENGTHS), ("use", USES),
                         ("output_status", OUTPUT_STATUSES)):
        if raw[key] not in allowed:
            raise TargetError(f"{where}: {key}={raw[key]!r}: allowed values are "
                              f"{', '.join(allowed)}")
    for key in ("low", "high"):
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not math.isfinite(value):
            raise TargetError(f"{where}: {key}={value!r}: expected a finite number")
    if raw["low"] >= raw["high"]:
        raise TargetError(f"{where}: low={raw['low']!r} is not below high={raw['high']!r}")
    source = raw["source"]
    if not isinstance(source, dict):
        raise TargetError(f"{where}: source={source!r}: expected a mapping of "
                          f"{', '.join(SOURCE_REQUIRED + SOURCE_OPTIONAL)}")
    missing = [key for key in SOURCE_REQUIRED if key not in source]
    if missing:
        raise TargetError(f"{where}: source lacks {missing[0]!r} (required: "
                          f"{', '.join(SOURCE_REQUIRED)})")
    unknown = sorted(set(source) - set(SOURCE_REQUIRED) - set(SOURCE_OPTIONAL))
    if unknown:
        raise TargetError(f"{where}: source has unknown key {unknown[0]!r}; allowed keys are "
                          f"{', '.join(SOURCE_REQUIRED + SOURCE_OPTIONAL)}")
    return Target(name=raw["name"], output=raw["output"], statistic=raw["statistic"],
                  low=float(raw["low"]), high=float(raw["high"]), strength=raw["strength"],
                  use=raw["use"], output_status=raw["output_status"], source=dict(source),
                  **{key: raw.get(key) for key in OPTIONAL})


def require_outputs(path: Path, targets: list[Target], outputs: set[str]) -> None:
    """Refuse any of `targets` whose output is not a column of the run summary."""
    for t in targets:
        if t.output in outputs:
            continue
        where = f"{path}: target {t.name!r}"
        if t.output_status == "proposed":
            raise TargetError(f"{where}: output {t.output!r} is proposed and not yet in the run "
                              "summary; a proposed output cannot be calibrated against until "
                              "the model reports it (leave the target out with drop_targets)")
        raise TargetError(f"{where}: output {t.output!r} is not a column of the run summary; "
                          f"known outputs are {', '.join(sorted(outputs))}")


def load_targets(name: str | Path, outputs: set[str] | None = None) -> TargetSet:
    """Read and check target set `name`; with `outputs` (the run summary's columns), also
    refuse every target whose output the model does not report (`require_outputs`)."""
    path = target_set_path(name)
    try:
        text = path.read_text()
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise TargetError(f"{path}: cannot be read as YAML ({err})") from err
    if not isinstance(data, dict) or not isinstance(data.get("targets"), list):
        raise TargetError(f"{path}: expected a mapping with a list `targets`")
    targets = tuple(_entry(path, k, raw) for k, raw in enumerate(data["targets"]))
    if not targets:
        raise TargetError(f"{path}: the list `targets` is empty")
    seen: set[str] = set()
    for t in targets:
        if t.name in seen:
            raise TargetError(f"{path}: target {t.name!r}: the name appears twice")
        seen.add(t.name)
    if outputs is not None:
        require_outputs(path, list(targets), outputs)
    return TargetSet(path, hashlib.sha256(text.encode()).hexdigest(), targets)


def statistic(values: Any, how: str) -> float:
    """`mean` or `median` of one output over the runs of one parameter set (NaN runs are
    left out; NaN when every run is NaN)."""
    import numpy as np

    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return float("nan")
    return float(arr.mean() if how == "mean" else np.median(arr))


def target_yaml(targets: list[dict[str, Any]], header: str) -> str:
    """The text of a target-set file (for generated sets such as the identical twin's)."""
    return "".join(f"# {line}\n" for line in header.splitlines()) + yaml.safe_dump(
        {"targets": targets}, sort_keys=False, allow_unicode=True)
