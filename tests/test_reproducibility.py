"""A run is reproducible from its folder alone; sweeps do not depend on workers or hashing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from sim.config import validate_command
from sim.reproduce import main as reproduce
from sim.runner import run_one


def test_a_run_reproduces_from_its_folder_and_tampering_is_caught(tmp_path, capsys) -> None:
    (settings,) = validate_command(["+debug=default", f"results_dir={tmp_path}", "seed=9",
                                    "platform=hybrid", "model.event_partnering=true"], False)
    run_dir = Path(run_one(settings)["run_dir"])
    assert reproduce([str(run_dir)]) == 0
    assert "identical" in capsys.readouterr().out
    steps = pd.read_parquet(run_dir / "steps.parquet")
    steps.loc[5, "formed"] += 1
    steps.to_parquet(run_dir / "steps.parquet", index=False)
    assert reproduce([str(run_dir)]) == 1
    assert "steps.parquet" in capsys.readouterr().out
    assert reproduce([str(tmp_path)]) == 2


def _sweep(results: Path, workers: int, hash_seed: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-m", "sim", "-m", "+debug=default",
                           f"results_dir={results}", "platform=none,per_goal", "seed=0,1",
                           f"hydra.launcher.n_jobs={workers}"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    (sweep,) = (results / "sweeps").iterdir()
    return (pd.read_parquet(sweep / "summaries.parquet"),
            pd.read_parquet(sweep / "steps.parquet"))


def test_sweep_tables_are_identical_with_one_or_two_workers_and_any_hash_seed(tmp_path) -> None:
    one = _sweep(tmp_path / "one", 1, "1")
    two = _sweep(tmp_path / "two", 2, "12345")
    for a, b in zip(one, two, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
