"""Compile every kernel into the numba cache once (`python -m sim.warmup`).

Run this before starting several processes (test workers, sweep jobs) so that they load
the cache instead of compiling at the same time.
"""

from __future__ import annotations

import time

from sim.model import PartnershipModel
from sim.params import ENGINES, PLATFORM_DESIGNS


def warm() -> float:
    """Build and step a tiny model of every design on every engine; return seconds taken."""
    start = time.perf_counter()
    for engine in ENGINES:
        for design in PLATFORM_DESIGNS:
            model = PartnershipModel(n_orgs=60, platform_design=design, engine=engine,
                                     event_partnering=True, rng=0)
            model.run(2)
    return time.perf_counter() - start


def main() -> None:
    seconds = warm()
    print(f"numba kernels ready ({seconds:.1f} s)")


if __name__ == "__main__":
    main()
