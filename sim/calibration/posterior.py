"""The calibrated ensemble on disk: saved under a name, loaded by name, checked on loading.

`results/calibration/<name>/posterior.parquet` holds one row per parameter set (each
calibrated parameter's readable value: its own units, a multiplier for a sector-indexed
parameter, the choice for a categorical one) and its `weight`; `posterior.json` beside it
holds the provenance (targets file and digest, method and settings, seeds, code digest,
wall time) and the parameter descriptions. `load_posterior(name)` refuses a file that
cannot be read, whose parameters are not the current schema's (other names, kinds, ranges
or choices), or that another version of the model's code produced.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.space import Parameter, ParameterSpace, SpaceError, schema_parameters

POSTERIOR_FILE = "posterior.parquet"
PROVENANCE_FILE = "posterior.json"


class PosteriorError(ValueError):
    """A posterior that cannot be used; the message names the file and what is wrong."""


def code_digest() -> str:
    """The package version and the digest of the sources compiled code depends on."""
    from sim import __version__
    from sim.jit import sources_digest

    return f"{__version__}+{sources_digest()[:16]}"


def calibration_root(root: Path | str | None = None) -> Path:
    """Where named calibrations live: `root`, `$SIM_CALIBRATION_DIR`, or results/calibration."""
    if root is not None:
        return Path(root)
    return Path(os.environ.get("SIM_CALIBRATION_DIR", "results/calibration"))


def save_posterior(folder: Path, ensemble: pd.DataFrame, space: ParameterSpace,
                   provenance: dict[str, Any]) -> Path:
    """Write the ensemble and its provenance into `folder` (each file atomically)."""
    from sim.io import dump_json, write_atomic, write_text_atomic

    folder.mkdir(parents=True, exist_ok=True)
    frame = ensemble[[*space.names, "weight"]].reset_index(drop=True)
    info = {**provenance, "parameters": space.describe(), "fixed": space.fixed,
            "code_digest": code_digest(), "n_sets": len(frame)}
    write_atomic(folder / POSTERIOR_FILE, lambda tmp: frame.to_parquet(tmp, index=False))
    write_text_atomic(folder / PROVENANCE_FILE, dump_json(info))
    return folder / POSTERIOR_FILE


@dataclass(frozen=True)
class Posterior:
    """A loaded calibrated ensemble."""

    name: str
    sets: pd.DataFrame  # readable values, one column per parameter, plus `weight`
    provenance: dict[str, Any]
    space: ParameterSpace

    def model_kwargs(self) -> list[dict[str, Any]]:
        """`PartnershipModel` keyword arguments of every set, the calibration's scenario
        (population, design, world) included."""
        return [self.space.model_kwargs(row) for _, row in self.sets.iterrows()]

    def overrides(self, sets: pd.DataFrame | None = None) -> list[dict[str, Any]]:
        """Only the calibrated parameters' keyword values, of every set (or of `sets`, e.g.
        from `sample`): what an experiment lays over its own scenario and design."""
        sets = self.sets if sets is None else sets
        return [{p.name: p.model_value(row[p.name]) for p in self.space.parameters}
                for _, row in sets.iterrows()]

    def sample(self, n: int, seed: int = 0) -> pd.DataFrame:
        """`n` sets drawn by weight (with replacement)."""
        rng = np.random.default_rng(seed)
        idx = rng.choice(len(self.sets), n, replace=True, p=self.sets["weight"].to_numpy())
        return self.sets.iloc[idx].reset_index(drop=True)


def _space_from(info: dict[str, Any], where: Path) -> ParameterSpace:
    described = info.get("parameters")
    if not isinstance(described, list) or not described:
        raise PosteriorError(f"{where}: no parameter descriptions")
    extra = {d["name"]: d["choices"] for d in described
             if isinstance(d, dict) and d.get("kind") == "choice"}
    try:
        current = {p.name: p for p in schema_parameters(extra)}
    except SpaceError as err:
        raise PosteriorError(f"{where}: {err}") from err
    chosen: list[Parameter] = []
    for d in described:
        name = d.get("name") if isinstance(d, dict) else None
        if name not in current:
            raise PosteriorError(f"{where}: parameter {name!r} is not an uncertain parameter "
                                 "of the current schema; recalibrate")
        now = current[name].describe()
        if now != d:
            raise PosteriorError(f"{where}: parameter {name!r} was calibrated as {d}, the "
                                 f"current schema declares {now}; recalibrate")
        chosen.append(current[name])
    return ParameterSpace(chosen, info.get("fixed") or {})


def load_posterior(name: str, root: Path | str | None = None, *,
                   check_code: bool = True) -> Posterior:
    """The ensemble saved as `name` under `root` (see `calibration_root`), checked against
    the current parameter schema and (unless `check_code=False`) the code digest."""
    from sim.params import make_params

    folder = calibration_root(root) / name
    parquet, meta = folder / POSTERIOR_FILE, folder / PROVENANCE_FILE
    if not parquet.is_file() or not meta.is_file():
        known = sorted(p.parent.name for p in calibration_root(root).glob(f"*/{POSTERIOR_FILE}"))
        raise PosteriorError(f"posterior {name!r}: no {POSTERIOR_FILE} and {PROVENANCE_FILE} in "
                             f"{folder}; known posteriors are {', '.join(known) or 'none'}")
    try:
        info = json.loads(meta.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PosteriorError(f"{meta}: cannot be read as JSON ({err})") from err
    if not isinstance(info, dict):
        raise PosteriorError(f"{meta}: expected a JSON object")
    try:
        sets = pd.read_parquet(parquet)
    except Exception as err:  # pyarrow raises several kinds for a damaged file
        raise PosteriorError(f"{parquet}: cannot be read as Parquet ({err})") from err
    if check_code and info.get("code_digest") != code_digest():
        raise PosteriorError(f"{meta}: calibrated with code {info.get('code_digest')!r}, the "
                             f"current code is {code_digest()!r}; recalibrate (or load with "
                             "check_code=False to inspect it)")
    space = _space_from(info, meta)
    expected = [*space.names, "weight"]
    if list(sets.columns) != expected:
        raise PosteriorError(f"{parquet}: columns {list(sets.columns)} do not match the "
                             f"parameters in {meta.name} ({expected})")
    if len(sets) == 0:
        raise PosteriorError(f"{parquet}: holds no parameter set")
    weights = sets["weight"].to_numpy(float)
    if not np.all(np.isfinite(weights)) or weights.min() < 0 or \
            not math.isclose(weights.sum(), 1.0, rel_tol=1e-6):
        raise PosteriorError(f"{parquet}: weights must be non-negative and sum to 1")
    for k, row in sets.iterrows():
        try:
            for p in space.parameters:
                x = p.coordinate(row[p.name])
                if not p.categorical and not -1e-9 <= x <= 1 + 1e-9:
                    raise SpaceError(f"{p.name}={row[p.name]!r}: outside {p.range_text()}")
            make_params(**space.model_kwargs(row))
        except (SpaceError, TypeError, ValueError) as err:
            raise PosteriorError(f"{parquet}: row {k}: {err}") from err
    return Posterior(name, sets, info, space)
