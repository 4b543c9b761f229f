"""The model as a plain function of its parameters, for tools that drive models that way.

EMA Workbench, SALib, Optuna and similar tools call a function with parameter values and
read back outcomes. `model_function` makes one:

    from sim.evaluate.interop import model_function
    f = model_function(steps=120, outcomes=("outcome_total", "sme_participation"),
                       seeds=(0, 1, 2), n_orgs=500)
    f(trust=0.3, membership_overhead=0.4)   # {"outcome_total": ..., "sme_participation": ...}

Each call runs the model once per seed (through `sim.evaluate`, the same runs as any
batch) and returns the mean of each outcome over the seeds. `evaluate_rows` is the batched
form: a sample matrix in, an outcome matrix out, every row in one batch (on `workers`
processes), as SALib's `sample` and `analyze` want.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.evaluate.core import evaluate
from sim.outcomes import outcome
from sim.params import PARAM_FIELDS


def _check(outcomes: Sequence[str]) -> tuple[str, ...]:
    for name in outcomes:
        outcome(name)  # a KeyError names the declared outcomes
    return tuple(outcomes)


def model_function(steps: int = 120, outcomes: Sequence[str] = ("outcome_total",),
                   seeds: Sequence[int] = (0,), **fixed: Any) -> Callable[..., dict[str, float]]:
    """A function `f(**params) -> {outcome: mean over seeds}`, with `fixed` parameters set."""
    names = _check(outcomes)

    def run(**params: Any) -> dict[str, float]:
        rows = pd.DataFrame([{**fixed, **params, "seed": seed} for seed in seeds])
        summary = evaluate(rows, steps=steps)
        return {name: float(summary[name].mean()) for name in names}

    run.__doc__ = (f"Run the model ({steps} months, seeds {list(seeds)}) with these parameters; "
                   f"return the mean of {', '.join(names)} over the seeds.")
    return run


def evaluate_rows(names: Sequence[str], rows: np.ndarray, steps: int = 120,
                  outcomes: Sequence[str] = ("outcome_total",), seeds: Sequence[int] = (0,),
                  workers: int = 1, **fixed: Any) -> np.ndarray:
    """Outcomes (one column each, mean over seeds) of every row of a sample matrix whose
    columns are the parameters `names`, run as one batch."""
    chosen = _check(outcomes)
    rows = np.asarray(rows)
    batch = pd.DataFrame([{**fixed, **{n: _value(n, v) for n, v in zip(names, row, strict=True)},
                           "seed": seed, "sample": i}
                          for i, row in enumerate(rows) for seed in seeds])
    summary = evaluate(batch, steps=steps, labels=("sample",), workers=workers)
    means = summary.groupby("sample")[list(chosen)].mean().sort_index()
    return means.to_numpy(dtype=float)


def _value(name: str, x: Any) -> Any:
    """A sampled number as the value of parameter `name` (rounded for integer parameters)."""
    x = x.item() if isinstance(x, np.generic) else x
    return int(round(x)) if PARAM_FIELDS[name].type == "int" else x


__all__ = ["model_function", "evaluate_rows"]
