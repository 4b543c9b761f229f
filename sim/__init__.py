"""Agent-based model of cross-sector partnership ecosystems for the SDGs (Mesa + numba).

Public API: `PartnershipModel`, the agent classes, `run_summary`, `country_summary`,
`make_params`, `shipped_worlds`.
"""

from sim.python_check import require_supported_python

require_supported_python()  # before Mesa, which fails on Python < 3.12 without saying why

from sim.agents import (  # noqa: E402
    NGO,
    SME,
    Academia,
    BusinessAssociation,
    Donor,
    Government,
    Multinational,
    Organisation,
    Partnership,
    Platform,
)
from sim.countries import country_summary  # noqa: E402
from sim.metrics import STEP_METRICS, run_summary  # noqa: E402
from sim.model import PartnershipModel  # noqa: E402
from sim.params import END_CAUSES, PLATFORM_DESIGNS, SECTORS, Params, make_params  # noqa: E402
from sim.worlds import shipped_worlds  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "PartnershipModel", "Organisation", "SME", "Multinational", "NGO", "Donor", "Government",
    "BusinessAssociation", "Academia", "Platform", "Partnership", "run_summary", "make_params",
    "Params", "STEP_METRICS", "END_CAUSES", "PLATFORM_DESIGNS", "SECTORS", "country_summary",
    "shipped_worlds",
]
