"""Scenario arms of the validation suite: what each one sets, and its runs, cached once a session.

An arm is a named set of parameter overrides on the default scenario (the model's defaults:
1,000 organisations, one country, national platform, 120 months). Every arm runs the same
seeds, so two arms compare seed by seed (paired). Runs are reduced to one flat record each
and cached on disk in a folder shared by every xdist worker of the session, behind a file
lock, so an arm used by several patterns runs once per session.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from sim import PartnershipModel
from sim.metrics import component_sizes, partnership_network
from sim.params import MULTINATIONAL, SME

SEEDS = range(20)
STEPS = 120
N_ORGS = 1000
#: Alliance-network window (months): partnerships active at some time in the last 3 years,
#: the moving window alliance-network studies use, since alliances end.
NETWORK_WINDOW = 36
HIGH_SKILL = (0.6,) * 7

ARMS: dict[str, dict[str, Any]] = {
    "default": {},
    "no_platform": {"platform_design": "none"},
    "overhead_0.1": {"membership_overhead": 0.1},
    "overhead_0.8": {"membership_overhead": 0.8},
    "ba_staffed": {"ba_representation": True},
    "ba_understaffed": {"ba_representation": True, "ba_staff": 0.05},
    "capacity_0": {"capacity_building_share": 0.0},
    "capacity_0.8": {"capacity_building_share": 0.8},
    "distance_0.1": {"cultural_distance": 0.1},
    "distance_1.0": {"cultural_distance": 1.0},
    "skilled_distance_0.1": {"cultural_distance": 0.1, "skill": HIGH_SKILL},
    "skilled_distance_1.0": {"cultural_distance": 1.0, "skill": HIGH_SKILL},
    "events": {"event_partnering": True},
}

SUMMARY_KEYS = (
    "formed", "ended", "sme_participation", "multinational_participation", "mean_skill",
    "failed_share", "failed_or_dormant_share", "median_lifetime_km", "median_lifetime",
    "ended_health_share", "ended_unmet_share", "ended_funding_share", "ended_objective_share",
    "network_orgs", "network_components", "network_largest_component_share",
)
SUMMED_REPORTERS = ("formed", "formed_repeat", "contacts", "cross_sector_contacts",
                    "repeat_contacts", "search_cost", "formed_event")


def run_record(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """Run the default scenario with `params` for one seed; return the measures the patterns
    use as one flat record (JSON-serialisable)."""
    model = PartnershipModel(rng=seed, **{"n_orgs": N_ORGS, **params})
    summary = model.run(STEPS)
    series = model.datacollector.get_model_vars_dataframe()
    orgs = model.state.orgs
    member = (orgs.member_pos >= 0).any(axis=1)
    record: dict[str, Any] = {"seed": seed}
    record.update({key: float(summary[key]) for key in SUMMARY_KEYS})
    record.update({f"sum_{key}": float(series[key].sum()) for key in SUMMED_REPORTERS})
    record["sme_platform_membership"] = float(series["sme_platform_membership"].tail(12).mean())
    record["sme_member_at_end"] = float(member[orgs.sector == SME].mean())
    record["multinational_member_at_end"] = float(member[orgs.sector == MULTINATIONAL].mean())
    record["window_component_sizes"] = [int(s) for s in component_sizes(model, NETWORK_WINDOW)]
    # The same network's links, for the degree-preserving null model (nulls.py).
    record["window_edges"] = sorted([int(a), int(b)] for a, b in
                                    partnership_network(model, NETWORK_WINDOW).edges())
    return record


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing) for the block."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class ArmCache:
    """Runs of each arm over SEEDS, computed once per session and shared between workers."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._memory: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, name: str) -> list[dict[str, Any]]:
        """Records of arm `name`, one per seed in SEEDS order."""
        if name not in ARMS:
            raise KeyError(f"arm={name!r}: known arms are {', '.join(ARMS)}")
        if name in self._memory:
            return self._memory[name]
        path = self.folder / f"{name}.json"
        with locked(self.folder / f"{name}.lock"):
            if path.exists():
                records = json.loads(path.read_text())
            else:
                records = [run_record(ARMS[name], seed) for seed in SEEDS]
                tmp = path.with_suffix(f".tmp{os.getpid()}")
                tmp.write_text(json.dumps(records))
                tmp.replace(path)
        self._memory[name] = records
        return records

    def values(self, name: str, key: str) -> np.ndarray:
        """One measure of arm `name`, one value per seed."""
        return np.array([record[key] for record in self(name)], dtype=np.float64)
