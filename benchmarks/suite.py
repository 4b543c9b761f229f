"""Benchmark suite: both engines on the same scenario and seed, figures next to their targets.

    python benchmarks/suite.py                       # the full suite (make benchmark)
    python benchmarks/suite.py --quick --out /tmp/b  # tiny sizes, seconds to a minute
    python benchmarks/suite.py --sizes 1000,10000 --steps 24 --skip-sweep --skip-cold

Measures, each (engine, size) in its own fresh process with NUMBA_NUM_THREADS=1:
organisation-steps per second against population size (numba engine at every size, the
Mesa engine up to `--mesa-max`), set-up time apart from stepping, and peak memory per
organisation; the Mesa / numba step-time ratio (the speed-up) with both engines side by side in one
process (and whether their step tables are identical); the time a new process takes to
its first step with an empty numba cache (cold) and with a warm one, and the time of
`sim.warmup.warm()`; and batch throughput (benchmarks/sweep_throughput.py): the
evaluation layer against a bare model loop, one and two workers, `python -m sim -m`.
Writes `engine.csv`, `ratio.csv`, `startup.csv`, `sweep.csv`, `step_times.csv` (every
measured step), `machine.json`, `summary.md` (every figure next to its target) and
`speed.png` into
`benchmarks/results/<date>-<machine tag>/` (or `--out`). A measurement that fails or
times out becomes a row with its error; the suite then exits 1. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import sweep_throughput  # noqa: E402  (a sibling script, not a package)

PROBE = HERE / "probe.py"
MARKER = "BENCH_RESULT "
GIB = 1024 ** 3

# "Every mechanism switched on": the one scenario every measurement runs.
BENCH_SCENARIO: dict[str, Any] = {
    "n_countries": 1,
    "platform_design": "hybrid",
    "event_partnering": True,
    "ba_representation": True,
    "capacity_building_share": 0.3,
    "donor_alignment": 0.5,
    "collective_action": 0.5,
}
# Platform staff grow with the population (the default: 20 staff for 1,000 organisations),
# so every size has the same platform activity per organisation.
BUDGET_PER_1000_ORGS = 20.0
SEED = 0

# The targets (2-core machine, one thread for engine figures).
TARGET_ORG_STEPS = {100_000: 10e6, 1_000_000: 3e6}
TARGET_RATIO = 100.0
TARGET_RATIO_ORGS = 10_000
TARGET_RUN = (1_000_000, 120, 60.0)  # organisations, steps, seconds including set-up
TARGET_PEAK_BYTES = (1_000_000, 1.5 * GIB)
TARGET_WARM_FIRST_STEP_S = 2.0

QUICK = {"sizes": "300,1000", "steps": 5, "mesa_max": 1000, "mesa_steps": 3,
         "sweep_runs": 4, "sweep_orgs": 300, "sweep_steps": 5, "sweep_big_runs": 2,
         "sweep_big_orgs": 1000, "startup_orgs": 300, "warm_repeats": 1, "skip_cold": True}

ENGINE_COLUMNS = [
    "engine", "n_orgs", "steps", "seed", "status", "error", "setup_s", "first_step_s",
    "step_median_s", "step_total_s", "org_steps_per_s_median", "org_steps_per_s_mean",
    "run_s", "spawn_to_first_step_s", "process_wall_s", "import_s", "prewarm_s",
    "peak_rss_bytes", "baseline_rss_bytes", "bytes_per_org", "bytes_per_org_above_baseline",
    "formed", "code", "note"]
RATIO_COLUMNS = [
    "n_orgs", "steps", "seed", "status", "error", "numba_step_median_s", "mesa_step_median_s",
    "ratio", "identical", "difference", "formed", "note"]
STARTUP_COLUMNS = [
    "kind", "repeat", "n_orgs", "cache", "status", "error", "spawn_to_first_step_s",
    "import_s", "setup_s", "first_step_s", "warmup_s", "process_wall_s", "note"]
STEP_COLUMNS = ["measurement", "engine", "n_orgs", "step", "seconds"]
SWEEP_COLUMNS = sweep_throughput.COLUMNS


def scenario_for(n_orgs: int) -> dict[str, Any]:
    """The benchmark scenario's model parameters at `n_orgs` organisations."""
    return {**BENCH_SCENARIO, "n_orgs": n_orgs,
            "platform_budget": BUDGET_PER_1000_ORGS * n_orgs / 1000}


