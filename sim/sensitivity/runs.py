"""Run every sample configuration under each design and seed: one batch of the evaluation layer.

A stage's runs are the product configuration x design x seed, as one table (a row per run:
the sample's parameters, `platform_design`, `seed`, `n_orgs`, and its `config` as a label)
run by `sim.evaluate` on the chosen backend (local processes, Ray, SLURM) into the
analysis' dataset, `<out>/runs/`, so a rerun after a crash makes only the missing runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.outcomes import outcome

OUTCOMES: tuple[str, ...] = ("partnerships_per_1000", "sme_participation", "outcome_direct",
                             "outcome_indirect", "failed_share")
TOTAL = "outcome_total"   # direct + indirect, declared in sim.outcomes
for _name in (*OUTCOMES, TOTAL):
    outcome(_name)  # every output is a declared outcome


@dataclass(frozen=True)
class Base:
    """What every job of a stage shares: designs compared, seeds, months, population."""

    designs: tuple[str, ...]
    seeds: tuple[int, ...]
    steps: int
    n_orgs: int


def stage_batch(configs: dict[str, dict[str, Any]], base: Base) -> pd.DataFrame:
    """The stage's runs: one row per configuration, design and seed."""
    rows = [{"config": name, **overrides, "platform_design": design, "seed": seed,
             "n_orgs": base.n_orgs}
            for name, overrides in configs.items() for design in base.designs
            for seed in base.seeds]
    return pd.DataFrame(rows)


def run_jobs(configs: dict[str, dict[str, Any]], base: Base, out: Path | None, workers: int,
             backend: str = "local", address: str | None = None,
             options: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run a stage's jobs; one row per run: config, design, seed and the outcomes.

    With `out`, the runs are kept in the dataset there and reused by a rerun.
    """
    from sim.evaluate import evaluate

    runs = evaluate(stage_batch(configs, base), steps=base.steps, out=out, labels=("config",),
                    workers=workers, backend=backend, address=address, options=options,
                    replace_stale=True, progress=True)
    runs = runs.rename(columns={"platform_design": "design"})
    for name in (*OUTCOMES, TOTAL):
        runs[name] = runs[name].astype(float)
    return runs[["config", "design", "seed", *OUTCOMES, TOTAL]]
