"""The goal-interaction matrix: illustrative default pattern, user files, bad files."""

from __future__ import annotations

import numpy as np
import pytest

from sim import PartnershipModel
from sim.goals import N_GOALS, load_goal_matrix


def test_default_matrix_follows_the_published_aggregate_pattern() -> None:
    m = load_goal_matrix()
    assert m.shape == (N_GOALS, N_GOALS)
    assert m.min() >= -3 and m.max() <= 3
    assert np.all(np.diag(m) == 0)
    assert (m > 0).sum() > 2 * (m < 0).sum()  # synergies outnumber trade-offs
    assert m.sum(axis=1).argmax() == 0  # goal 1 (poverty) is the most synergistic
    assert (m < 0).sum(axis=1).argmax() == 11  # goal 12 carries the most trade-offs


def _write(path, matrix) -> str:
    header = ",".join(f"g{k}" for k in range(np.asarray(matrix).shape[1]))
    np.savetxt(path, matrix, delimiter=",", header=header, comments="")
    return str(path)


def test_user_matrix_is_loaded_and_used(tmp_path) -> None:
    zeros = _write(tmp_path / "zeros.csv", np.zeros((N_GOALS, N_GOALS)))
    model = PartnershipModel(n_orgs=300, goal_matrix_path=zeros, rng=0)
    model.run(30)
    table = model.datacollector.get_model_vars_dataframe()
    assert table["outcome_direct"].iloc[-1] > 0
    assert table["outcome_indirect"].iloc[-1] == 0.0


@pytest.mark.parametrize(("content", "message"), [
    (np.ones((16, 17)), r"expected a 17x17 matrix, got shape 16x17"),
    (np.full((17, 17), 4.0), r"scores must be finite and within -3\.\.3"),
])
def test_bad_matrix_files_are_rejected(tmp_path, content, message) -> None:
    path = _write(tmp_path / "bad.csv", content)
    with pytest.raises(ValueError, match=f"goal_matrix_path='{path}'.*{message}"):
        PartnershipModel(goal_matrix_path=path)


def test_missing_or_unparsable_matrix_file(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"goal_matrix_path=.*cannot read the file"):
        PartnershipModel(goal_matrix_path=str(tmp_path / "missing.csv"))
    text = tmp_path / "text.csv"
    text.write_text("a,b\nx,y\n")
    with pytest.raises(ValueError, match=r"goal_matrix_path=.*not a CSV of numbers"):
        PartnershipModel(goal_matrix_path=str(text))