def hydra_overrides(params: dict[str, Any]) -> list[str]:
    """Hydra command-line overrides that set these model parameters (platform as its group)."""
    overrides = []
    for key, value in params.items():
        if key == "platform_design":
            overrides.append(f"platform={value}")
        elif isinstance(value, bool):
            overrides.append(f"model.{key}={str(value).lower()}")
        else:
            overrides.append(f"model.{key}={value}")
    return overrides


def child_env(cache_dir: str | None = None, tree: Path | None = None) -> dict[str, str]:
    """Environment of a measuring process: one thread, the numba cache to use and, for a
    baseline, the source tree to import `sim` from."""
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
        env["NUMBA_CACHE_DIR"] = str(tree / ".numba_cache")
    return env


class Baseline:
    """Another commit of this repository checked out in a temporary git worktree, its
    kernels compiled into its own numba cache, so the suite can measure it side by side
    with the current code (`--baseline REV`)."""

    def __init__(self, rev: str, timeout: float):
        self.rev = rev
        self.tree = Path(tempfile.mkdtemp(prefix="bench-baseline-"))
        added = subprocess.run(["git", "worktree", "add", "--detach", str(self.tree), rev],
                               cwd=REPO, capture_output=True, text=True)
        if added.returncode != 0:
            shutil.rmtree(self.tree, ignore_errors=True)
            sys.exit(f"--baseline={rev}: git worktree add failed: "
                     f"{added.stderr.strip().splitlines()[-1:]}")
        self.commit = _git("rev-parse", rev)
        warm = subprocess.run([sys.executable, "-m", "sim.warmup"], cwd=self.tree,
                              env=child_env(tree=self.tree), capture_output=True, text=True,
                              timeout=max(timeout, 3600))
        if warm.returncode != 0:
            self.close()
            sys.exit(f"--baseline={rev}: its warm-up failed: "
                     f"{warm.stderr.strip().splitlines()[-1:]}")

    def close(self) -> None:
        subprocess.run(["git", "worktree", "remove", "--force", str(self.tree)], cwd=REPO,
                       capture_output=True)
        shutil.rmtree(self.tree, ignore_errors=True)


def run_probe(args: Sequence[str], timeout: float, env: dict[str, str],
              tree: Path = REPO) -> dict[str, Any]:
    """Run `probe.py` in a new process; its result plus spawn-relative times, or an error.

    Returns `status` "ok", "error" (non-zero exit, or no result line) or "timeout", with
    `error` holding the reason (the last lines of the probe's stderr).
    """
    spawned = time.monotonic()
    try:
        done = subprocess.run([sys.executable, str(tree / PROBE.relative_to(REPO)), *args],
                              capture_output=True, text=True, timeout=timeout, env=env,
                              cwd=tree)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "error": f"no result within {timeout:g} s"}
    wall = time.monotonic() - spawned
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if done.returncode != 0 or not lines:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        return {"status": "error", "error": f"exit {done.returncode}: {tail}"[:400]}
    result = json.loads(lines[-1][len(MARKER):])
    result.update(status="ok", error="", process_wall_s=wall)
    for key in ("first_step_done_monotonic", "done_monotonic"):
        if key in result:
            result["spawn_to_first_step_s"] = result.pop(key) - spawned
    return result


