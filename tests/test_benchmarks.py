"""The benchmark suite runs end to end at tiny sizes and writes sane tables (not timed)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SUITE = REPO / "benchmarks" / "suite.py"
TINY = ["--sizes", "300,1000", "--steps", "5", "--mesa-max", "300", "--mesa-steps", "3",
        "--startup-orgs", "300", "--warm-repeats", "1", "--skip-cold", "--sweep-runs", "4",
        "--sweep-orgs", "300", "--sweep-steps", "3", "--sweep-big-runs", "2",
        "--sweep-big-orgs", "500"]


def _suite(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SUITE), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open() as f:
        return list(csv.DictReader(f))


def test_suite_at_tiny_sizes_writes_sane_tables(tmp_path: Path) -> None:
    """One run of the suite (in one test, so xdist never runs it twice), then every check."""
    out = tmp_path / "result"
    done = _suite(*TINY, "--out", str(out))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    _check_files(out)
    _check_engine_rows(out)
    _check_ratio(out)
    _check_startup_and_sweep(out)
    _check_machine_and_summary(out)


def _check_files(out: Path) -> None:
    for name in ("engine.csv", "ratio.csv", "startup.csv", "sweep.csv", "step_times.csv",
                 "machine.json", "summary.md", "speed.png"):
        assert (out / name).is_file(), name
    assert (out / "speed.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in out.parent.iterdir()] == ["result"], "temporary folder left behind"


def _check_engine_rows(out: Path) -> None:
    rows = _rows(out / "engine.csv")
    steps_table = _rows(out / "step_times.csv")
    assert [(r["engine"], int(r["n_orgs"])) for r in rows] == [
        ("numba", 300), ("mesa", 300), ("numba", 1000)]
    for r in rows:
        n, steps = int(r["n_orgs"]), int(r["steps"])
        assert r["status"] == "ok" and r["error"] == ""
        assert steps == (5 if r["engine"] == "numba" else 3)
        median, total = float(r["step_median_s"]), float(r["step_total_s"])
        assert 0 < median <= total
        assert float(r["org_steps_per_s_median"]) == pytest.approx(n / median, rel=1e-4)
        assert float(r["org_steps_per_s_mean"]) == pytest.approx(n * steps / total, rel=1e-4)
        assert float(r["run_s"]) == pytest.approx(float(r["setup_s"]) + total, rel=1e-4)
        peak, baseline = int(r["peak_rss_bytes"]), int(r["baseline_rss_bytes"])
        assert 50 * 2 ** 20 < baseline <= peak < 8 * 2 ** 30
        assert float(r["bytes_per_org"]) == pytest.approx(peak / n, rel=1e-4)
        assert float(r["bytes_per_org_above_baseline"]) == pytest.approx((peak - baseline) / n,
                                                                         rel=1e-4)
        # From spawn: imports and kernel loading come before the first measured step ends.
        spawn_to_first = float(r["spawn_to_first_step_s"])
        assert float(r["import_s"]) < spawn_to_first < float(r["process_wall_s"])
        assert int(r["formed"]) > 0
        times = [float(t["seconds"]) for t in steps_table
                 if (t["measurement"], t["engine"], t["n_orgs"]) == ("engine", r["engine"],
                                                                    r["n_orgs"])]
        assert len(times) == steps and sum(times) == pytest.approx(total, rel=1e-9)
        assert float(r["first_step_s"]) == times[0]


def _check_ratio(out: Path) -> None:
    (row,) = _rows(out / "ratio.csv")
    assert row["status"] == "ok" and int(row["n_orgs"]) == 300 and int(row["steps"]) == 3
    assert row["identical"] == "True" and row["difference"] == ""
    numba, mesa = float(row["numba_step_median_s"]), float(row["mesa_step_median_s"])
    assert float(row["ratio"]) == pytest.approx(mesa / numba, rel=1e-4)
    assert mesa > numba  # the agent-by-agent loop is slower, by far, at any size
    side_by_side = [t for t in _rows(out / "step_times.csv") if t["measurement"] == "ratio"]
    assert sorted((t["engine"], int(t["step"])) for t in side_by_side) == sorted(
        (engine, k) for engine in ("numba", "mesa") for k in (1, 2, 3))


def _check_startup_and_sweep(out: Path) -> None:
    startup = _rows(out / "startup.csv")
    assert [(r["kind"], r["status"]) for r in startup] == [
        ("cold_first_step", "skipped"), ("cold_warmup", "skipped"), ("warm_first_step", "ok")]
    warm = startup[2]
    parts = sum(float(warm[k]) for k in ("import_s", "setup_s", "first_step_s"))
    assert 0 < parts <= float(warm["spawn_to_first_step_s"]) <= float(warm["process_wall_s"])
    sweep = _rows(out / "sweep.csv")
    assert [(r["measurement"], int(r["orgs"]), int(r["workers"])) for r in sweep] == [
        ("bare_loop", 300, 1), ("evaluate", 300, 1), ("evaluate", 300, 2),
        ("python -m sim -m", 300, 2), ("evaluate", 500, 1), ("evaluate", 500, 2)]
    for r in sweep:
        assert r["status"] == "ok", r
        assert float(r["runs_per_s"]) == pytest.approx(int(r["runs"]) / float(r["wall_s"]),
                                                       rel=0.01)
    bare, one, two = (float(r["wall_s"]) for r in sweep[:3])
    # walls are rounded to the millisecond in the CSV, the fixed cost is not
    assert float(sweep[1]["fixed_cost_ms"]) == pytest.approx(1000 * (one - bare) / 4, abs=0.5)
    assert float(sweep[2]["ratio"]) == pytest.approx(one / two, rel=0.01)


def _check_machine_and_summary(out: Path) -> None:
    machine = json.loads((out / "machine.json").read_text())
    for key in ("cpu_model", "logical_cpus", "ram_gib", "os", "python", "versions",
                "git_commit", "date", "scenario", "options"):
        assert machine[key] not in (None, ""), key
    assert machine["scenario"]["event_partnering"] is True
    assert machine["scenario"]["platform_design"] == "hybrid"
    assert machine["scenario"]["collective_action"] > 0
    assert machine["options"]["sizes"] == [300, 1000]
    summary = (out / "summary.md").read_text()
    for figure in ("org-steps/s at 100,000", "org-steps/s at 1,000,000",
                   "engine step time (speed-up)", "identical step tables",
                   "1,000,000 orgs x 120 steps", "peak memory at", "warm cache",
                   "two workers / one"):
        assert figure in summary, figure
    # Sizes not run are reported as not measured, never as met.
    line = next(s for s in summary.splitlines() if "org-steps/s at 100,000" in s)
    assert line.endswith("| not measured | >= 10,000,000 | not measured |")


def test_a_failed_measurement_becomes_an_error_row_and_exit_one(tmp_path: Path) -> None:
    out = tmp_path / "result"
    done = _suite("--sizes", "300", "--mesa-max", "0", "--skip-startup", "--skip-sweep",
                  "--no-plot", "--timeout", "0.3", "--out", str(out))
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    (row,) = _rows(out / "engine.csv")
    assert row["status"] == "timeout" and "0.3 s" in row["error"]
    assert row["org_steps_per_s_median"] == ""
    assert "not measured" in (out / "summary.md").read_text()


@pytest.mark.parametrize("args, message", [
    (["--sizes", "0,1000"], "--sizes='0,1000'"),
    (["--steps", "0"], "'0' is not an integer >= 1"),
    (["--mesa-max", "1000", "--ratio-orgs", "5000"], "--ratio-orgs=5000"),
])
def test_bad_options_exit_two_and_write_nothing(tmp_path: Path, args: list[str],
                                                message: str) -> None:
    out = tmp_path / "result"
    done = _suite(*args, "--out", str(out), timeout=60)
    assert done.returncode == 2
    assert message in done.stderr
    assert not out.exists() and not list(tmp_path.iterdir())


def test_baseline_rows_pair_up_by_size_and_show_in_the_summary() -> None:
    """`--baseline REV` rows (code "baseline REV") pair with the current code's rows of the
    same size, and the summary gets the side-by-side table; the targets read only the
    current code's rows."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import suite

    def row(n: int, code: str, speed: float) -> dict:
        return {"engine": "numba", "n_orgs": n, "status": "ok", "code": code,
                "org_steps_per_s_median": speed}

    engine = [row(1000, "baseline abc", 2e6), row(1000, "current", 3e6),
              row(100_000, "baseline abc", 5e6), row(100_000, "current", 11e6)]
    pairs = suite.baseline_pairs(engine)
    assert [(n, b["org_steps_per_s_median"], c["org_steps_per_s_median"])
            for n, b, c in pairs] == [(1000, 2e6, 3e6), (100_000, 5e6, 11e6)]
    measured = {figure: value for figure, value, _, _ in suite.targets(engine, [], [], [])}
    assert measured["numba org-steps/s at 100,000 orgs (median step)"] == suite._fmt(11e6)
