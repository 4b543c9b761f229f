"""Batch throughput: the evaluation layer against a bare model loop, side by side in one run.

    python benchmarks/sweep_throughput.py [--runs 1000] [--orgs 300] [--steps 120]
                                          [--big-runs 120] [--big-orgs 10000] [--csv FILE]

Measures, on the benchmark scenario (every mechanism on) and the same seeds:

1. the bare loop, `PartnershipModel(**params, rng=seed).run(steps)` for each run in this
   process, and `sim.evaluate.evaluate` on one worker (in this process, writing a dataset
   with the monthly table), interleaved block by block so both see the same machine load:
   the fixed cost per run is (evaluate - bare) / runs, the rate ratio bare / evaluate;
2. `evaluate` on two workers over the same runs (its fork server started beforehand, a
   cost paid once per process): two-worker throughput over one-worker throughput;
3. `python -m sim -m ... hydra.launcher.n_jobs=2` over the same runs, timed from process
   start to exit (Hydra composition, validation, kernel loading included), against the
   bare loop's wall time on one core;
4. one and two workers again at `--big-orgs` organisations (`--big-runs` runs, alternating
   1, 2, 1, 2 workers).

Prints every figure next to its target and appends the rows to benchmarks/results/
batch_throughput.csv (or --csv) with the date, machine and load average.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "batch_throughput.csv"  # (sweep_throughput.csv: old Hydra sweeps)
REPO = HERE.parent

TARGET_FIXED_COST_MS = 20.0
TARGET_RATE = 0.80          # one worker against the bare loop
TARGET_CLI_WALL = 1.0       # python -m sim -m on two workers, wall over the bare loop's
TARGET_SPEEDUP = 1.85       # two workers over one

COLUMNS = ["measurement", "orgs", "runs", "steps", "workers", "status", "error", "wall_s",
           "runs_per_s", "fixed_cost_ms", "ratio", "note"]


def scenario(n_orgs: int) -> dict[str, Any]:
    """The benchmark suite's scenario (every mechanism on) at `n_orgs` organisations."""
    sys.path.insert(0, str(HERE))
    from suite import scenario_for  # a sibling script

    return scenario_for(n_orgs)


def _batch(params: dict[str, Any], seeds: range):
    import pandas as pd

    return pd.DataFrame([{**params, "seed": s} for s in seeds])


def bare_loop(params: dict[str, Any], seeds: range, steps: int) -> float:
    """Seconds for the bare model loop over `seeds`, in this process."""
    from sim.model import PartnershipModel

    started = time.perf_counter()
    for seed in seeds:
        PartnershipModel(rng=seed, **params).run(steps)
    return time.perf_counter() - started


def evaluated(params: dict[str, Any], seeds: range, steps: int, workers: int) -> float:
    """Seconds for `evaluate` over `seeds` into a fresh dataset (monthly table kept)."""
    from sim.evaluate import run_batch

    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        started = time.perf_counter()
        result = run_batch(_batch(params, seeds), steps=steps, out=folder / "d",
                           workers=workers, per_step=True)
        wall = time.perf_counter() - started
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if result.ran != len(seeds):
        raise RuntimeError(f"evaluate made {result.ran} runs, expected {len(seeds)}")
    return wall


def hydra_overrides(params: dict[str, Any]) -> list[str]:
    sys.path.insert(0, str(HERE))
    from suite import hydra_overrides as overrides

    return overrides(params)