def measure_engine(engine: str, n_orgs: int, steps: int, timeout: float,
                   note: str = "", baseline: Baseline | None = None) -> dict[str, Any]:
    """One engine at one size in its own process: times, speed and peak memory (of the
    current code, or of `baseline`'s)."""
    row: dict[str, Any] = {"engine": engine, "n_orgs": n_orgs, "steps": steps, "seed": SEED,
                           "note": note,
                           "code": "current" if baseline is None else f"baseline {baseline.rev}"}
    args = ["engine", "--engine", engine, "--params", json.dumps(scenario_for(n_orgs)),
            "--steps", str(steps), "--seed", str(SEED)]
    if baseline is None:
        result = run_probe(args, timeout, child_env())
    else:
        result = run_probe(args, timeout, child_env(tree=baseline.tree), baseline.tree)
    row.update(result)
    if row["status"] == "ok":
        row["bytes_per_org"] = row["peak_rss_bytes"] / n_orgs
        row["bytes_per_org_above_baseline"] = (
            (row["peak_rss_bytes"] - row["baseline_rss_bytes"]) / n_orgs)
    return row


def measure_ratio(n_orgs: int, steps: int, timeout: float) -> dict[str, Any]:
    """Both engines side by side in one process: step-time ratio and identical tables."""
    row: dict[str, Any] = {"n_orgs": n_orgs, "steps": steps, "seed": SEED,
                           "note": "both engines in one process, steps interleaved"}
    result = run_probe(["compare", "--params", json.dumps(scenario_for(n_orgs)),
                        "--steps", str(steps), "--seed", str(SEED)], timeout, child_env())
    result.pop("process_wall_s", None)
    row.update(result)
    return row


def step_time_rows(engine: list[dict[str, Any]], ratio: list[dict[str, Any]]
                   ) -> list[dict[str, Any]]:
    """One row per measured step: where it was measured, engine, size, step and seconds."""
    rows = []
    for r in engine:
        for k, seconds in enumerate(r.get("step_times", [])):
            rows.append({"measurement": "engine", "engine": r["engine"], "n_orgs": r["n_orgs"],
                         "step": k + 1, "seconds": seconds})
    for r in ratio:
        for name in ("numba", "mesa"):
            for k, seconds in enumerate(r.get(f"{name}_step_times", [])):
                rows.append({"measurement": "ratio", "engine": name, "n_orgs": r["n_orgs"],
                             "step": k + 1, "seconds": seconds})
    return rows


def measure_startup(n_orgs: int, warm_repeats: int, skip_cold: bool,
                    timeout: float) -> list[dict[str, Any]]:
    """Time to the first step of a new process, cold (empty cache) and warm; warm() time."""
    rows: list[dict[str, Any]] = []
    params = json.dumps(scenario_for(n_orgs))
    base = {"n_orgs": n_orgs, "repeat": 0}
    with tempfile.TemporaryDirectory(prefix="bench_cold_") as cold_a, \
            tempfile.TemporaryDirectory(prefix="bench_cold_") as cold_b:
        if skip_cold:
            rows.append({**base, "kind": "cold_first_step", "cache": "empty", "status": "skipped",
                         "error": "", "note": "--skip-cold"})
            rows.append({**base, "kind": "cold_warmup", "cache": "empty", "status": "skipped",
                         "error": "", "note": "--skip-cold"})
        else:
            rows.append({**base, "kind": "cold_first_step", "cache": "empty",
                         "note": "new process, empty NUMBA_CACHE_DIR: compiles what it needs",
                         **run_probe(["startup", "--params", params], timeout,
                                     child_env(cold_a))})
            result = run_probe(["warmup"], timeout, child_env(cold_b))
            result.pop("spawn_to_first_step_s", None)
            rows.append({**base, "kind": "cold_warmup", "cache": "empty",
                         "note": "sim.warmup.warm(): every kernel, both engines, all designs",
                         **result})
        for repeat in range(warm_repeats):
            rows.append({**base, "repeat": repeat, "kind": "warm_first_step",
                         "cache": "warm", "note": "new process, cache warmed by sim.warmup",
                         **run_probe(["startup", "--params", params], timeout,
                                     child_env())})
    return rows


