"""Fixtures of the validation suite: the shared arm cache and the effect-size report.

Each test hands its effects to `report`, which prints them (shown by `pytest -s`), attaches
them to the test report (so the terminal summary can list them, also under xdist when this
folder is given on the command line) and writes them to a row file. When a worker (or a
single-process session) finishes, the row files are gathered into one CSV: the file named
by the environment variable VALIDATION_REPORT, or `results/validation/effect_sizes.csv`.
The CSV is written only when the whole suite ran (the folder was collected whole, nothing
was deselected, and every reporting test wrote its rows), so a `-k` run or a single test
never replaces a full report with a part of it. Every row carries its pattern's label
(`patterns.py`: kind, role, targets, because); a reporting test without one fails.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from .arms import ArmCache, locked
from .effects import Effect, merge_rows, write_rows
from .patterns import PATTERNS

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
_state: dict[str, Path] = {}
_lines: list[str] = []
_expected: set[str] = set()  # reporting tests this session runs
_partial: list[str] = []  # why this session's report is not the whole suite's
_started = time.time()


def report_path() -> Path:
    """Where the session's effect sizes are written as CSV."""
    return Path(os.environ.get("VALIDATION_REPORT",
                               REPO / "results" / "validation" / "effect_sizes.csv"))


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder shared by every xdist worker of this session (the session's own otherwise)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "validation"
    folder.mkdir(parents=True, exist_ok=True)
    _state["rows"] = folder / "effects"
    return folder


@pytest.fixture(scope="session")
def arms(shared_dir: Path) -> ArmCache:
    """Runs of every arm, computed once per session whichever worker asks first."""
    return ArmCache(shared_dir / "arms")


@pytest.fixture
def report(shared_dir: Path, request: pytest.FixtureRequest,
           record_property: Callable[[str, object], None]) -> Callable[..., None]:
    """Record effects, labelled with their pattern (`patterns.PATTERNS`, keyed by the test
    function's name): print them, attach them to the test report and write them out."""
    name = request.node.originalname
    if name not in PATTERNS:
        raise KeyError(f"{name}: a validation test that reports effects needs its label in "
                       "tests/validation/patterns.py (PATTERNS)")
    label = PATTERNS[name]

    def record(*effects: Effect) -> None:
        effects = tuple(replace(e, kind=label.kind, role=label.role,
                                targets="; ".join(label.targets), because=label.because)
                        for e in effects)
        for effect in effects:
            print(effect.line())
        record_property("effects", json.dumps([asdict(e) for e in effects]))
        write_rows(shared_dir / "effects", request.node.name, list(effects))

    return record


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Keep the effect lines of finished validation tests for the terminal summary."""
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == "effects":
            for row in json.loads(value):
                _lines.append(Effect(**row).line())


def _covers_suite(arg: str, invocation_dir: Path) -> bool:
    """Whether a command-line path argument collects this whole folder."""
    if "::" in arg:
        return False
    target = Path(arg) if Path(arg).is_absolute() else invocation_dir / arg
    target = target.resolve()
    return target == HERE or target in HERE.parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Note which reporting tests this session will run (after -k/-m deselection)."""
    _expected.update(item.name for item in items
                     if Path(str(item.path)).resolve().parent == HERE
                     and "report" in getattr(item, "fixturenames", ()))


def pytest_deselected(items: list[pytest.Item]) -> None:
    """A deselected validation test makes the session's report partial."""
    if any(Path(str(item.path)).resolve().parent == HERE for item in items):
        _partial.append("some validation tests were deselected")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Gather every worker's effect rows into the CSV report when the whole suite ran (the
    last worker to finish has every row); otherwise leave the report as it was."""
    rows = _state.get("rows")
    if rows is None or not rows.is_dir():
        return
    invocation = Path(session.config.invocation_params.dir)
    if not any(_covers_suite(arg, invocation) for arg in session.config.args):
        _partial.append("only part of tests/validation was collected")
    written = {path.stem for path in rows.glob("*.json")}
    if _partial or _expected - written:
        return
    with locked(rows.parent / "report.lock"):
        merge_rows(rows, report_path())


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the effect size of every validation pattern that ran."""
    if not _lines:
        return
    terminalreporter.write_sep("=", "validation: effect sizes")
    for line in _lines:
        terminalreporter.write_line(line)
    path = report_path()
    if path.is_file() and path.stat().st_mtime >= _started:
        terminalreporter.write_line(f"(CSV: {path})")
    else:
        terminalreporter.write_line(f"(not the whole suite, or a test wrote no effects: {path} "
                                    "left as it was)")