def cli_sweep(params: dict[str, Any], runs: int, steps: int, workers: int,
              timeout: float | None = None, env: dict[str, str] | None = None) -> float:
    """Seconds of `python -m sim -m` over `runs` seeds on `workers` workers, start to exit."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "sim", "-m", f"results_dir={tmp}", f"steps={steps}",
                   f"seed=range(0,{runs})", f"hydra.launcher.n_jobs={workers}",
                   "progress=false", *hydra_overrides(params)]
        started = time.perf_counter()
        with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, cwd=REPO, env=env, start_new_session=True) as sweep:
            try:
                _, stderr = sweep.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(sweep.pid, signal.SIGKILL)
                sweep.communicate()
                raise
        wall = time.perf_counter() - started
        if sweep.returncode:
            raise subprocess.CalledProcessError(sweep.returncode, command, stderr=stderr)
    return wall


def _row(measurement: str, orgs: int, runs: int, steps: int, workers: int, wall: float,
         **extra: Any) -> dict[str, Any]:
    return {"measurement": measurement, "orgs": orgs, "runs": runs, "steps": steps,
            "workers": workers, "status": "ok", "error": "", "wall_s": round(wall, 3),
            "runs_per_s": round(runs / wall, 3), "fixed_cost_ms": "", "ratio": "", "note": "",
            **extra}


def measure_all(runs: int = 1000, orgs: int = 300, steps: int = 120, big_runs: int = 120,
                big_orgs: int = 10_000, blocks: int = 4, timeout: float | None = None,
                env: dict[str, str] | None = None, log=print) -> list[dict[str, Any]]:
    """Every measurement of the module docstring; one row each (see COLUMNS)."""
    from sim.evaluate import run_batch

    params = scenario(orgs)
    # Kernels loaded here and the fork server of the local backend started: once-per-process
    # costs, kept out of the timed runs (the command-line sweep below pays them all).
    run_batch(_batch(scenario(60), range(2)), steps=2, workers=2)
    bare = one = 0.0
    size = -(-runs // blocks)
    for start in range(0, runs, size):
        seeds = range(start, min(start + size, runs))
        bare += bare_loop(params, seeds, steps)
        one += evaluated(params, seeds, steps, 1)
    log(f"  bare loop {runs} x {orgs} orgs: {bare:.1f} s; evaluate, 1 worker: {one:.1f} s")
    rows = [_row("bare_loop", orgs, runs, steps, 1, bare),
            _row("evaluate", orgs, runs, steps, 1, one,
                 fixed_cost_ms=round(1000 * (one - bare) / runs, 2), ratio=round(bare / one, 3),
                 note="ratio: bare loop's wall / this wall (its rate relative to the loop)")]
    two = evaluated(params, range(runs), steps, 2)
    log(f"  evaluate, 2 workers: {two:.1f} s")
    rows.append(_row("evaluate", orgs, runs, steps, 2, two, ratio=round(one / two, 3),
                     note="ratio: throughput over one worker's"))
    try:
        cli = cli_sweep(params, runs, steps, 2, timeout, env)
        log(f"  python -m sim -m, 2 workers: {cli:.1f} s")
        rows.append(_row("python -m sim -m", orgs, runs, steps, 2, cli,
                         ratio=round(cli / bare, 3),
                         note="ratio: wall over the bare loop's (one core)"))
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        tail = " | ".join(str(getattr(err, "stderr", "") or err).strip().splitlines()[-3:])
        rows.append({**_row("python -m sim -m", orgs, runs, steps, 2, 1.0), "status": "error",
                     "error": tail[:400], "wall_s": "", "runs_per_s": ""})
    if big_runs:
        big = scenario(big_orgs)
        half = -(-big_runs // 2)
        walls = {1: 0.0, 2: 0.0}
        for start in range(0, big_runs, half):
            seeds = range(start, min(start + half, big_runs))
            for workers in (1, 2):
                walls[workers] += evaluated(big, seeds, steps, workers)
        log(f"  {big_orgs} orgs: 1 worker {walls[1]:.1f} s, 2 workers {walls[2]:.1f} s")
        rows.append(_row("evaluate", big_orgs, big_runs, steps, 1, walls[1]))
        rows.append(_row("evaluate", big_orgs, big_runs, steps, 2, walls[2],
                         ratio=round(walls[1] / walls[2], 3),
                         note="ratio: throughput over one worker's"))
    return rows


def targets(rows: list[dict[str, Any]]) -> list[tuple[str, str, str, bool | None]]:
    """(figure, measured, target, met) for every target of the evaluation layer."""
    def find(measurement: str, workers: int, orgs: int | None = None):
        return next((r for r in rows if r["measurement"] == measurement
                     and r["workers"] == workers and r["status"] == "ok"
                     and (orgs is None or r["orgs"] == orgs)), None)

    out = []
    one = find("evaluate", 1, rows[0]["orgs"] if rows else None)
    if one:
        out.append((f"fixed cost per run on top of the model ({one['orgs']} orgs)",
                    f"{one['fixed_cost_ms']} ms", f"<= {TARGET_FIXED_COST_MS:g} ms",
                    one["fixed_cost_ms"] <= TARGET_FIXED_COST_MS))
        out.append((f"{one['runs']} runs on one worker, rate relative to the bare loop",
                    f"{one['ratio']:.0%}", f">= {TARGET_RATE:.0%}", one["ratio"] >= TARGET_RATE))
    cli = find("python -m sim -m", 2)
    if cli:
        out.append(("python -m sim -m on two workers, wall over the bare loop's (one core)",
                    f"{cli['ratio']:.2f}", f"<= {TARGET_CLI_WALL:g}",
                    cli["ratio"] <= TARGET_CLI_WALL))
    for r in rows:
        if r["measurement"] == "evaluate" and r["workers"] == 2 and r["status"] == "ok":
            out.append((f"two workers / one, {r['orgs']:,} orgs", f"{r['ratio']:.2f}x",
                        f">= {TARGET_SPEEDUP:g}x", r["ratio"] >= TARGET_SPEEDUP))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--orgs", type=int, default=300)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--big-runs", type=int, default=120)
    parser.add_argument("--big-orgs", type=int, default=10_000)
    parser.add_argument("--blocks", type=int, default=4,
                        help="blocks the bare loop and one worker alternate in")
    parser.add_argument("--csv", type=Path, default=OUT)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows = measure_all(args.runs, args.orgs, args.steps, args.big_runs, args.big_orgs,
                       args.blocks)
    machine = (f"{platform.machine()} {os.cpu_count()} cores, Python "
               f"{platform.python_version()}, load {load:.2f} -> {os.getloadavg()[0]:.2f}")
    args.csv.parent.mkdir(parents=True, exist_ok=True)
    new = not args.csv.exists()
    with args.csv.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["date", "machine", *COLUMNS])
        if new:
            writer.writeheader()
        for row in rows:
            writer.writerow({"date": time.strftime("%Y-%m-%d"), "machine": machine, **row})
    print(f"machine: {machine}")
    for figure, measured, target, ok in targets(rows):
        print(f"{figure}: {measured} (target {target}: {'met' if ok else 'NOT met'})")


if __name__ == "__main__":
    main()