def measure_sweeps(runs: int, orgs: int, steps: int, big_runs: int, big_orgs: int,
                   timeout: float) -> list[dict[str, Any]]:
    """Batch throughput (benchmarks/sweep_throughput.py), in a fresh process with one thread."""
    code = (f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import sweep_throughput as t; "
            f"print({MARKER!r} + json.dumps(t.measure_all({runs}, {orgs}, {steps}, {big_runs}, "
            f"{big_orgs}, log=lambda *a: None)))")
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              cwd=REPO, env=child_env(), timeout=timeout)
    except subprocess.TimeoutExpired:
        return [{"measurement": "batch throughput", "orgs": orgs, "runs": runs, "steps": steps,
                 "workers": "", "status": "timeout", "error": f"no result within {timeout:g} s"}]
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if done.returncode or not lines:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        error = f"exit {done.returncode}: {tail}"[:400]
        return [{"measurement": "batch throughput", "orgs": orgs, "runs": runs, "steps": steps,
                 "workers": "", "status": "error", "error": error}]
    return json.loads(lines[-1][len(MARKER):])


# --- machine, files and summary ---------------------------------------------------------

def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(module)
    except PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=REPO,
                              timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine_info() -> dict[str, Any]:
    """The machine, software versions and commit the suite ran on."""
    cpu = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.M)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.M)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "hostname": socket.gethostname(),
        "cpu_model": cpu.group(1).strip() if cpu else platform.processor(),
        "logical_cpus": os.cpu_count(),
        "cpus_available": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "ram_gib": round(int(mem.group(1)) / 1024 ** 2, 2) if mem else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {name: _version(name) for name in ("numpy", "numba", "mesa", "pandas",
                                                          "hydra-core", "partnership-sim")},
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "load_average_at_start": list(os.getloadavg()),
    }


