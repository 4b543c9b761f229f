"""The identical twin at small size, on the real model: `python -m sim.calibration --size small`.

Pseudo-targets are generated from a known parameter set (configs/calibration/small.yaml,
`twin.truth`): ranges around the mean of its outputs over 8 runs with seeds no calibration run
uses. The calibration must put the truth inside the stated (95%) interval of every parameter
the targets identify, identify some, and not claim to identify `spillover_value_chain`, which
moves only indirect outcomes, an output no target uses. Then the review notebook
`calibration.py` runs on its outputs and draws its figures. A few minutes on one core.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_notebooks import REPO, _execute, _outputs
from validation.arms import locked

from sim.calibration import load_plan, load_posterior
from sim.params import make_params


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small calibration's folder, made once per session (shared between xdist workers)."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "calibration_twin"
    root.mkdir(parents=True, exist_ok=True)
    folder = root / "out" / "twin_small"
    with locked(root / "twin.lock"):
        if not (folder / "diagnostics" / "summary.json").is_file():
            done = subprocess.run([sys.executable, "-m", "sim.calibration", "--size", "small",
                                   "--out", str(root / "out")], capture_output=True, text=True,
                                  timeout=1500, cwd=REPO)
            assert done.returncode == 0, done.stderr[-3000:]
    return folder


def test_the_twin_recovers_the_truth_for_the_parameters_its_targets_identify(twin: Path) -> None:
    params = pd.read_csv(twin / "diagnostics" / "parameters.csv").set_index("parameter")
    truth = load_plan("small").twin["truth"]
    assert set(params.index) == set(truth)
    identified = params[params["identified"]]
    assert len(identified) >= 2, params
    assert identified["truth_inside"].all(), identified[["interval", "truth", "truth_inside"]]
    for name, row in identified.iterrows():
        if row["kind"] != "choice":
            assert row["lower"] <= truth[name] <= row["upper"], (name, row)
            assert row["width_ratio"] < 0.75
    assert not params.loc["spillover_value_chain", "identified"]


def test_the_twin_ensemble_reproduces_its_targets_with_fresh_seeds(twin: Path) -> None:
    ppc = pd.read_csv(twin / "diagnostics" / "posterior_predictive.csv")
    assert len(ppc) == len(load_plan("small").twin["outputs"])
    assert (ppc["posterior_share_inside"] >= 0.5).all(), ppc
    assert (ppc["posterior_share_inside"] >= ppc["prior_share_inside"]).all(), ppc
    assert ppc["posterior_share_inside"].mean() > ppc["prior_share_inside"].mean() + 0.2


def test_the_twin_posterior_loads_by_name_with_its_provenance(twin: Path) -> None:
    post = load_posterior("twin_small", twin.parent)
    info = post.provenance
    digest = hashlib.sha256((twin / "twin_targets.yaml").read_bytes()).hexdigest()
    assert info["targets_digest"] == digest and info["targets_file"].endswith("twin_targets.yaml")
    assert info["method"]["abc_result"]["reached_min_epsilon"]
    assert info["wall_time_s"] > 0 and info["seconds_per_run"] > 0
    assert abs(post.sets["weight"].sum() - 1) < 1e-9
    for kwargs in post.model_kwargs()[:5]:
        make_params(**kwargs)
    assert "ILLUSTRATIVE" not in (twin / "twin_targets.yaml").read_text()
    assert "not sourced facts" in (twin / "twin_targets.yaml").read_text()


def test_the_calibration_notebook_draws_the_twin_diagnostics(twin: Path, tmp_path: Path) -> None:
    nb = _execute(REPO / "notebooks" / "calibration.py", twin, tmp_path / "out")
    images, text, errors = _outputs(nb)
    assert not errors, errors
    assert str(twin.resolve()) in text
    assert len(images) == 5, f"{len(images)} figures"
    assert all(image.startswith(b"\x89PNG") and len(image) > 5_000 for image in images)
    assert "truth inside every identified parameter's interval: **True**" in text


def test_the_calibration_notebook_notes_a_missing_calibration(tmp_path: Path) -> None:
    nb = _execute(REPO / "notebooks" / "calibration.py", tmp_path / "nowhere", tmp_path / "out")
    images, text, errors = _outputs(nb)
    assert not errors and not images, errors
    assert "No calibration in" in text
