"""Larger runs (marked slow; `make test-all`): scale and longer engine agreement."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import PartnershipModel
from sim.invariants import invariant_violations


@pytest.mark.slow
def test_hundred_thousand_organisations_run_and_stay_sound() -> None:
    model = PartnershipModel(n_orgs=100_000, platform_design="hybrid", platform_budget=2000.0,
                             event_partnering=True, rng=0)
    for _ in range(24):
        model.step()
    assert not invariant_violations(model)
    assert model.summary()["formed"] > 10_000


@pytest.mark.slow
@pytest.mark.parametrize("design", ["national", "per_goal"])
def test_engines_agree_over_a_full_length_run(design: str) -> None:
    tables = []
    for engine in ("numba", "mesa"):
        model = PartnershipModel(n_orgs=1500, n_countries=2, platform_design=design,
                                 engine=engine, event_partnering=True, ba_representation=True,
                                 collective_action=0.2, rng=4)
        for _ in range(120):
            model.step()
        tables.append(model.datacollector.get_model_vars_dataframe())
    pd.testing.assert_frame_equal(tables[0], tables[1], check_exact=True)