def write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """Write rows with exactly these columns (missing values empty)."""
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _fmt(value: float | None, unit: str = "", digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not measured"
    if abs(value) >= 1e5:
        return f"{value:,.0f}{unit}"
    return f"{value:.{digits}g}{unit}"


def _met(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "**not met**")


def targets(engine: list[dict], ratio: list[dict], startup: list[dict],
            sweep: list[dict]) -> list[tuple[str, str, str, bool | None]]:
    """Every target of the issue: (figure, measured, target, met or None if not measured)."""
    ok_numba = {r["n_orgs"]: r for r in engine if r["engine"] == "numba" and r["status"] == "ok"
                and r.get("code", "current") == "current"}
    out: list[tuple[str, str, str, bool | None]] = []
    for n, target in TARGET_ORG_STEPS.items():
        r = ok_numba.get(n)
        value = r["org_steps_per_s_median"] if r else None
        out.append((f"numba org-steps/s at {n:,} orgs (median step)", _fmt(value),
                    f">= {target:,.0f}", None if value is None else value >= target))
    r = next((r for r in ratio if r["status"] == "ok"), None)
    if r:
        at = f" at {r['n_orgs']:,} orgs" + (
            "" if r["n_orgs"] == TARGET_RATIO_ORGS else f" (target is at {TARGET_RATIO_ORGS:,})")
        comparable = r["n_orgs"] == TARGET_RATIO_ORGS
        out.append((f"Mesa / numba engine step time (speed-up){at}", _fmt(r["ratio"], "x"),
                    f">= {TARGET_RATIO:g}x", r["ratio"] >= TARGET_RATIO if comparable else None))
        out.append((f"both engines give identical step tables ({r['steps']} steps)",
                    str(r["identical"]), "True", bool(r["identical"])))
    else:
        out.append(("Mesa / numba engine step time (speed-up)", "not measured",
                    f">= {TARGET_RATIO:g}x", None))
    n, steps, limit = TARGET_RUN
    r = ok_numba.get(n)
    if r:
        value = r["setup_s"] + steps * r["step_total_s"] / r["steps"]
        how = "" if r["steps"] == steps else f" (scaled from {r['steps']} steps)"
        out.append((f"{n:,} orgs x {steps} steps incl. set-up{how}", _fmt(value, " s"),
                    f"< {limit:g} s", value < limit))
    else:
        out.append((f"{n:,} orgs x {steps} steps incl. set-up", "not measured",
                    f"< {limit:g} s", None))
    n, limit_bytes = TARGET_PEAK_BYTES
    r = ok_numba.get(n)
    value = r["peak_rss_bytes"] / GIB if r else None
    out.append((f"peak memory at {n:,} orgs (numba)", _fmt(value, " GiB"),
                f"< {limit_bytes / GIB:g} GiB", None if r is None else value < limit_bytes / GIB))
    warm = [r["spawn_to_first_step_s"] for r in startup
            if r["kind"] == "warm_first_step" and r["status"] == "ok"]
    value = statistics.median(warm) if warm else None
    out.append((f"new process, warm cache: spawn to first step (median of {len(warm)})",
                _fmt(value, " s"), f"< {TARGET_WARM_FIRST_STEP_S:g} s",
                None if value is None else value < TARGET_WARM_FIRST_STEP_S))
    measured = sweep_throughput.targets(sweep) if sweep and sweep[0]["status"] == "ok" else []
    out.extend(measured or [("batch throughput (fixed cost, rate, two workers)",
                             "not measured", "see benchmarks/sweep_throughput.py", None)])
    return out


def baseline_pairs(engine: list[dict]) -> list[tuple[int, dict, dict]]:
    """(size, baseline row, current row) for every size the numba engine measured both ways."""
    ok = [r for r in engine if r["engine"] == "numba" and r["status"] == "ok"]
    base = {r["n_orgs"]: r for r in ok if r.get("code", "current") != "current"}
    now = {r["n_orgs"]: r for r in ok if r.get("code", "current") == "current"}
    return [(n, base[n], now[n]) for n in sorted(base) if n in now]


def summary_markdown(machine: dict[str, Any], options: dict[str, Any], engine: list[dict],
                     ratio: list[dict], startup: list[dict], sweep: list[dict]) -> str:
    """summary.md: the machine, every figure next to its target, then the tables."""
    dirty = " (with local changes)" if machine["git_dirty"] else ""
    lines = [f"# Benchmark results, {machine['date']}", "",
             f"Machine: {machine['cpu_model']}, {machine['logical_cpus']} logical CPUs, "
             f"{machine['ram_gib']} GiB RAM, {machine['os']}; Python {machine['python']}, "
             + ", ".join(f"{k} {v}" for k, v in machine["versions"].items()) + ".",
             f"Commit {machine['git_commit'][:12]}{dirty}. "
             f"Load average at start {machine['load_average_at_start'][0]:.2f}, "
             f"at end {machine['load_average_at_end'][0]:.2f} "
             "(above 0 means other processes shared the CPUs).", "",
             f"Scenario (every mechanism on): `{json.dumps(BENCH_SCENARIO)}`, platform_budget "
             f"= {BUDGET_PER_1000_ORGS:g} staff per 1,000 organisations, seed {SEED}. Engine "
             "figures: one fresh process per engine and size, NUMBA_NUM_THREADS=1.",
             f"Options: `{json.dumps(options)}`.", "",
             "## Targets", "", "| Figure | Measured | Target | |", "|---|---|---|---|"]
    for figure, measured, target, ok in targets(engine, ratio, startup, sweep):
        lines.append(f"| {figure} | {measured} | {target} | {_met(ok)} |")
    lines += ["", "## Engines", "",
              "| engine | orgs | steps | set-up s | first step s | median step s | "
              "org-steps/s | peak RSS MiB | bytes/org | above baseline | status |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in engine:
        if r["status"] == "ok":
            lines.append(
                f"| {r['engine']} | {r['n_orgs']:,} | {r['steps']} | {r['setup_s']:.3g} | "
                f"{r['first_step_s']:.3g} | {r['step_median_s']:.3g} | "
                f"{r['org_steps_per_s_median']:,.0f} | {r['peak_rss_bytes'] / 2 ** 20:,.0f} | "
                f"{r['bytes_per_org']:,.0f} | {r['bytes_per_org_above_baseline']:,.0f} | ok |")
        else:
            lines.append(f"| {r['engine']} | {r['n_orgs']:,} | {r['steps']} | | | | | | | | "
                         f"{r['status']}: {r['error']} |")
    pairs = baseline_pairs(engine)
    if pairs:
        lines += ["", f"## Against the baseline ({pairs[0][1]['code']})", "",
                  "Each size measured in fresh processes, baseline first, then the current code.",
                  "", "| orgs | baseline org-steps/s | current org-steps/s | current / baseline |",
                  "|---|---|---|---|"]
        for n, base, now in pairs:
            lines.append(f"| {n:,} | {base['org_steps_per_s_median']:,.0f} | "
                         f"{now['org_steps_per_s_median']:,.0f} | "
                         f"{now['org_steps_per_s_median'] / base['org_steps_per_s_median']:.2f} |")
    lines += ["", "## Start-up", "", "| kind | repeat | orgs | cache | spawn to first step s | "
              "import s | set-up s | first step s | warm() s | status |", "|---|---|---|---|---|"
              "---|---|---|---|---|"]
    for r in startup:
        cells = [_fmt(r.get(k)) if r.get(k) is not None else "" for k in
                 ("spawn_to_first_step_s", "import_s", "setup_s", "first_step_s", "warmup_s")]
        status = r["status"] if r["status"] in ("ok", "skipped") else f"{r['status']}: {r['error']}"
        lines.append(f"| {r['kind']} | {r['repeat']} | {r['n_orgs']:,} | {r['cache']} | "
                     + " | ".join(cells) + f" | {status} |")
    lines += ["", "## Batch throughput", "", "| measurement | orgs | runs | steps | workers | "
              "wall s | runs/s | fixed cost ms | ratio | status |", "|---|---|---|---|---|---|"
              "---|---|---|---|"]
    for r in sweep:
        status = "ok" if r["status"] == "ok" else f"{r['status']}: {r['error']}"
        lines.append(f"| {r['measurement']} | {r['orgs']:,} | {r['runs']} | {r['steps']} | "
                     f"{r['workers']} | {r.get('wall_s', '')} | {r.get('runs_per_s', '')} | "
                     f"{r.get('fixed_cost_ms', '')} | {r.get('ratio', '')} | {status} |")
    return "\n".join(lines) + "\n"


# --- command line -----------------------------------------------------------------------

def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(float(part)) for part in text.split(",") if part.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 60:
        raise argparse.ArgumentTypeError(
            f"--sizes={text!r}: give comma-separated organisation counts, each >= 60")
    return sorted(set(sizes))


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer >= 1")
    return value


def _nonnegative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer >= 0")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds > 0")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Options; `--quick` sets tiny defaults that explicit options still override."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="result folder (default benchmarks/results/"
                        "<date>-<tag>/; replaced if it holds an earlier suite result)")
    parser.add_argument("--tag", help="machine tag in the default folder name (hostname)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes for a check: " + json.dumps(QUICK))
    parser.add_argument("--sizes", type=_sizes, help="organisation counts (1000,10000,100000,"
                        "1000000)")
    parser.add_argument("--steps", type=_positive, help="numba engine steps per size (120)")
    parser.add_argument("--mesa-max", type=_nonnegative,
                        help="largest size run on the Mesa engine (10000; 0: none)")
    parser.add_argument("--mesa-steps", type=_positive,
                        help="Mesa engine steps, also those of the ratio (12)")
    parser.add_argument("--ratio-orgs", type=_nonnegative,
                        help="size of the side-by-side ratio (10000, at most --mesa-max)")
    parser.add_argument("--startup-orgs", type=_positive, help="size of start-up runs (1000)")
    parser.add_argument("--warm-repeats", type=_positive, help="warm start-ups (3)")
    parser.add_argument("--skip-cold", action="store_true", default=None,
                        help="skip the two cold compiles (a minute or more each)")
    parser.add_argument("--skip-startup", action="store_true", help="skip start-up figures")
    parser.add_argument("--skip-sweep", action="store_true", help="skip batch throughput")
    parser.add_argument("--sweep-runs", type=_positive, help="runs of the batch figures (1000)")
    parser.add_argument("--sweep-orgs", type=_positive, help="organisations per run (300)")
    parser.add_argument("--sweep-steps", type=_positive, help="steps per run (120)")
    parser.add_argument("--sweep-big-runs", type=_nonnegative,
                        help="runs of the large-run scaling figure (120; 0: skip)")
    parser.add_argument("--sweep-big-orgs", type=_positive,
                        help="organisations of the large runs (10000)")
    parser.add_argument("--timeout", type=_seconds, default=3600.0,
                        help="seconds before one measurement is abandoned (3600)")
    parser.add_argument("--no-plot", action="store_true", help="skip speed.png")
    parser.add_argument("--baseline", metavar="REV",
                        help="also measure the numba engine of commit REV at every size, "
                        "side by side (checked out in a temporary git worktree)")
    args = parser.parse_args(argv)
    defaults = {"sizes": "1000,10000,100000,1000000", "steps": 120, "mesa_max": 10_000,
                "mesa_steps": 12, "startup_orgs": 1000, "warm_repeats": 3, "skip_cold": False,
                "sweep_runs": 1000, "sweep_orgs": 300, "sweep_steps": 120,
                "sweep_big_runs": 120, "sweep_big_orgs": 10_000}
    if args.quick:
        defaults.update(QUICK)
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, _sizes(value) if key == "sizes" else value)
    if args.ratio_orgs is None:
        args.ratio_orgs = min(TARGET_RATIO_ORGS, args.mesa_max)
    elif args.ratio_orgs > args.mesa_max:
        parser.error(f"--ratio-orgs={args.ratio_orgs} must be at most --mesa-max="
                     f"{args.mesa_max}")
    if 0 < args.ratio_orgs < 60:
        parser.error(f"--ratio-orgs={args.ratio_orgs}: give 0 (skip) or at least 60")
    return args


