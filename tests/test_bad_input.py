"""Malformed input through both doors, PartnershipModel(...) and the command line.

Each case must be refused with one message naming the key, the value and what is allowed
(TypeError/ValueError in Python; exit status 2 and one line on the command line), before
any result file is written.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from sim import PartnershipModel
from sim.config import ConfigError, validate_command

# (parameter, Python value, command-line value, what the message must contain)
CASES = [
    ("n_orgs", 0, "0", "n_orgs=0: allowed range is 10..10000000"),
    ("n_orgs", -100, "-100", "n_orgs=-100: allowed range"),
    ("n_orgs", 2.5, "2.5", "n_orgs=2.5"),
    ("n_orgs", "many", "many", "n_orgs="),
    ("n_countries", 0, "0", "n_countries=0: allowed range is 1..500"),
    ("platform_design", "regional", "regional", "allowed values are none, national, per_goal"),
    ("platform_budget", -1.0, "-1.0", "platform_budget=-1.0: allowed range is 0.."),
    ("trust", 1.2, "1.2", "trust=1.2: allowed range is 0..1"),
    ("trust", -0.1, "-0.1", "trust=-0.1: allowed range is 0..1"),
    ("fragility", 2.0, "2.0", "fragility=2.0: allowed range is 0..1"),
    ("cultural_distance", float("nan"), "nan", "cultural_distance=nan"),
    ("donor_alignment", float("inf"), "inf", "donor_alignment=inf"),
    ("event_rate", 1.5, "1.5", "event_rate=1.5: allowed range is 0..1"),
    ("membership_review_rate", -0.5, "-0.5", "membership_review_rate=-0.5"),
    ("event_partnering", "yes", "maybe", "event_partnering="),
    ("ba_representation", 2, None, "ba_representation=2"),  # OmegaConf reads 2 as true
    ("sector_shares", (0.5, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0), "[0.5,0.5,0.5,0,0,0,0]",
     "shares must sum to 1"),
    ("sector_shares", (0.5, 0.5), "[0.5,0.5]", "expected 7 values"),
    ("sector_shares", (1.2, -0.2, 0, 0, 0, 0, 0), "[1.2,-0.2,0,0,0,0,0]",
     "sector_shares[sme]=1.2: allowed range is 0..1"),
    ("skill", (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1.5), "[0.1,0.2,0.3,0.4,0.5,0.6,1.5]",
     "skill[academia]=1.5: allowed range is 0..1"),
    ("bandwidth", (1.0, 8.0, 3.0, 6.0, 4.0, 3.0, -2.0), "[1,8,3,6,4,3,-2]",
     "bandwidth[academia]=-2"),
    ("search_rate", 0.3, "0.3", "search_rate=0.3: expected a list of 7 numbers"),
    ("max_members", 2, "2", "max_members=2: allowed range is 3..8"),
    ("max_members", 9, "9", "max_members=9: allowed range is 3..8"),
    ("partnership_cost", 0.0, "0.0", "partnership_cost=0.0: allowed range is 0.01..100"),
    ("objective_months", 0.5, "0.5", "objective_months=0.5: allowed range is 1.."),
    ("broker_candidates", 0, "0", "broker_candidates=0: allowed range is 1..50"),
    ("n_priority_goals", 18, "18", "n_priority_goals=18: allowed range is 1..17"),
    ("health_floor", 1.5, "1.5", "health_floor=1.5: allowed range is 0..1"),
    ("capacity_building_share", 1.1, "1.1", "capacity_building_share=1.1"),
    ("colour", "blue", "blue", "colour"),
    ("goal_matrix_path", 7, None, "goal_matrix_path=7: expected a file path or None"),
    ("world", 7, None, "world=7: expected a shipped world's name, a file path or None"),
    ("world", "atlantis", "atlantis", "world='atlantis': no shipped world of that name"),
    ("world_scale", 0.0, "0", "world_scale=0"),
    ("national_budget_split", "lottery", "lottery",
     "national_budget_split='lottery': allowed values are even, by_orgs, by_need"),
]
CLI_ONLY = [
    ("engine=cuda", "engine='cuda': allowed values are numba, mesa"),
    ("platform=regional", "platform='regional': allowed values are hybrid, national"),
    ("country=atlantis", "country='atlantis': allowed values are baseline"),
    ("population=galaxy", "population='galaxy': allowed values are country"),
    ("+experiment=nothing", "experiment='nothing': allowed values are"),
    ("seed=-1", "seed=-1: allowed range is 0.."),
    ("steps=abc", "steps=abc: expected an integer"),
    ("progress=sometimes", "progress=sometimes: expected true or false"),
    ("colour=3", "colour: unknown key"),
    ("world=atlantis", "world='atlantis': allowed values are none, synthetic_1"),
    ("model.capacity_building_share=0.7 model.convening_share=0.6",
     "capacity_building_share + convening_share = 1.3"),
]


@pytest.mark.parametrize(("key", "value", "_cli", "message"), CASES)
def test_python_door(key, value, _cli, message) -> None:
    with pytest.raises((TypeError, ValueError)) as err:
        PartnershipModel(**{key: value})
    assert message in str(err.value)
    assert len(str(err.value).splitlines()) == 1


@pytest.mark.parametrize(("key", "_py", "value", "message"),
                         [c for c in CASES if c[2] is not None])
def test_command_line_door(key, _py, value, message) -> None:
    with pytest.raises(ConfigError) as err:
        validate_command([f"model.{key}={value}"], multirun=False)
    assert message in str(err.value)
    assert str(err.value).startswith(f"model.{key}")
    assert len(str(err.value).splitlines()) == 1


@pytest.mark.parametrize(("overrides", "message"), CLI_ONLY)
def test_command_line_only_cases(overrides, message) -> None:
    with pytest.raises(ConfigError) as err:
        validate_command(overrides.split(), multirun=False)
    assert message in str(err.value)
    assert len(str(err.value).splitlines()) == 1


def _bad_matrix(tmp_path, name: str, matrix) -> str:
    path = tmp_path / name
    np.savetxt(path, matrix, delimiter=",", header=",".join(["g"] * np.shape(matrix)[1]),
               comments="")
    return str(path)


def test_bad_input_files_through_both_doors(tmp_path) -> None:
    unreadable = tmp_path / "folder.csv"
    unreadable.mkdir()
    files = {
        str(tmp_path / "missing.csv"): "cannot read the file",
        str(unreadable): "cannot read the file",
        _bad_matrix(tmp_path, "shape.csv", np.zeros((17, 16))): "expected a 17x17 matrix",
        _bad_matrix(tmp_path, "range.csv", np.full((17, 17), -5.0)): "within -3..3",
    }
    for path, message in files.items():
        with pytest.raises(ValueError, match=message):
            PartnershipModel(goal_matrix_path=path)
        with pytest.raises(ConfigError, match=f"model.goal_matrix_path='{path}'.*{message}"):
            validate_command([f"model.goal_matrix_path={path}"], multirun=False)


def test_unwritable_results_folder_is_refused_before_work(tmp_path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="is a file, not a folder"):
        validate_command([f"results_dir={blocker / 'results'}"], multirun=False)
    done = subprocess.run([sys.executable, "-m", "sim", "+debug=default",
                           f"results_dir={blocker / 'results'}"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "results_dir=" in done.stderr


def test_enough_cases() -> None:
    assert len(CASES) + len(CLI_ONLY) + 5 >= 30
