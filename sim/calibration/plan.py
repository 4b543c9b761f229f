"""A calibration plan: `configs/calibration/<size>.yaml`, read and checked before any run."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SECTIONS: dict[str, dict[str, Any]] = {
    "history_matching": {"waves": 2, "design": 64, "cutoff": 3.0, "rank": 1,
                         "discrepancy": 0.0, "pool": 4096, "max_pool": 200_000},
    "abc": {"population": 50, "generations": 4, "min_epsilon": 1.0, "max_simulations": 500},
    "diagnostics": {"ppc_sets": 20, "ppc_seeds": 2, "interval": 0.95,
                    "identified_below": 0.75, "loto_pool": 20_000},
    "twin": {"truth": {}, "seeds": 8, "outputs": [], "statistic": "mean", "width_sd": 3.0,
             "min_relative_width": 0.1, "min_width": 0.01},
}
TOP: dict[str, Any] = {"name": None, "description": "", "targets": None, "target_names": None,
                       "drop_targets": [], "scenario": {}, "steps": 120, "seeds": 2,
                       "seed": 1, "parameters": "all", "choices": {}}
FRESH_SEED_OFFSET = 100_000  # seeds of the posterior-predictive runs: never the calibration's
TWIN_SEED_OFFSET = 200_000  # seeds of the identical twin's truth runs


class PlanError(ValueError):
    """A calibration plan that cannot be run; names the file and the key."""


@dataclass(frozen=True)
class Plan:
    """Everything a calibration run needs to know, with defaults filled in."""

    path: Path
    size: str
    name: str
    description: str
    targets: str | None
    target_names: list[str] | None
    drop_targets: list[str]
    scenario: dict[str, Any]
    steps: int
    seeds: int
    seed: int
    parameters: str | list[str]
    choices: dict[str, list[Any]]
    history_matching: dict[str, Any] = field(default_factory=dict)
    abc: dict[str, Any] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    twin: dict[str, Any] | None = None

    @property
    def is_twin(self) -> bool:
        return self.twin is not None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("size", "name", "targets", "target_names",
                                              "drop_targets", "scenario", "steps", "seeds",
                                              "seed", "parameters", "choices",
                                              "history_matching", "abc", "diagnostics", "twin")}

    def digest(self) -> str:
        """Digest of what decides the calibration's runs (not its name or diagnostics)."""
        keep = {k: v for k, v in self.as_dict().items() if k not in ("name", "diagnostics")}
        return hashlib.sha256(json.dumps(keep, sort_keys=True, default=str).encode()
                              ).hexdigest()[:16]

    def run_budget(self, designs: int = 1) -> dict[str, int]:
        """Most runs each stage can take (a run is one parameter set, one seed and one of
        the `designs` platform designs the targets are computed on)."""
        hm, abc, dg = self.history_matching, self.abc, self.diagnostics
        out = {"history_matching": hm["waves"] * hm["design"] * self.seeds * designs,
               "abc": abc["max_simulations"] * self.seeds * designs,
               "posterior_predictive": dg["ppc_sets"] * dg["ppc_seeds"] * designs}
        if self.is_twin:
            out["twin_truth"] = self.twin["seeds"]
        out["total"] = sum(out.values())
        return out


def plans_dir() -> Path:
    from sim.config import config_dir

    return config_dir() / "calibration"


