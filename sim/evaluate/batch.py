"""A batch: a table with one row per run (model parameters and `seed`) turned into runs.

Each distinct parameter set is validated once (`sim.params.make_params`), however many
seeds it is run with, and every run gets its key: a digest of the code that runs it
(`sim.evaluate.code.code_digest`), its resolved parameters, seed and months. Equal keys
mean the same run, so a dataset never holds a run twice and never reuses one made by
other code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.evaluate.code import code_digest
from sim.params import PARAM_FIELDS, make_params

MAX_STEPS = 1_000_000
SEED, STEPS = "seed", "steps"


class BatchError(ValueError):
    """A batch cannot be run: the message names the row or column and what is allowed."""


@dataclass(frozen=True)
class Run:
    """One run: its key, seed, months and every model parameter (resolved, validated)."""

    key: str
    seed: int
    steps: int
    params: dict[str, Any]


@dataclass(frozen=True)
class Batch:
    """The distinct runs of a batch (first-appearance order) and the key of every row."""

    runs: tuple[Run, ...]
    row_keys: tuple[str, ...]
    labels: pd.DataFrame          # the label columns of every row (index 0..n-1)
    param_columns: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.row_keys)


def _plain(value: Any) -> Any:
    """A batch cell as a plain Python value (numpy scalars unwrapped, missing as None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def param_value(name: str, value: Any) -> Any:
    """A parameter value from a cell: sequences (or their JSON text) for sector tuples."""
    kind = PARAM_FIELDS[name].type
    if kind.startswith("tuple"):
        if isinstance(value, str):
            value = json.loads(value)
        if isinstance(value, (list, tuple, np.ndarray)):
            return tuple(_plain(v) for v in value)
        return value
    return _plain(value)


def _integer(what: str, value: Any, lo: int, hi: int) -> int:
    value = _plain(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BatchError(f"{what}={value!r}: expected an integer from {lo} to {hi}")
    if not lo <= value <= hi:
        raise BatchError(f"{what}={value!r}: allowed range is {lo}..{hi}")
    return value


def resolved(params: Any) -> dict[str, Any]:
    """Every parameter of a `Params` as a plain dict (sector tuples stay tuples)."""
    return dataclasses.asdict(params)


def config_text(params: dict[str, Any]) -> str:
    """Canonical JSON of a resolved parameter dict (tuples as lists, sorted keys)."""
    plain = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
    return json.dumps(plain, sort_keys=True, separators=(",", ":"))


#: Parameters that name input files: a run's key covers the files' contents, not only
#: their names, so an edited world file or goal matrix is never taken for the old one.
FILE_PARAMS = ("world", "goal_matrix_path")


def inputs_digest(params: dict[str, Any]) -> str:
    """SHA-256 over the contents of the input files a resolved parameter dict names ("" when
    it names none)."""
    from sim.worlds import world_path

    digest = hashlib.sha256()
    named = False
    for name in FILE_PARAMS:
        value = params.get(name)
        if value is None:
            continue
        path = world_path(value) if name == "world" else Path(value)
        digest.update(f"{name}={value}|".encode())
        digest.update(path.read_bytes())
        named = True
    return digest.hexdigest() if named else ""


def run_key(config: str, seed: int, steps: int, code: str | None = None,
            inputs: str = "") -> str:
    """The key of one run: a digest of the code, the parameters' JSON, the contents of the
    input files they name (`inputs_digest`), seed and months."""
    text = f"{code or code_digest()}|{config}|{seed}|{steps}"
    if inputs:
        text += f"|{inputs}"
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def make_batch(batch: pd.DataFrame | Iterable[dict[str, Any]], steps: int | None = None,
               labels: Iterable[str] = ()) -> Batch:
    """Validate `batch` (one row per run) and key its runs; raise `BatchError`.

    Columns: `seed` (required), any model parameter of `sim.params.Params` (the others keep
    their defaults), optionally `steps` (else the `steps` argument), and the columns named
    in `labels`, which are carried to the results but are not model inputs.
    """
    frame = batch if isinstance(batch, pd.DataFrame) else pd.DataFrame(list(batch))
    frame = frame.reset_index(drop=True)
    labels = tuple(labels)
    columns = list(frame.columns)
    if SEED not in columns:
        raise BatchError(f"batch: no `{SEED}` column; every run needs a seed")
    unknown = [c for c in columns if c not in PARAM_FIELDS and c not in (SEED, STEPS)
               and c not in labels]
    if unknown:
        raise BatchError(f"batch column {unknown[0]!r}: not a model parameter; allowed are "
                         f"{SEED}, {STEPS}, the parameters of sim.params.Params "
                         f"({', '.join(PARAM_FIELDS)}) and the labels given "
                         f"({', '.join(labels) or 'none'})")
    missing_labels = [c for c in labels if c not in columns]
    if missing_labels:
        raise BatchError(f"label {missing_labels[0]!r}: not a column of the batch")
    clash = [c for c in labels if c in PARAM_FIELDS or c in (SEED, STEPS)]
    if clash:
        raise BatchError(f"label {clash[0]!r}: a model input cannot also be a label")
    if STEPS not in columns:
        if steps is None:
            raise BatchError("steps: give the months per run (steps=...) or a `steps` column")
        _integer("steps", steps, 0, MAX_STEPS)
    params = [c for c in columns if c in PARAM_FIELDS]
    validated: dict[tuple, tuple[str, dict[str, Any]]] = {}
    runs: dict[str, Run] = {}
    row_keys: list[str] = []
    code = code_digest()
    seeds = frame[SEED].tolist()
    months = frame[STEPS].tolist() if STEPS in columns else [steps] * len(frame)
    values = [frame[c].tolist() for c in params]
    for i in range(len(frame)):
        cells = tuple(param_value(c, v[i]) for c, v in zip(params, values, strict=True))
        try:
            found = validated.get(cells)
        except TypeError:  # an unhashable cell: validation below explains it
            found = None
        if found is None:
            given = {c: v for c, v in zip(params, cells, strict=True) if v is not None
                     or PARAM_FIELDS[c].type == "str | None"}
            try:
                full = resolved(make_params(**given))
            except (TypeError, ValueError) as err:
                raise BatchError(f"batch row {i}: {err}") from None
            found = (config_text(full), full, inputs_digest(full))
            try:
                validated[cells] = found
            except TypeError:
                pass
        seed = _integer(f"batch row {i}: seed", seeds[i], 0, 2**63 - 1)
        n_steps = _integer(f"batch row {i}: steps", months[i], 0, MAX_STEPS)
        key = run_key(found[0], seed, n_steps, code, found[2])
        if key not in runs:
            runs[key] = Run(key, seed, n_steps, found[1])
        row_keys.append(key)
    return Batch(runs=tuple(runs.values()), row_keys=tuple(row_keys),
                 labels=frame[list(labels)].copy(), param_columns=tuple(params))


__all__ = ["Batch", "BatchError", "Run", "make_batch", "run_key", "inputs_digest",
           "config_text", "resolved",
           "SEED", "STEPS", "MAX_STEPS"]