def result_folder(args: argparse.Namespace) -> Path:
    """Where results go; an existing folder must be an earlier suite result (it is replaced)."""
    if args.out is not None:
        out = args.out.resolve()
    else:
        tag = re.sub(r"[^A-Za-z0-9_.-]+", "-", args.tag or socket.gethostname()) or "machine"
        out = HERE / "results" / f"{time.strftime('%Y-%m-%d')}-{tag}"
    if out.exists() and any(out.iterdir()) and not (out / "machine.json").exists():
        sys.exit(f"--out={out}: folder exists and is not an earlier suite result; "
                 "choose an empty or new folder")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measurement, write the result folder, return 1 if any measurement failed."""
    args = parse_args(argv)
    out = result_folder(args)
    options = {k: v for k, v in vars(args).items() if k not in ("out", "tag")}
    machine = machine_info()
    log = print
    log(f"benchmark suite -> {out}")
    warm = subprocess.run([sys.executable, "-m", "sim.warmup"], env=child_env(), cwd=REPO,
                          capture_output=True, text=True, timeout=max(args.timeout, 3600))
    if warm.returncode != 0:
        sys.exit(f"python -m sim.warmup failed: {warm.stderr.strip().splitlines()[-1:]}")
    log(warm.stdout.strip())

    baseline = Baseline(args.baseline, args.timeout) if args.baseline else None
    engine: list[dict[str, Any]] = []
    for n in args.sizes:
        runs = [("numba", args.steps, "", None)]
        if baseline is not None:
            runs.insert(0, ("numba", args.steps, f"baseline {args.baseline}", baseline))
        if n <= args.mesa_max:
            runs.append(("mesa", args.mesa_steps, f"Mesa engine: {args.mesa_steps} steps", None))
        for name, steps, note, code in runs:
            row = measure_engine(name, n, steps, args.timeout, note, code)
            log(f"  engine {name:5} {n:>9,} orgs{' (baseline)' if code else ''}: {row['status']} "
                + (f"{row['org_steps_per_s_median']:,.0f} org-steps/s, set-up "
                   f"{row['setup_s']:.2f} s, peak {row['peak_rss_bytes'] / 2 ** 20:,.0f} MiB"
                   if row["status"] == "ok" else row["error"]))
            engine.append(row)
    if baseline is not None:
        machine["baseline_commit"] = baseline.commit
        baseline.close()
    ratio = []
    if args.ratio_orgs:
        row = measure_ratio(args.ratio_orgs, args.mesa_steps, args.timeout)
        log(f"  ratio at {args.ratio_orgs:,} orgs: {row['status']} "
            + (f"{row['ratio']:.1f}x, identical={row['identical']}" if row["status"] == "ok"
               else row["error"]))
        ratio.append(row)
    startup = [] if args.skip_startup else measure_startup(
        args.startup_orgs, args.warm_repeats, args.skip_cold, args.timeout)
    for row in startup:
        log(f"  startup {row['kind']} #{row['repeat']}: {row['status']} "
            + str(row.get("spawn_to_first_step_s") or row.get("warmup_s") or row["error"]))
    sweep = [] if args.skip_sweep else measure_sweeps(
        args.sweep_runs, args.sweep_orgs, args.sweep_steps, args.sweep_big_runs,
        args.sweep_big_orgs, args.timeout)
    for row in sweep:
        log(f"  batch {row['measurement']} {row['orgs']:,} orgs, {row['workers']} worker(s): "
            f"{row['status']} " + str(row.get("wall_s") or row["error"]) + " s")
    machine["load_average_at_end"] = list(os.getloadavg())

    # Write everything into a temporary sibling, then swap it in: no half-written folder.
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        write_csv(tmp / "engine.csv", ENGINE_COLUMNS, engine)
        write_csv(tmp / "ratio.csv", RATIO_COLUMNS, ratio)
        write_csv(tmp / "startup.csv", STARTUP_COLUMNS, startup)
        write_csv(tmp / "sweep.csv", SWEEP_COLUMNS, sweep)
        write_csv(tmp / "step_times.csv", STEP_COLUMNS, step_time_rows(engine, ratio))
        (tmp / "machine.json").write_text(json.dumps(
            {**machine, "scenario": BENCH_SCENARIO,
             "platform_budget_per_1000_orgs": BUDGET_PER_1000_ORGS, "seed": SEED,
             "options": options}, indent=2, default=str) + "\n")
        (tmp / "summary.md").write_text(
            summary_markdown(machine, options, engine, ratio, startup, sweep))
        if not args.no_plot:
            from plot import plot_speed  # matplotlib only when plotting
            plot_speed(engine, tmp / "speed.png")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log((out / "summary.md").read_text())
    failed = [r for r in [*engine, *ratio, *startup, *sweep]
              if r["status"] not in ("ok", "skipped")]
    not_identical = [r for r in ratio if r["status"] == "ok" and not r["identical"]]
    if failed or not_identical:
        log(f"{len(failed)} measurement(s) failed, {len(not_identical)} engine comparison(s) "
            f"not identical; see {out}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
