"""What a single run prints: the headline with units, where the tables are, no log noise; the
progress line of a first compile; every parameter and outcome with --verbose."""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim import console
from sim.config import validate_command
from sim.evaluate import read_summary
from sim.runner import run_single

REPO = Path(__file__).resolve().parents[1]


def _sim(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=timeout)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    results = tmp_path_factory.mktemp("results")
    (settings,) = validate_command(["+debug=default", f"results_dir={results}"], False)
    return run_single(settings)[0]


def test_every_headline_is_a_column_of_the_run_summary(finished_run) -> None:
    row = read_summary(finished_run).iloc[0]
    missing = [h.name for h in console.HEADLINES if h.name not in row.index]
    assert not missing, f"headline names not in the summary: {missing}"
    for h in console.HEADLINES:  # every unit template names columns that exist
        h.unit.format(**row.to_dict())


def test_report_has_one_line_per_headline_with_units_and_the_files(finished_run) -> None:
    text = console.run_report(finished_run)
    lines = text.splitlines()
    assert len(lines) <= 32, text
    row = read_summary(finished_run).iloc[0]
    for h in console.HEADLINES:
        (line,) = [x for x in lines if x.strip().startswith(h.label + " ")]
        value = row[h.name]
        if isinstance(value, float) and math.isnan(value):
            assert h.undefined in line
        else:
            assert h.fmt.format(value) in line and h.unit.format(**row.to_dict()) in line
    assert "Partnerships formed" in text and "in 12 months" in text  # debug: 12 months
    for name in ("summary/", "steps/", "dataset.json", "import pandas as pd",
                 "pd.read_parquet(", "--verbose"):
        assert name in text
    assert "bandwidth" not in text and "outcome_direct_g01" not in text  # no parameter dump


def test_verbose_report_lists_every_parameter_and_outcome(finished_run) -> None:
    run_dir = finished_run
    text = console.run_report(run_dir, verbose=True)
    row = read_summary(run_dir).iloc[0]
    listed = {line.split()[0] for line in text.splitlines() if line.startswith("  ")}
    assert set(row.index) - {"run_key"} <= listed
    assert "bandwidth" in listed and "sme 1.5, multinational 8" in text


def test_undefined_values_say_why_and_numbers_align() -> None:
    heads = (console.Headline("a", "Alpha", "units of {b}"),
             console.Headline("b", "Beta", "things", "{:.1%}", "n/a (none ended)"))
    lines = console.headline_lines({"a": 12345.0, "b": float("nan")}, heads)
    assert lines[0].split() == ["Alpha", "12,345", "units", "of", "nan"]
    assert lines[1].endswith("n/a (none ended)") and "things" not in lines[1]


def test_command_line_prints_the_report_and_no_log_lines(tmp_path) -> None:
    done = _sim("+debug=default", f"results_dir={tmp_path}")
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0].startswith("Run ") and "Headline outcomes" in out
    assert not [x for x in out if "Step " in x or " at time " in x], "Mesa's step log leaked"
    assert not [x for x in out if x.startswith("run ") and "finished in" in x]
    assert len(out) <= 32
    again = _sim("+debug=default", f"results_dir={tmp_path}", "--verbose")
    assert again.returncode == 0, again.stderr
    assert "finished earlier" in again.stdout and "Parameters" in again.stdout
    assert "outcome_direct_g17" in again.stdout


def test_first_compile_is_announced_and_the_bar_starts_after_it(monkeypatch) -> None:
    monkeypatch.setattr(console, "kernels_cached", lambda engine: False)
    stream = io.StringIO()
    with console.RunProgress(5, engine="numba", stream=stream) as bar:
        assert "Compiling the numba kernels: first run only" in stream.getvalue()
        time.sleep(0.3)  # the "compile"
        bar.update()
        assert "compiled in" in stream.getvalue()
        started = bar._bar.start_t
        for _ in range(4):
            bar.update()
        assert bar._bar.n == 5 and bar._bar.initial == 1  # the rate excludes the compile
    assert started >= bar._started + 0.3


def test_a_warm_run_says_nothing_about_compiling(monkeypatch) -> None:
    monkeypatch.setattr(console, "kernels_cached", lambda engine: True)
    stream = io.StringIO()
    with console.RunProgress(3, stream=stream) as bar:
        for _ in range(3):
            bar.update()
    assert "ompil" not in stream.getvalue()


def test_kernel_cache_check_sees_a_warm_and_an_empty_cache(tmp_path) -> None:
    for entries in console.ENGINE_ENTRY_POINTS.values():
        for entry in entries:  # the entry points still exist under these names
            assert hasattr(console._dispatcher(entry), "_cache"), entry
    assert console.kernels_cached("numba") is True  # `make test` warms the cache first
    script = "import sim.model; from sim.console import kernels_cached as k; print(k('numba'))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}, timeout=300)
    assert done.stdout.strip() == "False", done.stderr
