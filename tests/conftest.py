"""Shared helpers: small models run over several seeds."""

from __future__ import annotations

import numpy as np
import pytest

from sim import PartnershipModel

SEEDS = range(8)
SMALL = {"n_orgs": 400}


def run(steps: int = 60, seed: int = 0, **params) -> PartnershipModel:
    """Build a small model with `params`, run it `steps` months and return it."""
    model = PartnershipModel(rng=seed, **{**SMALL, **params})
    for _ in range(steps):
        model.step()
    return model


def summaries(steps: int = 60, seeds=SEEDS, **params) -> list[dict]:
    """Run summaries of the same scenario over several seeds."""
    return [run(steps, seed, **params).summary() for seed in seeds]


def mean_of(rows: list[dict], key: str) -> float:
    """Mean of one summary field over seeds (NaNs skipped)."""
    return float(np.nanmean([row[key] for row in rows]))


def series_mean(steps: int, key: str, seeds=SEEDS, tail: int = 12, **params) -> float:
    """Mean of a per-step reporter over the last `tail` steps and over seeds."""
    values = []
    for seed in seeds:
        frame = run(steps, seed, **params).datacollector.get_model_vars_dataframe()
        values.append(frame[key].tail(tail).mean())
    return float(np.mean(values))


@pytest.fixture(scope="session")
def default_runs() -> list[dict]:
    """Run summaries of the default small scenario, national design, over SEEDS."""
    return summaries()
