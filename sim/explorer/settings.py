"""Server-wide settings of the explorer, passed from `python -m sim.explorer` to the app."""

from __future__ import annotations

import os

N_ORGS_ENV = "SIM_EXPLORER_N_ORGS"
DEFAULT_N_ORGS = 10_000
MIN_N_ORGS, MAX_N_ORGS = 500, 20_000


def parse_n_orgs(text: str) -> int:
    """Return `text` as a population size MIN_N_ORGS..MAX_N_ORGS, or raise ValueError."""
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ValueError(f"n_orgs={text!r}: expected an integer "
                         f"{MIN_N_ORGS}..{MAX_N_ORGS}") from None
    if not MIN_N_ORGS <= value <= MAX_N_ORGS:
        raise ValueError(f"n_orgs={value}: allowed range is {MIN_N_ORGS}..{MAX_N_ORGS}")
    return value


def initial_n_orgs() -> int:
    """Population the first model of a session starts with ($SIM_EXPLORER_N_ORGS or 10^4)."""
    text = os.environ.get(N_ORGS_ENV)
    return DEFAULT_N_ORGS if text is None else parse_n_orgs(text)
