"""Sweep throughput: runs per minute with one and with two workers, and per-run overhead.

    python benchmarks/sweep_throughput.py [--runs 200] [--orgs 10000] [--steps 120]

Runs the same Hydra sweep (`python -m sim -m ... seed=range(0,RUNS)`) with 1 and 2 joblib
workers into fresh temporary results folders, and reports wall time, runs per minute and
the overhead per run outside the model (sweep wall time x workers / runs minus the mean
in-model time recorded in each run's provenance). Appends a row per setting to
benchmarks/results/sweep_throughput.csv with the machine it ran on.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

OUT = Path(__file__).resolve().parent / "results" / "sweep_throughput.csv"
REPO = Path(__file__).resolve().parent.parent


def measure(runs: int, orgs: int, steps: int, workers: int, overrides: Sequence[str] = (),
            timeout: float | None = None, env: dict[str, str] | None = None
            ) -> dict[str, float]:
    """Run one Hydra sweep of `runs` seeds on `workers` joblib workers; wall time and overhead.

    `overrides` are extra Hydra overrides (e.g. `platform=hybrid`, `model.trust=0.3`).
    Raises `subprocess.CalledProcessError` (with the sweep's stderr) or
    `subprocess.TimeoutExpired` if the sweep fails or takes longer than `timeout` seconds.
    """
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "sim", "-m", f"results_dir={tmp}",
                   f"model.n_orgs={orgs}", f"steps={steps}", f"seed=range(0,{runs})",
                   f"hydra.launcher.n_jobs={workers}", "progress=false", *overrides]
        start = time.perf_counter()
        # In its own session, so a timeout stops the sweep's workers too, not just its parent.
        with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, cwd=REPO, env=env, start_new_session=True) as sweep:
            try:
                _, stderr = sweep.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(sweep.pid, signal.SIGKILL)
                sweep.communicate()
                raise
        if sweep.returncode:
            raise subprocess.CalledProcessError(sweep.returncode, command, stderr=stderr)
        wall = time.perf_counter() - start
        model_times = [json.loads(p.read_text())["wall_time_s"]
                       for p in Path(tmp, "runs").glob("*/provenance.json")]
    if len(model_times) != runs:
        raise RuntimeError(f"sweep wrote {len(model_times)} runs, expected {runs}")
    mean_model = sum(model_times) / runs
    return {"workers": workers, "runs": runs, "orgs": orgs, "steps": steps,
            "wall_s": round(wall, 2), "runs_per_min": round(60 * runs / wall, 2),
            "mean_model_s": round(mean_model, 3),
            "overhead_per_run_s": round(wall * workers / runs - mean_model, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=120)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "sim.warmup"], check=True)
    try:
        rows = [measure(args.runs, args.orgs, args.steps, w) for w in (1, 2)]
    except subprocess.CalledProcessError as error:
        sys.exit(f"sweep failed (exit {error.returncode}):\n{error.stderr}")
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    new = not OUT.exists()
    with OUT.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["date", "machine", *rows[0]])
        if new:
            writer.writeheader()
        for row in rows:
            writer.writerow({"date": time.strftime("%Y-%m-%d"), "machine": machine, **row})
    for row in rows:
        print(row)
    print(f"speed-up with two workers: {rows[0]['wall_s'] / rows[1]['wall_s']:.2f}x")


if __name__ == "__main__":
    main()
