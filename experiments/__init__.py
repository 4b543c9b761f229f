"""Experiment drivers, one module per policy question: `python -m experiments <name>`.

Each driver runs its Hydra sweep (`configs/experiment/<name>.yaml`), collects it and
writes tables and figures into `results/<name>/`; `experiments.readout` turns those into
`docs/readout.md`.
"""

from __future__ import annotations

EXPERIMENTS: tuple[str, ...] = ("platform_designs", "sme_access", "capacity_building",
                                "events", "collective_action")
