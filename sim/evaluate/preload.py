"""Loads the compiled kernels of the numba engine into this process (from the numba cache)
by running a tiny model, once: the local backend imports it before forking its workers, so
each starts with them in memory."""

from __future__ import annotations

from sim.model import PartnershipModel

PartnershipModel(n_orgs=60, platform_design="hybrid", event_partnering=True, rng=0).run(2)
