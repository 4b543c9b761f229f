"""A run is reproducible from its record alone; results do not depend on workers or hashing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from sim.config import validate_command
from sim.evaluate import read_steps, read_summary
from sim.reproduce import main as reproduce
from sim.runner import run_single


def test_a_run_reproduces_from_its_record_and_tampering_is_caught(tmp_path, capsys) -> None:
    (settings,) = validate_command(["+debug=default", f"results_dir={tmp_path}", "seed=9",
                                    "platform=hybrid", "model.event_partnering=true"], False)
    run_dir, _ = run_single(settings)
    assert reproduce([str(run_dir)]) == 0
    assert "reproduced exactly" in capsys.readouterr().out
    (part,) = (run_dir / "steps").glob("*.parquet")
    steps = pd.read_parquet(part)
    steps.loc[5, "formed"] += 1
    pq.write_table(pq.read_table(part).set_column(
        steps.columns.get_loc("formed"), "formed", [steps["formed"].to_numpy()]), part)
    assert reproduce([str(run_dir)]) == 1
    assert "steps" in capsys.readouterr().out
    assert reproduce([str(tmp_path)]) == 2
    assert reproduce([str(run_dir), "--run-key", "nope"]) == 2


def _sweep(results: Path, workers: int, hash_seed: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-m", "sim", "-m", "+debug=default",
                           f"results_dir={results}", "platform=none,per_goal,staged",
                           "seed=0,1", "model.staged_start_month=6", "model.staff_ramp_months=4",
                           "model.expertise_start_share=0.5", "model.expertise_gain=0.05",
                           "model.expertise_decay=0.01",
                           f"hydra.launcher.n_jobs={workers}"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    (sweep,) = (results / "sweeps").iterdir()
    order = ["platform", "seed"]
    summary = read_summary(sweep).sort_values(order).reset_index(drop=True)
    steps = read_steps(sweep).sort_values(["run_key", "step"]).reset_index(drop=True)
    return summary, steps


def test_sweep_tables_are_identical_with_one_or_two_workers_and_any_hash_seed(tmp_path) -> None:
    one = _sweep(tmp_path / "one", 1, "1")
    two = _sweep(tmp_path / "two", 2, "12345")
    for a, b in zip(one, two, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert reproduce([str(next((tmp_path / "two" / "sweeps").iterdir())), "--all"]) == 0
