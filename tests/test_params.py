"""Parameter validation: each bad value gets a message naming key, value and what is allowed."""

from __future__ import annotations

import pytest

from sim import PartnershipModel, make_params
from sim.params import PARAM_FIELDS, Params, parameter_table

BAD_VALUES = [
    ({"n_orgs": 0}, ValueError, r"n_orgs=0: allowed range is 10\.\.10000000"),
    ({"n_orgs": -5}, ValueError, r"n_orgs=-5"),
    ({"n_orgs": 12.5}, TypeError, r"n_orgs=12\.5: expected an integer"),
    ({"n_orgs": "many"}, TypeError, r"n_orgs='many': expected an integer"),
    ({"n_countries": 0}, ValueError, r"n_countries=0"),
    ({"platform_design": "regional"}, ValueError,
     r"platform_design='regional': allowed values are none, national, per_goal, hybrid"),
    ({"engine": "cuda"}, ValueError, r"engine='cuda': allowed values are numba, mesa"),
    ({"trust": 1.5}, ValueError, r"trust=1\.5: allowed range is 0\.\.1"),
    ({"fragility": -0.1}, ValueError, r"fragility=-0\.1"),
    ({"donor_alignment": float("nan")}, ValueError, r"donor_alignment=nan: must be finite"),
    ({"event_partnering": "yes"}, TypeError, r"event_partnering='yes': expected true or false"),
    ({"ba_representation": 1}, TypeError, r"ba_representation=1: expected true or false"),
    ({"sector_shares": (0.5, 0.5, 0.5, 0, 0, 0, 0)}, ValueError,
     r"sector_shares=.*shares must sum to 1"),
    ({"sector_shares": (0.5, 0.5)}, ValueError, r"sector_shares=.*expected 7 values"),
    ({"bandwidth": 3.0}, TypeError, r"bandwidth=3\.0: expected a list of 7 numbers"),
    ({"skill": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1.7)}, ValueError,
     r"skill\[academia\]=1\.7: allowed range is 0\.\.1"),
    ({"capacity_building_share": 0.7, "convening_share": 0.6}, ValueError,
     r"capacity_building_share \+ convening_share = 1\.3: must be at most 1"),
    ({"max_members": 2}, ValueError, r"max_members=2: allowed range is 3\.\.8"),
    ({"colour": "blue"}, TypeError, r"unknown parameter 'colour'; known parameters are: n_orgs"),
    ({"goal_matrix_path": 5}, TypeError, r"goal_matrix_path=5: expected a file path or None"),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), BAD_VALUES)
def test_bad_values_are_rejected_with_a_clear_message(kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        make_params(**kwargs)
    with pytest.raises(error, match=message):
        PartnershipModel(**kwargs)


def test_defaults_are_valid_and_round_trip() -> None:
    defaults = make_params()
    assert defaults == Params()
    assert make_params(**{name: getattr(defaults, name) for name in PARAM_FIELDS}) == defaults


def test_model_takes_keyword_parameters_only() -> None:
    with pytest.raises(TypeError):
        PartnershipModel(1000)  # type: ignore[misc]


def test_every_parameter_is_documented() -> None:
    for row in parameter_table():
        assert row["meaning"] and row["why"] and row["range"], row["name"]


def test_numpy_numbers_are_accepted() -> None:
    import numpy as np

    params = make_params(n_orgs=np.int64(500), trust=np.float64(0.4))
    assert params.n_orgs == 500 and isinstance(params.n_orgs, int)