def _check_number(path: Path, key: str, value: Any, kind: type, lo: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (kind is int and float(value) != int(value)) or value < lo:
        what = "an integer" if kind is int else "a number"
        raise PlanError(f"{path}: {key}={value!r}: expected {what} of at least {lo:g}")


def load_plan(size: str | Path) -> Plan:
    """Read and check plan `size` (a name under configs/calibration/, or a YAML path)."""
    path = Path(size)
    if path.suffix not in (".yaml", ".yml"):
        path = plans_dir() / f"{size}.yaml"
        if not path.is_file():
            known = sorted(p.stem for p in plans_dir().glob("*.yaml"))
            raise PlanError(f"size={str(size)!r}: no plan {path}; known sizes are "
                            f"{', '.join(known) or 'none'}")
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise PlanError(f"{path}: cannot be read as YAML ({err})") from err
    if not isinstance(data, dict):
        raise PlanError(f"{path}: expected a mapping of {', '.join([*TOP, *SECTIONS])}")
    unknown = sorted(set(data) - set(TOP) - set(SECTIONS))
    if unknown:
        raise PlanError(f"{path}: unknown key {unknown[0]!r}; allowed keys are "
                        f"{', '.join([*TOP, *SECTIONS])}")
    values = {**TOP, **{k: v for k, v in data.items() if k in TOP}}
    sections: dict[str, Any] = {}
    for section, defaults in SECTIONS.items():
        given = data.get(section)
        if given is None:
            sections[section] = None if section == "twin" else dict(defaults)
            continue
        if not isinstance(given, dict):
            raise PlanError(f"{path}: {section}={given!r}: expected a mapping")
        bad = sorted(set(given) - set(defaults))
        if bad:
            raise PlanError(f"{path}: {section}.{bad[0]}: unknown key; allowed keys are "
                            f"{', '.join(defaults)}")
        sections[section] = {**defaults, **given}
    for key in ("steps", "seeds"):
        _check_number(path, key, values[key], int, 1)
    _check_number(path, "seed", values["seed"], int, 0)
    for key, lo in (("waves", 1), ("design", 4), ("rank", 1), ("pool", 16), ("max_pool", 16)):
        _check_number(path, f"history_matching.{key}", sections["history_matching"][key], int, lo)
    for key in ("cutoff", "discrepancy"):
        _check_number(path, f"history_matching.{key}", sections["history_matching"][key],
                      float, 0)
    for key, lo in (("population", 4), ("generations", 1), ("max_simulations", 4)):
        _check_number(path, f"abc.{key}", sections["abc"][key], int, lo)
    _check_number(path, "abc.min_epsilon", sections["abc"]["min_epsilon"], float, 0)
    for key, lo in (("ppc_sets", 1), ("ppc_seeds", 1), ("loto_pool", 16)):
        _check_number(path, f"diagnostics.{key}", sections["diagnostics"][key], int, lo)
    for key in ("interval", "identified_below"):
        v = sections["diagnostics"][key]
        _check_number(path, f"diagnostics.{key}", v, float, 0)
        if v >= 1:
            raise PlanError(f"{path}: diagnostics.{key}={v!r}: must be below 1")
    twin = sections["twin"]
    if twin is None and values["targets"] is None:
        raise PlanError(f"{path}: give `targets` (a target set) or a `twin` section")
    if twin is not None:
        if values["targets"] is not None:
            raise PlanError(f"{path}: `targets` and `twin` exclude each other (the twin makes "
                            "its own targets)")
        if not isinstance(twin["truth"], dict):
            raise PlanError(f"{path}: twin.truth={twin['truth']!r}: expected a mapping")
        if not isinstance(twin["outputs"], list) or not twin["outputs"]:
            raise PlanError(f"{path}: twin.outputs: expected a non-empty list of run-summary "
                            "columns")
        if twin["statistic"] not in ("mean", "median"):
            raise PlanError(f"{path}: twin.statistic={twin['statistic']!r}: allowed values are "
                            "mean, median")
        _check_number(path, "twin.seeds", twin["seeds"], int, 2)
    for key in ("scenario", "choices"):
        if not isinstance(values[key], dict):
            raise PlanError(f"{path}: {key}={values[key]!r}: expected a mapping")
    for key in ("target_names", "drop_targets"):
        v = values[key]
        if v is not None and (not isinstance(v, list) or
                              not all(isinstance(x, str) for x in v)):
            raise PlanError(f"{path}: {key}={v!r}: expected a list of target names")
    return Plan(path=path, size=path.stem, name=str(values["name"] or path.stem),
                description=str(values["description"] or ""), targets=values["targets"],
                target_names=values["target_names"], drop_targets=values["drop_targets"] or [],
                scenario=values["scenario"], steps=int(values["steps"]),
                seeds=int(values["seeds"]), seed=int(values["seed"]),
                parameters=values["parameters"], choices=values["choices"],
                history_matching=sections["history_matching"], abc=sections["abc"],
                diagnostics=sections["diagnostics"], twin=twin)
