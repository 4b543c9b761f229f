"""Draw the Morris and Sobol' (Saltelli) sample matrices and turn rows into model configs.

A sample table has one row per SALib sample row: `sample_id`, the sampled numbers (one
column per factor) and `config`, the name of the distinct model configuration the row
maps to. Rows that give identical model parameters (a step of the dummy factor, or two
integer values that round alike) share one config, so each configuration runs once.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd

from sim.sensitivity.ranges import Factor, model_overrides, salib_problem


def morris_matrix(factors: list[Factor], trajectories: int, levels: int,
                  seed: int) -> np.ndarray:
    """Morris one-at-a-time trajectories: (trajectories * (k + 1)) rows x k factors."""
    from SALib.sample import morris

    return morris.sample(salib_problem(factors), trajectories, num_levels=levels, seed=seed)


def sobol_matrix(factors: list[Factor], n: int, seed: int) -> np.ndarray:
    """Saltelli's scheme for first-order and total indices: n * (k + 2) rows x k factors."""
    from SALib.sample import sobol

    if n < 2 or n & (n - 1):
        raise ValueError(f"sobol_n={n}: must be a power of two (2, 4, 8, ...)")
    return sobol.sample(salib_problem(factors), n, calc_second_order=False, seed=seed)


def saltelli_base_rows(n_rows: int, k: int) -> np.ndarray:
    """Row indices of the independent points (the A and B rows) of a Saltelli matrix.

    Without second-order indices, SALib's `sample.sobol` writes one block of k + 2 rows per
    base point j: A_j, then AB_j^1 .. AB_j^k (A_j with factor i taken from B_j), then B_j.
    The AB rows repeat k - 1 coordinates of A_j, so only rows j (k + 2) and j (k + 2) + k + 1
    are independent draws; those are the rows a classifier or a share may count.
    """
    block = k + 2
    if k < 1 or n_rows % block:
        raise ValueError(f"n_rows={n_rows}: not a whole number of Saltelli blocks of "
                         f"k + 2 = {block} rows")
    starts = np.arange(0, n_rows, block)
    return np.sort(np.concatenate([starts, starts + k + 1]))


def config_name(overrides: dict[str, Any]) -> str:
    """A short stable name for one model configuration (a digest of its parameter values)."""
    text = json.dumps(overrides, sort_keys=True)
    return "s" + hashlib.sha256(text.encode()).hexdigest()[:12]


def sample_table(factors: list[Factor], matrix: np.ndarray) -> tuple[pd.DataFrame,
                                                                     dict[str, dict[str, Any]]]:
    """The sample table and the distinct model configurations it needs, by config name."""
    table = pd.DataFrame(matrix, columns=[f.name for f in factors])
    table.insert(0, "sample_id", np.arange(len(table)))
    configs: dict[str, dict[str, Any]] = {}
    names = []
    for row in matrix:
        overrides = model_overrides(factors, row)
        name = config_name(overrides)
        configs.setdefault(name, overrides)
        names.append(name)
    table["config"] = names
    return table, configs
